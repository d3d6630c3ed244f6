"""The wallet's pages: sign up/in, « ma musette » by sphere, a credential, receive, consent,
history. Forms carry the session's CSRF token."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from shared.errors import VcError
from wallet.api.accounts import set_session_cookie
from wallet.api.presentations import resolver_of
from wallet.deps import SESSION_COOKIE, AnonCsrfDep, OptionalPrincipalDep, ResourcesDep, SessionDep
from wallet.i18n import choose_language
from wallet.pages import render
from wallet.service import (
    accounts,
    history,
    identities,
    importing,
    presenting,
    receiving,
    sharing,
    storage,
)
from wallet.service.accounts import Principal

router = APIRouter(tags=["pages"])


def _signin_redirect(request: Request) -> Response:
    return RedirectResponse(
        f"/signin?next={request.url.path}%3F{request.url.query}", status_code=303
    )


def _need(request: Request, who: Principal | None) -> Principal | Response:
    return who if who is not None else _signin_redirect(request)


@router.get("/", response_class=Response)
def home(
    request: Request,
    who: OptionalPrincipalDep,
    session: SessionDep,
    q: str | None = None,
    sphere: str | None = None,
) -> Response:
    """« Ma musette »: credentials grouped by sphere."""
    if who is None:
        return _signin_redirect(request)
    views = storage.list_credentials(session, who, query=q, sphere=sphere)
    groups: dict[str, list[Any]] = {}
    for view in views:
        groups.setdefault(view.summary["sphere"], []).append(view)
    return render(
        request,
        "home.html",
        who=who,
        groups=groups,
        spheres=storage.spheres(session, who),
        q=q or "",
    )


@router.get("/signin", response_class=Response)
def signin_page(request: Request, next: str = "/") -> Response:
    return render(request, "signin.html", who=None, next=next, error=None)


@router.post("/signin", response_class=Response)
def signin(
    request: Request, _csrf: AnonCsrfDep, res: ResourcesDep, session: SessionDep,
    email: str = Form(...), password: str = Form(...), next: str = Form("/"),
) -> Response:  # fmt: skip
    try:
        account = accounts.authenticate(session, res.hasher, email, password)
    except VcError as err:
        return render(request, "signin.html", who=None, next=next, error=err.detail, status=401)
    token, _ = accounts.open_session(session, account, res.settings.session_hours)
    target = next if next.startswith("/") and not next.startswith("//") else "/"
    response = RedirectResponse(target, status_code=303)
    set_session_cookie(response, res, token)
    return response


@router.get("/signup", response_class=Response)
def signup_page(request: Request) -> Response:
    return render(request, "signup.html", who=None, error=None)


@router.post("/signup", response_class=Response)
def signup(
    request: Request, _csrf: AnonCsrfDep, res: ResourcesDep, session: SessionDep,
    email: str = Form(...), password: str = Form(...),
) -> Response:  # fmt: skip
    try:
        account = accounts.create_account(session, res.master, res.hasher, email, password)
    except VcError as err:
        return render(request, "signup.html", who=None, error=err.detail, status=err.status)
    identities.create_identity(session, accounts.principal_for(res.master, account))
    token, _ = accounts.open_session(session, account, res.settings.session_hours)
    response = RedirectResponse("/", status_code=303)
    set_session_cookie(response, res, token)
    return response


@router.post("/signout", response_class=Response)
def signout(request: Request, who: OptionalPrincipalDep, session: SessionDep) -> Response:
    cookie = request.cookies.get(SESSION_COOKIE)
    if who is not None and cookie:
        accounts.close_session(session, cookie)
    response = RedirectResponse("/signin", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.post("/import", response_class=Response)
async def import_page(
    request: Request, who: OptionalPrincipalDep, res: ResourcesDep, session: SessionDep,
    file: UploadFile = File(...), sphere: str = Form(""),  # noqa: B008
) -> Response:  # fmt: skip
    if who is None:
        return _signin_redirect(request)
    data = await file.read(res.settings.max_credential_bytes + 1)
    view = importing.import_credential(
        session,
        who,
        data,
        res.verify_context(),
        max_bytes=res.settings.max_credential_bytes,
        sphere=sphere or None,
    )
    return RedirectResponse(f"/credentials/{view.id}", status_code=303)


@router.get("/credentials/{credential_id}", response_class=Response)
def credential_page(
    credential_id: str,
    request: Request,
    who: OptionalPrincipalDep,
    res: ResourcesDep,
    session: SessionDep,
) -> Response:
    if who is None:
        return _signin_redirect(request)
    view = storage.get_credential(session, who, credential_id)
    shares = sharing.list_shares(session, who, credential_id)
    return render(
        request, "credential.html", who=who, view=view, claims=(view.content or {}).get("claims"),
        shares=shares, new_url=request.query_params.get("shared"),
    )  # fmt: skip


@router.post("/credentials/{credential_id}/edit", response_class=Response)
def edit_credential(
    credential_id: str, request: Request, who: OptionalPrincipalDep, session: SessionDep,
    sphere: str = Form(...), tags: str = Form(""),
) -> Response:  # fmt: skip
    if who is None:
        return _signin_redirect(request)
    storage.update_credential(
        session, who, credential_id, sphere=sphere, tags=[t for t in tags.split(",") if t.strip()]
    )
    return RedirectResponse(f"/credentials/{credential_id}", status_code=303)


@router.post("/credentials/{credential_id}/delete", response_class=Response)
def delete_credential_page(
    credential_id: str, request: Request, who: OptionalPrincipalDep, session: SessionDep
) -> Response:
    if who is None:
        return _signin_redirect(request)
    storage.delete_credential(session, who, credential_id)
    return RedirectResponse("/", status_code=303)


@router.post("/credentials/{credential_id}/publish", response_class=Response)
def publish_page(
    credential_id: str,
    request: Request,
    who: OptionalPrincipalDep,
    res: ResourcesDep,
    session: SessionDep,
) -> Response:
    if who is None:
        return _signin_redirect(request)
    _, token = sharing.publish(session, who, credential_id)
    url = f"{res.settings.base_url.rstrip('/')}/s/{token}"
    return render(request, "published.html", who=who, url=url, credential_id=credential_id)


@router.post("/shares/{share_id}/unpublish", response_class=Response)
def unpublish_page(
    share_id: str,
    request: Request,
    who: OptionalPrincipalDep,
    session: SessionDep,
    credential_id: str = Form(""),
) -> Response:
    if who is None:
        return _signin_redirect(request)
    sharing.unpublish(session, who, share_id)
    return RedirectResponse(
        f"/credentials/{credential_id}" if credential_id else "/", status_code=303
    )


@router.get("/receive", response_class=Response)
def receive_page(
    request: Request, who: OptionalPrincipalDep, res: ResourcesDep, session: SessionDep
) -> Response:
    """Open an offer link (``?credential_offer_uri=…`` or ``?credential_offer=…``): preview."""
    if who is None:
        return _signin_redirect(request)
    if not request.url.query:
        return render(request, "receive.html", who=who, offer=None)
    offer = receiving.open_offer(
        session, who, res.fetcher, str(request.url), choose_language(request)
    )
    return render(request, "receive.html", who=who, offer=offer)


@router.post("/receive", response_class=Response)
def receive_paste(
    request: Request,
    who: OptionalPrincipalDep,
    res: ResourcesDep,
    session: SessionDep,
    offer: str = Form(...),
) -> Response:
    if who is None:
        return _signin_redirect(request)
    opened = receiving.open_offer(session, who, res.fetcher, offer, choose_language(request))
    return render(request, "receive.html", who=who, offer=opened)


@router.post("/receive/{offer_id}/accept", response_class=Response)
def accept_page(
    offer_id: str, request: Request, who: OptionalPrincipalDep, res: ResourcesDep, session: SessionDep,
    tx_code: str = Form(""), sphere: str = Form(""),
) -> Response:  # fmt: skip
    if who is None:
        return _signin_redirect(request)
    views = receiving.accept_offer(
        session, who, res.fetcher, res.verify_context(), offer_id, tx_code=tx_code or None,
        sphere=sphere or None, max_bytes=res.settings.max_credential_bytes,
    )  # fmt: skip
    return RedirectResponse(f"/credentials/{views[0].id}" if views else "/", status_code=303)


@router.post("/receive/{offer_id}/decline", response_class=Response)
def decline_page(
    offer_id: str, request: Request, who: OptionalPrincipalDep, session: SessionDep
) -> Response:
    if who is None:
        return _signin_redirect(request)
    receiving.decline_offer(session, who, offer_id)
    return RedirectResponse("/", status_code=303)


@router.get("/present", response_class=Response)
def present_page(
    request: Request, who: OptionalPrincipalDep, res: ResourcesDep, session: SessionDep
) -> Response:
    """Open a presentation request (``?client_id=…&request_uri=…``): the consent screen."""
    if who is None:
        return _signin_redirect(request)
    if not request.url.query:
        return render(request, "present.html", who=who, pending=None)
    pending = presenting.open_request(session, who, res.fetcher, resolver_of(res), str(request.url))
    return render(request, "present.html", who=who, pending=pending)


@router.post("/present", response_class=Response)
def present_paste(
    request: Request,
    who: OptionalPrincipalDep,
    res: ResourcesDep,
    session: SessionDep,
    link: str = Form(...),
) -> Response:
    if who is None:
        return _signin_redirect(request)
    pending = presenting.open_request(session, who, res.fetcher, resolver_of(res), link)
    return render(request, "present.html", who=who, pending=pending)


@router.post("/present/{request_id}/consent", response_class=Response)
async def consent_page(
    request_id: str,
    request: Request,
    who: OptionalPrincipalDep,
    res: ResourcesDep,
    session: SessionDep,
) -> Response:
    if who is None:
        return _signin_redirect(request)
    form = await request.form()
    pending = presenting.get_request(session, who, request_id)
    selections: dict[str, dict[str, Any]] = {}
    for query in pending["queries"]:
        chosen = form.get(f"credential__{query['id']}")
        if not isinstance(chosen, str) or not chosen:
            continue
        choice: dict[str, Any] = {"credential_id": chosen}
        option = next((o for o in query["options"] if o["credential_id"] == chosen), None)
        if option is not None and option["selective"]:
            picked = [str(v) for v in form.getlist(f"disclose__{query['id']}__{chosen}")]
            choice["disclose"] = [presenting.parse_claim_path(p) for p in picked]
        selections[query["id"]] = choice
    result = presenting.consent(
        session,
        who,
        res.fetcher,
        res.master,
        request_id,
        selections=selections,
        pairwise=form.get("pairwise") == "on",
    )
    return render(request, "presented.html", who=who, result=result)


@router.post("/present/{request_id}/decline", response_class=Response)
def decline_request_page(
    request_id: str, request: Request, who: OptionalPrincipalDep, session: SessionDep
) -> Response:
    if who is None:
        return _signin_redirect(request)
    presenting.decline_request(session, who, request_id)
    return RedirectResponse("/", status_code=303)


@router.get("/history", response_class=Response)
def history_page(request: Request, who: OptionalPrincipalDep, session: SessionDep) -> Response:
    if who is None:
        return _signin_redirect(request)
    return render(request, "history.html", who=who, entries=history.entries(session, who))

"""The wallet's pages: sign up/in, « ma musette » by sphere and as a timeline, a credential
(what it certifies, who issued it, whether it verifies now), receive, consent, history, export
and import, share links. Every form carries a CSRF token; every page exists in fr and en."""

from __future__ import annotations

import base64
from typing import Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import FileResponse, RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from servicekit.pages import local_path as _safe_next
from servicekit.pages import sign_in_redirect as _signin_redirect
from servicekit.ratelimit import account_and_ip, limiter_of
from shared.encoding import passphrase_jwe
from shared.errors import VcError
from shared.ui import STYLESHEET
from shared.ui.problem_text import problem_message
from shared.verify.credential import verify_credential
from shared.verify.report import VerificationReport
from wallet.api.accounts import set_session_cookie
from wallet.api.portability import archive_response
from wallet.deps import (
    SESSION,
    AnonCsrfDep,
    OptionalPrincipalDep,
    Resources,
    ResourcesDep,
    SessionDep,
)
from wallet.disclosure import facts_for
from wallet.i18n import choose_language, translator
from wallet.pages import (
    STANDARD_SPHERES,
    activity_date,
    as_ob3,
    describe,
    explained,
    plain_checks,
    qr_svg,
    render,
    verdict,
)
from wallet.service import (
    accounts,
    credential_status,
    endorsements,
    history,
    identities,
    importing,
    portability,
    receiving,
    sharing,
    storage,
    timeline,
    trust,
)
from wallet.service.accounts import Principal, now

router = APIRouter(tags=["pages"])


def _sphere_choices(session: Session, who: Principal) -> list[str]:
    return storage.spheres(session, who)


def _chosen_sphere(sphere: str, new_sphere: str) -> str | None:
    return new_sphere.strip() or sphere.strip() or None


@router.get("/static/musette.css", include_in_schema=False)
def stylesheet() -> Response:
    """The stylesheet the three services share (shared.ui)."""
    return FileResponse(STYLESHEET, media_type="text/css")


# --------------------------------------------------------------------------- accounts


@router.get("/signin", response_class=Response)
def signin_page(request: Request, next: str = "/") -> Response:
    return render(request, "signin.html", who=None, next=_safe_next(next), error=None)


@router.post("/signin", response_class=Response)
def signin(
    request: Request, _csrf: AnonCsrfDep, res: ResourcesDep, session: SessionDep,
    email: str = Form(...), password: str = Form(...), next: str = Form("/"),
) -> Response:  # fmt: skip
    limiter_of(request).hit(
        "signin", account_and_ip(email, request), res.settings.rate_limit_signin
    )
    try:
        account = accounts.authenticate(session, res.hasher, email, password)
    except VcError:
        _ = translator(choose_language(request))
        error = _("Wrong email address or password.")
        return render(request, "signin.html", who=None, next=next, error=error, email=email,
                      status=401)  # fmt: skip
    token, _token = accounts.open_session(session, account, res.settings.session_hours)
    response = RedirectResponse(_safe_next(next), status_code=303)
    set_session_cookie(response, res, token)
    return response


@router.get("/signup", response_class=Response)
def signup_page(request: Request, next: str = "/") -> Response:
    return render(request, "signup.html", who=None, next=_safe_next(next), error=None)


@router.post("/signup", response_class=Response)
def signup(
    request: Request, _csrf: AnonCsrfDep, res: ResourcesDep, session: SessionDep,
    email: str = Form(...), password: str = Form(...), next: str = Form("/"),
) -> Response:  # fmt: skip
    try:
        account = accounts.create_account(session, res.master, res.hasher, email, password)
    except VcError as err:
        _ = translator(choose_language(request))
        error = {
            "conflict": _("An account with this email address already exists."),
        }.get(err.code) or _("Check the email address; the password needs at least 8 characters.")
        return render(request, "signup.html", who=None, next=_safe_next(next), error=error,
                      email=email, status=err.status)  # fmt: skip
    identities.create_identity(session, accounts.principal_for(res.master, account))
    token, _token = accounts.open_session(session, account, res.settings.session_hours)
    # back to where the link opened (an issuer's offer, a recruiter's request), as after sign-in
    response = RedirectResponse(_safe_next(next), status_code=303)
    set_session_cookie(response, res, token)
    return response


@router.post("/signout", response_class=Response)
def signout(request: Request, who: OptionalPrincipalDep, session: SessionDep) -> Response:
    cookie = SESSION.read(request)
    if who is not None and cookie:
        accounts.close_session(session, cookie)
    response = RedirectResponse("/signin", status_code=303)
    SESSION.clear(response)
    return response


# --------------------------------------------------------------------------- ma musette


@router.get("/", response_class=Response)
def home(
    request: Request,
    who: OptionalPrincipalDep,
    res: ResourcesDep,
    session: SessionDep,
    q: str | None = None,
    sphere: str | None = None,
) -> Response:
    """« Ma musette »: credentials grouped by sphere, and a timeline by activity date."""
    if who is None:
        return _signin_redirect(request)
    lang = choose_language(request)
    # experiences kept before they became credentials are signed now (issue #17)
    endorsements.sign_unsigned(
        session, who, res.verify_context(), max_bytes=res.settings.max_credential_bytes
    )
    views = storage.list_credentials(session, who, query=q, sphere=sphere, with_content=True)
    # each issuer's status list, revalidated now (a 304 when unchanged): revoked shows at once
    statuses = credential_status.check_all(views, res.verify_context())
    cards = []
    for view in views:
        claims = (view.content or {}).get("claims")
        shown = describe(claims, view.format, lang)
        cards.append(
            {
                "id": view.id,
                "title": shown["name"] or view.summary.get("title"),
                "issuer_name": view.summary.get("issuer_name") or shown["issuer_name"],
                "sphere": view.summary.get("sphere", "work"),
                "self_declared": bool(view.summary.get("self_declared")),
                "tags": view.summary.get("tags", []),
                "role": shown["role"],
                "when": activity_date(claims, view.format, view.created_at),
                "trusted": trust.is_trusted(
                    session, view.summary.get("credential_issuer"), view.summary.get("issuer")
                ),
                "status": statuses[view.id],
            }
        )
    order = list(STANDARD_SPHERES)
    groups: dict[str, list[dict[str, Any]]] = {}
    for card in cards:
        groups.setdefault(card["sphere"], []).append(card)
    ordered = sorted(groups.items(), key=lambda kv: (kv[0] not in order, _index(order, kv[0])))
    return render(request, "home.html", who=who, groups=ordered, timeline=timeline_of(views),
                  count=len(cards), q=q or "", sphere=sphere or "")  # fmt: skip


def timeline_of(views: list[storage.CredentialView]) -> timeline.Layout:
    """The periods of ``views`` laid out on one scale (wallet/service/timeline.py)."""
    today = now().date()
    items = [
        timeline.item_of(
            v.id, as_ob3((v.content or {}).get("claims"), v.format), v.summary, v.created_at.date()
        )
        for v in views
    ]
    experience_cred = {
        v.summary["experience_id"]: v.id
        for v in views
        if v.summary.get("self_declared") and v.summary.get("experience_id")
    }
    endorsed = {
        v.id: experience_cred.get(v.summary.get("experience_id") or "", "")
        for v in views
        if v.summary.get("source") == "endorsement"
    }
    timeline.link_endorsements(items, endorsed)
    return timeline.layout(items, today)


def _index(order: list[str], value: str) -> tuple[int, str]:
    return (order.index(value), "") if value in order else (len(order), value)


# --------------------------------------------------------------------------- a credential


def _verify_now(res: Resources, raw: str) -> VerificationReport | None:
    """Verify again, now (signature, dates, status through the wallet's fetcher)."""
    try:
        return verify_credential(raw, res.verify_context())
    except VcError:
        return None


def _status_checked(report: VerificationReport | None) -> str | None:
    """When the issuer's status list was read for this page (None: no status)."""
    check = report.check("status") if report else None
    when = check.details.get("checked_at") if check else None
    return when if isinstance(when, str) else None


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
    lang = choose_language(request)
    view = storage.get_credential(session, who, credential_id)
    content = view.content or {}
    shown = describe(content.get("claims"), view.format, lang)
    report = _verify_now(res, view.raw)
    summary = view.summary
    trusted = trust.is_trusted(session, summary.get("credential_issuer"), summary.get("issuer"))
    baked = None
    if content.get("baked") and content.get("baked_media_type") == "image/png":
        baked = f"data:image/png;base64,{content['baked']}"
    return render(
        request, "credential.html", who=who, view=view, shown=shown, trusted=trusted,
        verdict=verdict(report), checks=plain_checks(report, translator(lang)) if report else [],
        shares=sharing.list_shares(session, who, credential_id), baked=baked,
        spheres=_sphere_choices(session, who), has_image=bool(content.get("baked")),
        saved=request.query_params.get("saved") == "1", status_checked=_status_checked(report),
    )  # fmt: skip


@router.get("/credentials/{credential_id}/image", response_class=Response)
def credential_image(
    credential_id: str, request: Request, who: OptionalPrincipalDep, session: SessionDep
) -> Response:
    """The baked badge image the credential came in (PNG or SVG), as a download."""
    if who is None:
        return _signin_redirect(request)
    view = storage.get_credential(session, who, credential_id)
    content = view.content or {}
    if not content.get("baked"):
        return RedirectResponse(f"/credentials/{credential_id}", status_code=303)
    media = str(content.get("baked_media_type") or "image/png")
    ext = "svg" if "svg" in media else "png"
    return Response(
        base64.b64decode(content["baked"]),
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="{view.id}.{ext}"'},
    )


@router.post("/credentials/{credential_id}/edit", response_class=Response)
def edit_credential(
    credential_id: str, request: Request, who: OptionalPrincipalDep, session: SessionDep,
    sphere: str = Form(""), new_sphere: str = Form(""), tags: str = Form(""),
) -> Response:  # fmt: skip
    if who is None:
        return _signin_redirect(request)
    storage.update_credential(
        session, who, credential_id, sphere=_chosen_sphere(sphere, new_sphere),
        tags=[t.strip() for t in tags.split(",") if t.strip()],
    )  # fmt: skip
    return RedirectResponse(f"/credentials/{credential_id}?saved=1", status_code=303)


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
    view = storage.get_credential(session, who, credential_id)
    _, token = sharing.publish(session, who, credential_id)
    url = f"{res.settings.base_url.rstrip('/')}/s/{token}"
    return render(request, "published.html", who=who, url=url, view=view, qr=qr_svg(url))


@router.post("/shares/{share_id}/unpublish", response_class=Response)
def unpublish_page(
    share_id: str,
    request: Request,
    who: OptionalPrincipalDep,
    session: SessionDep,
    credential_id: str = Form(""),
    back: str = Form(""),
) -> Response:
    if who is None:
        return _signin_redirect(request)
    sharing.unpublish(session, who, share_id)
    target = f"/credentials/{credential_id}" if credential_id else "/history#shares"
    return RedirectResponse(_safe_next(back) if back else target, status_code=303)


# --------------------------------------------------------------------------- receiving


def _receive_form(
    request: Request, who: Principal, session: Session, *, error: str | None = None,
    import_error: str | None = None, status: int = 200, pasted: str = "",
) -> Response:  # fmt: skip
    return render(request, "receive.html", who=who, offer=None, error=error, status=status,
                  import_error=import_error, pasted=pasted,
                  spheres=_sphere_choices(session, who))  # fmt: skip


def _open_offer(
    request: Request, who: Principal, res: Resources, session: Session, link: str
) -> Response:
    try:
        offer = receiving.open_offer(session, who, res.fetcher, link, choose_language(request))
    except VcError as err:
        _ = translator(choose_language(request))
        error = explained(request, _("This offer could not be opened."), err)
        return _receive_form(request, who, session, error=error,
                             status=err.status, pasted=link)  # fmt: skip
    return render(request, "receive.html", who=who, offer=offer, error=None,
                  spheres=_sphere_choices(session, who))  # fmt: skip


@router.get("/receive", response_class=Response)
def receive_page(
    request: Request, who: OptionalPrincipalDep, res: ResourcesDep, session: SessionDep
) -> Response:
    """Open an offer link (``?credential_offer_uri=…`` or ``?credential_offer=…``): preview."""
    if who is None:
        return _signin_redirect(request)
    params = request.query_params
    if "credential_offer_uri" not in params and "credential_offer" not in params:
        return _receive_form(request, who, session)
    return _open_offer(request, who, res, session, str(request.url))


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
    return _open_offer(request, who, res, session, offer)


@router.post("/receive/{offer_id}/accept", response_class=Response)
def accept_page(
    offer_id: str, request: Request, who: OptionalPrincipalDep, res: ResourcesDep, session: SessionDep,
    tx_code: str = Form(""), sphere: str = Form(""), new_sphere: str = Form(""),
) -> Response:  # fmt: skip
    if who is None:
        return _signin_redirect(request)
    try:
        accepted = receiving.accept_offer(
            session, who, res.fetcher, res.verify_context(), offer_id, tx_code=tx_code.strip() or None,
            sphere=_chosen_sphere(sphere, new_sphere), max_bytes=res.settings.max_credential_bytes,
        )  # fmt: skip
    except VcError as err:
        offer = receiving.get_offer(session, who, offer_id)  # still pending: try again
        _ = translator(choose_language(request))
        error = _("The issuer did not give the credential. Check the code and try again.")
        return render(request, "receive.html", who=who, offer=offer, status=err.status,
                      error=explained(request, error, err), spheres=_sphere_choices(session, who))  # fmt: skip
    if accepted.failed:  # some arrived, some did not: say which, and why
        lang = choose_language(request)
        failed = [
            {"name": f.name, "why": problem_message(f.code, lang), "detail": f.detail}
            for f in accepted.failed
        ]
        return render(request, "received.html", who=who, stored=accepted.stored, failed=failed)
    views = accepted.stored
    target = f"/credentials/{views[0].id}?received=1" if views else "/"
    return RedirectResponse(target, status_code=303)


@router.post("/receive/{offer_id}/decline", response_class=Response)
def decline_page(
    offer_id: str, request: Request, who: OptionalPrincipalDep, session: SessionDep
) -> Response:
    if who is None:
        return _signin_redirect(request)
    receiving.decline_offer(session, who, offer_id)
    return RedirectResponse("/", status_code=303)


@router.post("/import", response_class=Response)
async def import_page(
    request: Request, who: OptionalPrincipalDep, res: ResourcesDep, session: SessionDep,
    file: UploadFile = File(...), sphere: str = Form(""), new_sphere: str = Form(""),  # noqa: B008
) -> Response:  # fmt: skip
    """Import a file: JSON, JWT, SD-JWT, or a baked PNG/SVG badge (verified before keeping)."""
    if who is None:
        return _signin_redirect(request)
    data = await file.read(res.settings.max_credential_bytes + 1)
    try:  # verifying fetches DID documents and status lists: off the event loop
        view = await run_in_threadpool(
            importing.import_credential, session, who, data, res.verify_context(),
            max_bytes=res.settings.max_credential_bytes, sphere=_chosen_sphere(sphere, new_sphere),
        )  # fmt: skip
    except VcError as err:
        _ = translator(choose_language(request))
        error = _("This file was not kept: it is not a credential that verifies.")
        return _receive_form(request, who, session, import_error=explained(request, error, err),
                             status=err.status)  # fmt: skip
    return RedirectResponse(f"/credentials/{view.id}?received=1", status_code=303)


# --------------------------------------------------------------------------- history & data


def _history_page(
    request: Request, who: Principal, session: Session, *, imported: dict[str, Any] | None = None,
    import_error: str | None = None, export_error: str | None = None, status: int = 200,
) -> Response:  # fmt: skip
    titles = {v.id: v.summary.get("title") for v in storage.list_credentials(session, who)}
    shares = [
        {"id": s.id, "credential_id": s.credential_id, "created_at": s.created_at,
         "title": titles.get(s.credential_id)}
        for s in sharing.list_shares(session, who)
    ]  # fmt: skip
    return render(request, "history.html", who=who, entries=history.entries(session, who),
                  shares=shares, imported=imported, import_error=import_error,
                  export_error=export_error, min_passphrase=passphrase_jwe.MIN_PASSPHRASE_CHARS,
                  status=status, facts_of=facts_for(request))  # fmt: skip


@router.get("/history", response_class=Response)
def history_page(request: Request, who: OptionalPrincipalDep, session: SessionDep) -> Response:
    """Who was shown what, and when; share links; export and import."""
    if who is None:
        return _signin_redirect(request)
    return _history_page(request, who, session)


@router.post("/archive/export", response_class=Response)
def export_archive_page(
    request: Request, who: OptionalPrincipalDep, session: SessionDep,
    passphrase: str = Form(""), passphrase_confirm: str = Form(""),
) -> Response:  # fmt: skip
    """Download the archive; with a passphrase (typed twice), locked in a standard JWE."""
    if who is None:
        return _signin_redirect(request)
    _ = translator(choose_language(request))
    if not passphrase and not passphrase_confirm:
        return archive_response(portability.export_archive(session, who), encrypted=False)
    if passphrase != passphrase_confirm:
        return _history_page(request, who, session, status=400,
                             export_error=_(portability.CONFIRMATION_MISMATCH_MESSAGE))  # fmt: skip
    try:
        data = portability.export_archive(session, who, passphrase=passphrase)
    except VcError as err:
        return _history_page(request, who, session, status=err.status,
                             export_error=_(portability.message_for(err.code)))  # fmt: skip
    return archive_response(data, encrypted=True)


@router.post("/archive/import", response_class=Response)
async def import_archive_page(
    request: Request, who: OptionalPrincipalDep, res: ResourcesDep, session: SessionDep,
    file: UploadFile = File(...),  # noqa: B008
    passphrase: str = Form(""),
) -> Response:  # fmt: skip
    if who is None:
        return _signin_redirect(request)
    data = await file.read(portability.MAX_UPLOAD_BYTES + 1)
    try:
        imported = await run_in_threadpool(  # verifies every credential: off the event loop
            portability.import_archive, session, who, data, res.verify_context(),
            max_credential_bytes=res.settings.max_credential_bytes, passphrase=passphrase,
        )  # fmt: skip
    except VcError as err:
        _ = translator(choose_language(request))
        error = _(portability.message_for(err.code))
        return _history_page(request, who, session, import_error=error,
                             status=err.status)  # fmt: skip
    return _history_page(request, who, session, imported=imported)

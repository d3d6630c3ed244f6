"""The wallet's pages: sign up/in, « ma musette » by sphere and as a timeline, a credential
(what it certifies, who issued it, whether it verifies now), receive, consent, history, export
and import, share links. Every form carries a CSRF token; every page exists in fr and en."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from servicekit.pages import local_path as _safe_next
from servicekit.ratelimit import account_and_ip, limiter_of
from shared.errors import VcError
from shared.ui import STYLESHEET
from wallet.api.accounts import set_session_cookie
from wallet.api.key_pages import recovery_kit_page
from wallet.deps import (
    SESSION,
    AnonCsrfDep,
    OptionalPrincipalDep,
    ResourcesDep,
    SessionDep,
    SignedInPage,
)
from wallet.i18n import choose_language, translator
from wallet.page_describe import activity_date, as_ob3, describe
from wallet.pages import STANDARD_SPHERES, render
from wallet.service import (
    accounts,
    credential_status,
    endorsements,
    identities,
    local_wallet,
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
def signin_page(
    request: Request, res: ResourcesDep, session: SessionDep, next: str = "/"
) -> Response:
    if res.settings.local and not local_wallet.has_account(session):  # its first start
        return RedirectResponse(f"/signup?next={quote(_safe_next(next), safe='')}", status_code=303)
    closed = not local_wallet.signup_open(session, res.settings)
    return render(
        request, "signin.html", who=None, next=_safe_next(next), error=None, signup_closed=closed
    )


@router.post("/signin", response_class=Response)
def signin(
    request: Request,
    _csrf: AnonCsrfDep,
    res: ResourcesDep,
    session: SessionDep,
    email: str = Form(...),
    password: str = Form(...),
    next: str = Form("/"),
) -> Response:
    limiter_of(request).hit(
        "signin", account_and_ip(email, request), res.settings.rate_limit_signin
    )
    try:
        who = accounts.authenticate(session, res.master, res.hasher, email, password)
    except VcError:
        _ = translator(choose_language(request))
        error = _("Wrong email address or password.")
        return render(
            request,
            "signin.html",
            who=None,
            next=next,
            error=error,
            email=email,
            signup_closed=res.settings.local,
            status=401,
        )
    token, _token = accounts.open_session(session, who, res.settings.session_hours)
    target = _safe_next(next)
    if target == "/" and not accounts.has_recovery_kit(session, who):
        target = "/account/keys"  # an account made before person-held keys: make its kit
    response = RedirectResponse(target, status_code=303)
    set_session_cookie(response, res, token)
    return response


@router.get("/signup", response_class=Response)
def signup_page(
    request: Request, res: ResourcesDep, session: SessionDep, next: str = "/"
) -> Response:
    if not local_wallet.signup_open(session, res.settings):  # a local wallet has its account
        return RedirectResponse(f"/signin?next={quote(_safe_next(next), safe='')}", status_code=303)
    return render(request, "signup.html", who=None, next=_safe_next(next), error=None)


@router.post("/signup", response_class=Response)
def signup(
    request: Request,
    _csrf: AnonCsrfDep,
    res: ResourcesDep,
    session: SessionDep,
    email: str = Form(...),
    password: str = Form(...),
    next: str = Form("/"),
) -> Response:
    try:
        local_wallet.refuse_second_account(session, res.settings)
        made = accounts.create_account(session, res.hasher, email, password)
    except VcError as err:
        _ = translator(choose_language(request))
        error = {
            "conflict": _("An account with this email address already exists."),
            "local-account-exists": _("This wallet already has its account: sign in."),
        }.get(err.code) or _("Check the email address; the password needs at least 8 characters.")
        return render(
            request,
            "signup.html",
            who=None,
            next=_safe_next(next),
            error=error,
            email=email,
            status=err.status,
        )
    identities.create_identity(session, made.who)
    token, csrf = accounts.open_session(session, made.who, res.settings.session_hours)
    # the recovery kit, shown once; then back to where the link opened (an offer, a request)
    return recovery_kit_page(request, res, made, token, csrf, _safe_next(next))


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
    who: SignedInPage,
    res: ResourcesDep,
    session: SessionDep,
    q: str | None = None,
    sphere: str | None = None,
) -> Response:
    """« Ma musette »: credentials grouped by sphere, and a timeline by activity date."""
    lang = choose_language(request)
    # experiences kept before they became credentials are signed now
    # (docs/decisions/timeline-spheres.md)
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
    return render(
        request,
        "home.html",
        who=who,
        groups=ordered,
        timeline=timeline_of(views),
        count=len(cards),
        q=q or "",
        sphere=sphere or "",
    )


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

"""The issuer console: sign in, the organisation, achievements, issuing, issued credentials.

Server-rendered pages (issuer/templates) in French and English. Every form posts back with
the session's CSRF token; every query is scoped to the signed-in admin's organisation, so
another organisation's achievement, offer or credential is simply "not found".
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, RedirectResponse, Response

from issuer.api.auth import SESSION
from issuer.deps import ResourcesDep, SessionDep
from issuer.pages import (
    CSRF_MESSAGE,
    AnonCsrfDep,
    FormDep,
    PageError,
    render,
)
from issuer.service.orgs import (
    check_password,
    close_session,
    get_org,
    open_session,
    password_hasher,
    principal_for_session,
)
from issuer.service.uploads import load_image
from servicekit.csrf import CSRF_FIELD, same_token
from servicekit.pages import local_path
from servicekit.ratelimit import account_and_ip, limiter_of
from shared.errors import NotFoundError, UnauthorizedError
from shared.ui import STYLESHEET

router = APIRouter(tags=["console"], include_in_schema=False)
STATIC = {
    "musette.css": STYLESHEET,
    "issuer.css": STYLESHEET.parents[2] / "issuer" / "static" / "issuer.css",
}
#: flash messages after a redirect (?done=...), msgids
DONE = {
    "created": "The badge has been created.",
    "issued": "The offer is ready: give the QR code or the link to the person.",
    "saved": "The changes have been saved.",
    "email": "The email has been written to the outbox.",
    "email-sent": "The email has been sent.",
    "revoke": "The credential has been revoked.",
    "suspend": "The credential has been suspended.",
    "unsuspend": "The credential is active again.",
}


def _flash(request: Request) -> str | None:
    return DONE.get(request.query_params.get("done", ""))


@router.get("/", response_class=Response)
def index() -> Response:
    return RedirectResponse("/console", status_code=303)


@router.get("/static/{name}", response_class=Response)
def static(name: str) -> Response:
    path = STATIC.get(name)
    if path is None or not path.is_file():
        raise NotFoundError(f"no static file {name}")
    return FileResponse(path, media_type="text/css", headers={"Cache-Control": "max-age=3600"})


@router.get("/orgs/{slug}/images/{name}", response_class=Response)
def achievement_image(slug: str, name: str, session: SessionDep, res: ResourcesDep) -> Response:
    """An uploaded achievement image (public: it is the image of the issued badges)."""
    get_org(session, slug)
    data, media = load_image(res.settings.data_dir, slug, name)
    return Response(
        data,
        media_type=media,
        headers={
            "Cache-Control": "public, max-age=31536000, immutable",
            "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; sandbox",
            "X-Content-Type-Options": "nosniff",
        },
    )


# --------------------------------------------------------------------------- sign in / out


def _safe_next(target: str) -> str:
    return local_path(target, "/console")


@router.get("/signin", response_class=Response)
def signin_page(request: Request, next: str = "/console") -> Response:
    return render(request, "signin.html", next=_safe_next(next), error=None, email="")


@router.post("/signin", response_class=Response)
def signin(
    request: Request, _csrf: AnonCsrfDep, form: FormDep, session: SessionDep, res: ResourcesDep
) -> Response:
    s = res.settings
    email = str(form.get("email") or "").strip()
    password = str(form.get("password") or "")
    limiter_of(request).hit("signin", account_and_ip(email, request), s.rate_limit_signin)
    target = _safe_next(str(form.get("next") or "/console"))
    try:
        user = check_password(
            session, email, password, password_hasher(s.argon2_time_cost, s.argon2_memory_kib)
        )
    except UnauthorizedError:
        return render(
            request,
            "signin.html",
            status=401,
            next=target,
            email=email,
            error="Wrong email or password.",
        )
    token, _ = open_session(session, user, res.clock(), s.session_hours)
    response = RedirectResponse(target, status_code=303)
    SESSION.open(response, token, s)
    return response


@router.post("/signout", response_class=Response)
def signout(request: Request, form: FormDep, session: SessionDep, res: ResourcesDep) -> Response:
    token = SESSION.read(request)
    if token:
        try:
            principal = principal_for_session(session, token, res.clock())
        except UnauthorizedError:
            principal = None
        if principal is not None:
            if not same_token(form.get(CSRF_FIELD), principal.csrf_token):
                raise PageError(403, CSRF_MESSAGE)
            close_session(session, token)
    response = RedirectResponse("/signin?done=signout", status_code=303)
    SESSION.clear(response)
    return response

"""The issuer console's rendering and page sessions (Jinja2, French and English).

Pages use the same admin session cookie as ``POST /admin/login``. Forms carry the
session's CSRF token in a hidden ``csrf_token`` field; the sign-in form, which has no
session yet, uses a double-submit cookie. A page that needs a session redirects to
``/signin`` instead of answering problem+json.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment
from starlette.datastructures import FormData

from issuer.api.auth import SESSION
from issuer.db.models import Organisation
from issuer.deps import ResourcesDep, SessionDep
from issuer.i18n import CATALOGUES, choose_language
from issuer.service.orgs import Principal, org_base_url, principal_for_session
from servicekit.csrf import CSRF_FIELD, FORM_TYPES, SAFE_METHODS, AnonymousCsrf, same_token
from servicekit.pages import (
    SignInRequiredError,
    install_sign_in_redirect,
    language_url,
    other_language,
    remember_language,
)
from shared.errors import UnauthorizedError, VcError
from shared.i18n import local_date, local_datetime, local_number
from shared.ui.problem_text import problem_message, problem_title

TEMPLATES = Path(__file__).parent / "templates"
ANON_CSRF_COOKIE = "musette_issuer_csrf"
ANON_CSRF = AnonymousCsrf(ANON_CSRF_COOKIE)
CSRF_MESSAGE = (
    "This form has expired or did not come from this site. Reload the page and try again."
)


def _to_datetime(value: str | datetime) -> datetime:
    """ISO 8601 text (as stored in JSON columns) → datetime."""
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


def _configure(env: Environment) -> None:
    env.filters["todate"] = _to_datetime


_PAGES = CATALOGUES.templates(TEMPLATES, configure=_configure)


@dataclass(frozen=True)
class Console:
    """The signed-in admin of a page: their organisation and the session's CSRF token."""

    org: Organisation
    principal: Principal
    org_base: str

    @property
    def csrf(self) -> str:
        return self.principal.csrf_token or ""

    @property
    def actor(self) -> str:
        return self.principal.actor


class PageError(Exception):
    """A page that cannot be shown: rendered as an HTML error page in the reader's language."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        #: an English msgid, translated when rendered
        self.message = message


async def get_form(request: Request) -> AsyncIterator[FormData]:
    """The submitted form (parsed once), or an empty one; uploaded files closed afterwards."""
    kind = request.headers.get("content-type", "")
    if request.method in SAFE_METHODS or not kind.startswith(FORM_TYPES):
        yield FormData()
        return
    form = await request.form()
    try:
        yield form
    finally:
        await form.close()


FormDep = Annotated[FormData, Depends(get_form)]


def get_console(request: Request, form: FormDep, session: SessionDep, res: ResourcesDep) -> Console:
    """The page's admin, from the session cookie; form posts must carry its CSRF token."""
    # a form post cannot be replayed by the GET that follows signing in: back to the console
    after = None if request.method in SAFE_METHODS else "/console"
    cookie = SESSION.read(request)
    if not cookie:
        raise SignInRequiredError(after)
    try:
        principal = principal_for_session(session, cookie, res.clock())
    except UnauthorizedError as err:
        raise SignInRequiredError(after) from err
    if request.method not in SAFE_METHODS and not same_token(
        form.get(CSRF_FIELD), principal.csrf_token
    ):
        raise PageError(403, CSRF_MESSAGE)
    org = session.get(Organisation, principal.org_id)
    if org is None:
        raise SignInRequiredError(after)
    return Console(org, principal, org_base_url(res.settings.base_url, org.slug))


ConsoleDep = Annotated[Console, Depends(get_console)]


def check_anonymous_csrf(request: Request, form: FormDep) -> None:
    """Sign-in form: the hidden field must match the double-submit cookie."""
    if not ANON_CSRF.matches(request, form.get(CSRF_FIELD)):
        raise PageError(403, CSRF_MESSAGE)


AnonCsrfDep = Annotated[None, Depends(check_anonymous_csrf)]


def _formatters(lang: str) -> dict[str, Any]:
    def fmt_date(value: date | datetime | None) -> str:
        return local_date(value, lang) if value is not None else ""

    def fmt_datetime(value: datetime | None) -> str:
        return local_datetime(value, lang) if value is not None else ""

    def fmt_number(value: float | Decimal | str | None) -> str:
        if value is None or value == "":
            return ""
        return local_number(Decimal(str(value)), lang)  # type: ignore[arg-type]

    return {"fmt_date": fmt_date, "fmt_datetime": fmt_datetime, "fmt_number": fmt_number}


def render(
    request: Request,
    template: str,
    *,
    status: int = 200,
    console: Console | None = None,
    here: str | None = None,
    **context: Any,
) -> Response:
    lang = choose_language(request)
    anon_csrf = ANON_CSRF.token(request)
    html = _PAGES.get_template(template, lang).render(
        lang=lang,
        other_lang=other_language(lang),
        lang_url=lambda code: language_url(request, code, here),
        request=request,
        console=console,
        csrf=console.csrf if console else anon_csrf,
        **_formatters(lang),
        **context,
    )
    response = HTMLResponse(html, status_code=status)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Frame-Options"] = "DENY"
    remember_language(request, response, lang)
    ANON_CSRF.keep(request, response, anon_csrf)
    return response


def install_page_handlers(app: FastAPI) -> None:
    """Sign-in redirects and HTML error pages for the console's routes."""

    install_sign_in_redirect(app)

    @app.exception_handler(PageError)
    async def _page_error(request: Request, exc: PageError) -> Response:
        return render(request, "error.html", status=exc.status, message=exc.message)


def render_problem(request: Request, exc: VcError) -> Response:
    """A browser's page for a problem: its title and message in the reader's language (the
    English ``detail`` stays in the problem+json API clients get)."""
    lang = choose_language(request)
    return render(
        request,
        "error.html",
        status=exc.status,
        heading=problem_title(exc.code, lang),
        message=problem_message(exc.code, lang),
    )

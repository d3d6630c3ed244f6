"""What every service's pages do the same way around their templates: the reader's language
remembered, the link to the other language, the sign-in redirect and where it may lead back.

Rendering itself stays with each service (its templates, its filters, its page frame) on
``servicekit.i18n.PageTemplates``.
"""

from __future__ import annotations

from urllib.parse import quote, urlencode, urlsplit

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response

from servicekit.i18n import LANG_COOKIE, LANGUAGES

__all__ = [
    "LANG_COOKIE_SECONDS",
    "SignInRequiredError",
    "install_sign_in_redirect",
    "language_url",
    "local_path",
    "other_language",
    "remember_language",
    "sign_in_redirect",
]

#: a ``?lang=`` choice is kept a year
LANG_COOKIE_SECONDS = 365 * 86400


def other_language(lang: str) -> str:
    return "en" if lang == "fr" else "fr"


def language_url(request: Request, lang: str, here: str | None = None) -> str:
    """This page (or ``here``, for a page a form post rendered) in ``lang``, its query kept."""
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    params.append(("lang", lang))
    return f"{here or request.url.path}?{urlencode(params)}"


def remember_language(request: Request, response: Response, lang: str) -> None:
    """Keep a ``?lang=`` choice in a cookie, so the next pages come in the same language."""
    if request.query_params.get("lang") == lang and lang in LANGUAGES:
        response.set_cookie(LANG_COOKIE, lang, max_age=LANG_COOKIE_SECONDS, samesite="lax")


def local_path(target: str | None, default: str = "/") -> str:
    """``target`` when it is a path on this site, else ``default`` (no open redirect).

    Refused: anything with a scheme or a host, a protocol-relative ``//host``, a backslash
    (browsers read ``/\\host`` as ``//host``), control characters (a browser drops a tab or
    a newline, which can turn ``/\\t/host`` into ``//host``).
    """
    if not target or not target.startswith("/") or target.startswith("//"):
        return default
    if "\\" in target or any(ord(c) < 0x20 or ord(c) == 0x7F for c in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target


def sign_in_redirect(request: Request, after: str | None = None) -> RedirectResponse:
    """To ``/signin``, then back to this page (or ``after``, for a form that cannot be
    replayed by a GET)."""
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    query = urlencode({"next": after or here}, quote_via=quote)  # "/" as %2F, " " as %20
    return RedirectResponse(f"/signin?{query}", status_code=303)


class SignInRequiredError(Exception):
    """Raised by a page's dependency when nobody is signed in; ``install_sign_in_redirect``
    answers it with ``sign_in_redirect`` (a dependency cannot return a response)."""

    def __init__(self, after: str | None = None) -> None:
        super().__init__("sign in first")
        #: where to come back to instead of this page (see ``sign_in_redirect``)
        self.after = after


def install_sign_in_redirect(app: FastAPI) -> None:
    """Answer ``SignInRequiredError`` with the redirect to ``/signin`` and back."""

    @app.exception_handler(SignInRequiredError)
    async def _sign_in(request: Request, exc: SignInRequiredError) -> Response:
        return sign_in_redirect(request, exc.after)

"""Cross-site request forgery: one token per session, compared in constant time.

A signed-in browser's state-changing request (a method other than GET, HEAD, OPTIONS) must
echo its session's token, in the ``X-CSRF-Token`` header (scripts) or the ``csrf_token`` form
field (pages): a page on another site can make the browser send the cookie, never read the
token. Before a session exists (sign-in and sign-up forms), the token is a double-submit
cookie (OWASP CSRF Prevention Cheat Sheet, "Signed double-submit cookie" family): the form
copies the cookie's value, which another site cannot read. API keys are not sent by browsers
on their own, so requests carrying one need no token.
"""

from __future__ import annotations

import hmac
import secrets

from fastapi import Request
from fastapi.responses import Response
from starlette.datastructures import FormData

__all__ = [
    "CSRF_FIELD",
    "CSRF_HEADER",
    "FORM_TYPES",
    "SAFE_METHODS",
    "AnonymousCsrf",
    "changes_state",
    "form_token",
    "new_csrf_token",
    "same_token",
    "supplied_token",
]

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
#: the methods that change nothing (RFC 9110 §9.2.1), so need no token
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
#: the bodies an HTML form can send cross-site without a CORS preflight
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def new_csrf_token() -> str:
    """A fresh token (256 bits)."""
    return secrets.token_urlsafe(32)


def changes_state(request: Request) -> bool:
    """Whether ``request`` must carry a token (its method is not a safe one)."""
    return request.method not in SAFE_METHODS


def same_token(sent: object, expected: object) -> bool:
    """``sent`` is the non-empty ``expected`` token (constant time: no timing oracle)."""
    return (
        isinstance(sent, str)
        and isinstance(expected, str)
        and bool(sent)
        and bool(expected)
        and hmac.compare_digest(sent.encode(), expected.encode())
    )


def form_token(form: FormData) -> str:
    value = form.get(CSRF_FIELD)
    return value if isinstance(value, str) else ""


async def supplied_token(request: Request) -> str:
    """The token ``request`` carries: its ``X-CSRF-Token`` header, else its form field."""
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    if request.headers.get("content-type", "").startswith(FORM_TYPES):
        # Starlette keeps the parsed form for the route's own Form() parameters
        return form_token(await request.form())
    return ""


class AnonymousCsrf:
    """The double-submit cookie of forms shown before a session exists (sign-in, sign-up)."""

    def __init__(self, cookie: str) -> None:
        self.cookie = cookie

    def token(self, request: Request) -> str:
        """The browser's token, or a new one to put in the form and the cookie."""
        return request.cookies.get(self.cookie) or new_csrf_token()

    def keep(self, request: Request, response: Response, token: str) -> None:
        """Set the cookie on ``response`` unless the browser has it already."""
        if request.cookies.get(self.cookie) != token:
            response.set_cookie(self.cookie, token, httponly=True, samesite="lax")

    def matches(self, request: Request, sent: object) -> bool:
        """``sent`` (the form's field) is the browser's cookie."""
        return same_token(sent, request.cookies.get(self.cookie))

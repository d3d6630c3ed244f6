"""The HTTP side of signing in, the same in every service: the session cookie and API keys.

A caller is signed in by a session cookie (browsers; state changes then need the session's
CSRF token, see ``servicekit.csrf``) or by ``Authorization: Bearer <API key>`` (scripts; no
CSRF token, browsers never send it on their own). What a session or a key points to is each
service's own (an organisation's admin, a wallet account with its sealed data key, a
verifier account); the names are one: a service looks a caller up with
``<thing>_for_session`` and ``<thing>_for_api_key``, and its dependencies are
``get_principal`` (signed in, else 401) and ``get_optional_principal``.
"""

from __future__ import annotations

from typing import Literal, TypeVar

from fastapi import Request
from fastapi.responses import Response

from servicekit.settings import BaseServiceSettings
from shared.errors import UnauthorizedError

__all__ = ["SessionCookie", "bearer_token", "signed_in"]

P = TypeVar("P")


def bearer_token(request: Request) -> str | None:
    """The credentials of an ``Authorization: Bearer`` header (RFC 6750 §2.1), or None when
    the request has no such header. An empty token is returned as ``""`` (and refused by the
    lookup), never taken for "no API key"."""
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" else None


def signed_in(who: P | None, *, key_name: str = "an API key") -> P:
    """``who``, or 401 saying the two ways in."""
    if who is None:
        raise UnauthorizedError(f"sign in, or send {key_name} as 'Authorization: Bearer …'")
    return who


class SessionCookie:
    """A service's session cookie: ``musette_<service>_session``, HttpOnly, ``Secure`` outside
    development mode, living as long as the session (``session_hours``)."""

    def __init__(self, service: str, *, samesite: Literal["lax", "strict"] = "lax") -> None:
        self.name = f"musette_{service}_session"
        #: "strict" where no page is reached by a link from another site while signed in
        self.samesite: Literal["lax", "strict"] = samesite

    def read(self, request: Request) -> str | None:
        return request.cookies.get(self.name) or None

    def open(self, response: Response, token: str, settings: BaseServiceSettings) -> None:
        response.set_cookie(
            self.name,
            token,
            max_age=settings.session_hours * 3600,
            httponly=True,
            samesite=self.samesite,
            secure=settings.secure_cookies,
            path="/",
        )

    def clear(self, response: Response) -> None:
        response.delete_cookie(self.name, path="/")

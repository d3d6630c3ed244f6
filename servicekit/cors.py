"""CORS on the public protocol endpoints only, so a browser-based wallet can use them.

Starlette's ``CORSMiddleware`` answers for every path it wraps; ``PublicCors`` sends it only
the requests whose path matches one of the service's public patterns (OpenID4VCI metadata,
token, nonce, credential, offers, status lists, DID documents; OpenID4VP request objects and
response endpoints). Everything else (admin API, consoles, holder pages) passes by untouched:
no ``Access-Control-*`` header, so a browser keeps other origins out as before.

Any origin may call the public endpoints, never with credentials (Fetch standard, CORS
protocol: ``Access-Control-Allow-Origin: *`` without ``Access-Control-Allow-Credentials``),
so a browser sends no cookie cross-origin and reads no answer to a request that carried one.
Bearer tokens are sent in the ``Authorization`` header, which is allowed explicitly.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

__all__ = ["ALLOWED_HEADERS", "EXPOSED_HEADERS", "PublicCors"]

#: request headers a wallet sends to protocol endpoints (RFC 6750 Authorization, RFC 9449
#: DPoP, conditional GETs of status lists)
ALLOWED_HEADERS: Final = (
    "Accept",
    "Accept-Language",
    "Authorization",
    "Content-Type",
    "DPoP",
    "If-None-Match",
)
#: response headers a browser-based wallet may read besides the CORS-safelisted ones
EXPOSED_HEADERS: Final = ("DPoP-Nonce", "ETag", "Retry-After", "WWW-Authenticate")
#: how long a browser may cache a preflight answer (seconds)
PREFLIGHT_MAX_AGE: Final = 600


class PublicCors:
    """ASGI middleware: CORS (any origin, no credentials) on the paths matching ``patterns``
    (regular expressions matched against the whole path), nothing elsewhere."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        patterns: Sequence[str],
        methods: Sequence[str] = ("GET", "POST"),
    ) -> None:
        if not patterns:
            raise ValueError("PublicCors needs at least one path pattern")
        self.app = app
        self._public = re.compile("|".join(f"(?:{p})" for p in patterns))
        self._cors = CORSMiddleware(
            app,
            allow_origins=["*"],
            allow_credentials=False,
            allow_methods=list(methods),
            allow_headers=list(ALLOWED_HEADERS),
            expose_headers=list(EXPOSED_HEADERS),
            max_age=PREFLIGHT_MAX_AGE,
        )

    def is_public(self, path: str) -> bool:
        return self._public.fullmatch(path) is not None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and self.is_public(scope["path"]):
            await self._cors(scope, receive, send)
        else:
            await self.app(scope, receive, send)

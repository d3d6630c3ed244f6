"""The issuer's own errors on top of ``servicekit.problems``: OAuth-format errors for the
OpenID4VCI endpoints, and its error page.

The HTTP-level errors (401, 403, 409, 413) come from ``shared.errors``.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from servicekit import problems
from shared.errors import (
    ConflictError,
    ForbiddenError,
    PayloadTooLargeError,
    UnauthorizedError,
    VcError,
)
from shared.protocols.oid4vci import Oid4vciError, oauth_error_body

__all__ = [
    "ConflictError",
    "ForbiddenError",
    "PayloadTooLargeError",
    "UnauthorizedError",
    "install_problem_handlers",
    "oauth_response",
]


def oauth_response(exc: Oid4vciError) -> JSONResponse:
    headers = {"Cache-Control": "no-store"}
    if exc.http_status == 401:
        headers["WWW-Authenticate"] = f'Bearer error="{exc.error}"'
    return JSONResponse(oauth_error_body(exc), status_code=exc.http_status, headers=headers)


def _error_page(request: Request, exc: VcError) -> Response:
    from issuer.pages import render_problem  # the pages import this module

    return render_problem(request, exc)


def install_problem_handlers(app: FastAPI, *, type_base: str) -> None:
    problems.install_problem_handlers(app, type_base=type_base, error_page=_error_page)

    @app.exception_handler(Oid4vciError)
    async def _oauth(request: Request, exc: Oid4vciError) -> JSONResponse:
        return oauth_response(exc)

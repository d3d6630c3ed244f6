"""RFC 9457 problem+json for domain errors, OAuth-format errors for the OpenID4VCI endpoints.

The HTTP-level errors (401, 403, 409, 413) come from ``shared.errors``.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.errors import (
    ConflictError,
    ForbiddenError,
    GoneError,
    InvalidInputError,
    NotFoundError,
    PayloadTooLargeError,
    UnauthorizedError,
    VcError,
)

__all__ = [
    "ConflictError",
    "ForbiddenError",
    "PayloadTooLargeError",
    "UnauthorizedError",
    "install_problem_handlers",
    "oauth_response",
    "problem_response",
]
from shared.protocols.oid4vci import Oid4vciError, oauth_error_body


def problem_response(exc: VcError, *, type_base: str, instance: str) -> JSONResponse:
    body: dict[str, Any] = {
        "type": f"{type_base}#{exc.code}",
        "title": exc.title,
        "status": exc.status,
        "detail": exc.detail,
        "instance": instance,
        **exc.extensions,
    }
    headers = {"WWW-Authenticate": 'Bearer realm="musette-issuer"'} if exc.status == 401 else None
    return JSONResponse(
        body, status_code=exc.status, media_type="application/problem+json", headers=headers
    )


def oauth_response(exc: Oid4vciError) -> JSONResponse:
    headers = {"Cache-Control": "no-store"}
    if exc.http_status == 401:
        headers["WWW-Authenticate"] = f'Bearer error="{exc.error}"'
    return JSONResponse(oauth_error_body(exc), status_code=exc.http_status, headers=headers)


def wants_html(request: Request) -> bool:
    """A browser navigating (``Accept: text/html``) gets a page; API clients get problem+json."""
    return "text/html" in request.headers.get("accept", "")


def _answer(request: Request, exc: VcError, type_base: str) -> Response:
    if wants_html(request):
        from issuer.pages import render_problem  # pages import this module

        return render_problem(request, exc)
    return problem_response(exc, type_base=type_base, instance=request.url.path)


def install_problem_handlers(app: FastAPI, *, type_base: str) -> None:
    @app.exception_handler(Oid4vciError)
    async def _oauth(request: Request, exc: Oid4vciError) -> JSONResponse:
        return oauth_response(exc)

    @app.exception_handler(VcError)
    async def _problem(request: Request, exc: VcError) -> Response:
        return _answer(request, exc, type_base)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        errors = [{k: v for k, v in e.items() if k in {"loc", "msg", "type"}} for e in exc.errors()]
        err = InvalidInputError("the request does not match the expected shape", errors=errors)
        return _answer(request, err, type_base)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        # unknown paths and methods: the same problem+json (or page) as every other error
        err: VcError = {404: NotFoundError, 410: GoneError}.get(exc.status_code, InvalidInputError)(
            f"{exc.detail}: {request.method} {request.url.path}"
        )
        if wants_html(request):
            return _answer(request, err, type_base)
        response = problem_response(err, type_base=type_base, instance=request.url.path)
        if exc.status_code != err.status:  # 405 stays 405, with its Allow header
            body = {**json.loads(bytes(response.body)), "status": exc.status_code}
            response = JSONResponse(
                body,
                status_code=exc.status_code,
                media_type="application/problem+json",
                headers=dict(exc.headers or {}),
            )
        return response

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        err = VcError("an unexpected error happened; it has been logged")
        return _answer(request, err, type_base)


class BodyLimitMiddleware:
    """Refuse request bodies larger than ``max_bytes`` with 413, before any parsing.

    Checks ``Content-Length`` up front and counts streamed bytes for chunked bodies.
    """

    def __init__(self, app: ASGIApp, *, max_bytes: int, type_base: str) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.type_base = type_base

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            await self._too_large(scope, receive, send)
            return
        seen = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    # raised inside the app: the VcError handler answers 413
                    raise PayloadTooLargeError(
                        f"request bodies are limited to {self.max_bytes} bytes"
                    )
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except PayloadTooLargeError:
            if not started:
                await self._too_large(scope, receive, send)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        err = PayloadTooLargeError(f"request bodies are limited to {self.max_bytes} bytes")
        response = problem_response(err, type_base=self.type_base, instance=scope.get("path", ""))
        await response(scope, receive, send)

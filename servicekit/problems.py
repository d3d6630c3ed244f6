"""RFC 9457 problem+json for every error a service answers with, and the request body limit.

One set of handlers for the three services: a ``VcError`` (``shared.errors``) answers with its
own ``type``, status and detail; a request that does not match its route's shape answers
``invalid-input`` with the fields at fault; an unknown path or method answers ``not-found`` or
``method-not-allowed`` (with its ``Allow`` header); anything else is logged with the request id
and answers ``internal-error``, never its message. A browser navigating (``Accept: text/html``)
gets the service's error page instead of the JSON. Each service passes only its own bits: its
problem ``type`` base, its error page, which requests are pages, and any handler of its own.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from servicekit.logs import HEADER as REQUEST_ID_HEADER
from servicekit.logs import route_template
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
    "PROBLEM_JSON",
    "BodyLimitMiddleware",
    "ErrorPage",
    "MethodNotAllowedError",
    "install_problem_handlers",
    "problem_body",
    "problem_response",
    "request_id_of",
    "wants_html",
]

PROBLEM_JSON = "application/problem+json"
log = logging.getLogger("musette.problems")

#: a service's HTML page for a problem (its title and message in the reader's language)
ErrorPage = Callable[[Request, VcError], Response]


class MethodNotAllowedError(InvalidInputError):
    """The path exists, not with this method (the answer carries ``Allow``)."""

    code = "method-not-allowed"
    status = 405
    title = "Method not allowed"


_HTTP_ERRORS: dict[int, type[VcError]] = {
    401: UnauthorizedError,
    403: ForbiddenError,
    404: NotFoundError,
    405: MethodNotAllowedError,
    409: ConflictError,
    410: GoneError,
    413: PayloadTooLargeError,
}


def problem_body(exc: VcError, *, type_base: str, instance: str) -> dict[str, Any]:
    """The problem details object (RFC 9457 §3.1) of ``exc``."""
    return {
        "type": f"{type_base}#{exc.code}",
        "title": exc.title,
        "status": exc.status,
        "detail": exc.detail,
        "instance": instance,
        **exc.extensions,
    }


def problem_response(
    exc: VcError,
    *,
    type_base: str,
    instance: str,
    status: int | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    """``exc`` as ``application/problem+json``; a 401 says how to authenticate (RFC 9110 §15.5.2)."""
    body = problem_body(exc, type_base=type_base, instance=instance)
    if status is not None:
        body["status"] = status
    answer_headers = dict(headers or {})
    if body["status"] == 401:
        answer_headers.setdefault("WWW-Authenticate", "Bearer")
    return JSONResponse(
        body, status_code=body["status"], media_type=PROBLEM_JSON, headers=answer_headers or None
    )


def wants_html(request: Request) -> bool:
    """A browser navigating (``Accept: text/html``) gets a page; API clients get problem+json."""
    return "text/html" in request.headers.get("accept", "")


def request_id_of(request: Request) -> str:
    """The request id ``servicekit.logs.RequestLogMiddleware`` gave this request (``-`` if none)."""
    return str(request.scope.get("musette.request_id", "-"))


def install_problem_handlers(
    app: FastAPI,
    *,
    type_base: str,
    error_page: ErrorPage,
    wants_page: Callable[[Request], bool] = wants_html,
) -> None:
    """Answer every error of ``app`` with problem+json (or ``error_page`` for a browser)."""

    def answer(
        request: Request,
        exc: VcError,
        *,
        status: int | None = None,
        headers: dict[str, str] | None = None,
    ) -> Response:
        if wants_page(request):
            return error_page(request, exc)
        return problem_response(
            exc, type_base=type_base, instance=request.url.path, status=status, headers=headers
        )

    @app.exception_handler(VcError)
    async def _problem(request: Request, exc: VcError) -> Response:
        # the detail is ours; it never carries credential contents
        return answer(request, exc)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        errors = [
            {"loc": list(e.get("loc", ())), "msg": str(e.get("msg", "")), "type": e.get("type")}
            for e in exc.errors()
        ]
        err = InvalidInputError("the request does not match the expected shape", errors=errors)
        return answer(request, err)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        # unknown paths and methods: the same problem+json (or page) as every other error
        kind = _HTTP_ERRORS.get(exc.status_code, InvalidInputError)
        err = kind(f"{exc.detail}: {request.method} {request.url.path}")
        return answer(request, err, status=exc.status_code, headers=dict(exc.headers or {}))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        # logged with its request id and route template (never the path: it may hold a
        # capability), answered without a word of its message
        log.error(
            "unexpected %s on %s",
            type(exc).__name__,
            route_template(request.scope),
            exc_info=exc,
            extra={"request_id": request_id_of(request)},
        )
        response = answer(request, VcError("an unexpected error happened; it has been logged"))
        # Starlette's error middleware sends this outside the request log: echo the id here,
        # so the person who reports the error can quote the id the log line carries
        request_id = request_id_of(request)
        if request_id != "-":
            response.headers[REQUEST_ID_HEADER.decode("ascii")] = request_id
        return response


class BodyLimitMiddleware:
    """Refuse request bodies larger than ``max_bytes`` with 413, before any parsing.

    Checks ``Content-Length`` up front and counts streamed bytes for chunked bodies. A
    streamed body is cut by raising :class:`PayloadTooLargeError` from ``receive``; whatever
    the application then answers other than a 413 (FastAPI's form and JSON parsing turn any
    error into a 400 "error parsing the body") is replaced by the 413 a declared length gets.
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
        started = cut = replaced = False

        async def limited_receive() -> Message:
            nonlocal seen, cut
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    cut = True
                    # raised inside the app: the VcError handler answers 413
                    raise PayloadTooLargeError(
                        f"request bodies are limited to {self.max_bytes} bytes"
                    )
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started, replaced
            if replaced:  # the rest of the answer the app gave a body it could not read
                return
            if message["type"] == "http.response.start":
                started = True
                if cut and message["status"] != 413:
                    replaced = True
                    await self._too_large(scope, receive, send)
                    return
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

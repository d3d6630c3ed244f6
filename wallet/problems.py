"""RFC 9457 problem+json for every error; HTML pages get an error page instead."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from servicekit.logs import route_template
from shared.errors import VcError

log = logging.getLogger("musette.wallet")


def wants_html(request: Request) -> bool:
    path = request.url.path
    if path.startswith(("/api/", "/s/")) and not path.endswith("/page"):
        return False
    return "text/html" in request.headers.get("accept", "")


def _body(
    request: Request, type_base: str, code: str, title: str, status: int, detail: str, **ext: Any
) -> dict[str, Any]:
    return {
        "type": f"{type_base}#{code}",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
        **ext,
    }


def install_problem_handlers(app: FastAPI, *, type_base: str) -> None:
    def render(request: Request, body: dict[str, Any]) -> Response:
        if wants_html(request):
            from wallet.pages import render_error

            return render_error(request, body)
        return JSONResponse(body, status_code=body["status"], media_type="application/problem+json")

    @app.exception_handler(VcError)
    async def _problem(request: Request, exc: VcError) -> Response:
        # the detail is ours; it never carries credential contents
        body = _body(
            request, type_base, exc.code, exc.title, exc.status, exc.detail, **exc.extensions
        )
        return render(request, body)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        errors = [
            {"loc": list(e.get("loc", ())), "msg": str(e.get("msg", "")), "type": e.get("type")}
            for e in exc.errors()
        ]
        body = _body(
            request,
            type_base,
            "invalid-input",
            "Invalid input",
            400,
            "the request is not valid",
            errors=errors,
        )
        return render(request, body)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        code = "not-found" if exc.status_code == 404 else "invalid-input"
        title = "Not found" if exc.status_code == 404 else "Invalid request"
        body = _body(request, type_base, code, title, exc.status_code, str(exc.detail))
        return render(request, body)

    @app.exception_handler(Exception)
    async def _crash(request: Request, exc: Exception) -> Response:
        log.error(
            "unexpected %s on %s", type(exc).__name__, route_template(request.scope)
        )  # no capability ids
        body = _body(
            request, type_base, "internal-error", "Internal error", 500, "unexpected error"
        )
        return render(request, body)

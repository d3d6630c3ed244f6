"""RFC 9457 problem+json for every error the verifier answers with; never a bare 500."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from servicekit.logs import route_template
from shared.errors import VcError

log = logging.getLogger("verifier")
PROBLEM_JSON = "application/problem+json"


def problem_response(
    request: Request,
    *,
    type_base: str,
    code: str,
    title: str,
    status: int,
    detail: str,
    **extensions: Any,
) -> JSONResponse:
    body = {
        "type": f"{type_base}#{code}",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
        **extensions,
    }
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON)


def wants_html(request: Request) -> bool:
    """A browser navigating (``Accept: text/html``) gets a page; API clients get problem+json."""
    return "text/html" in request.headers.get("accept", "")


def _page(request: Request, code: str, status: int) -> Response:
    from verifier.api.page_kit import problem_page  # the pages import this module's kin

    return problem_page(request, code, status)


def install_problem_handlers(app: FastAPI, *, type_base: str) -> None:
    @app.exception_handler(VcError)
    async def _problem(request: Request, exc: VcError) -> Response:
        if wants_html(request):
            return _page(request, exc.code, exc.status)
        return problem_response(
            request,
            type_base=type_base,
            code=exc.code,
            title=exc.title,
            status=exc.status,
            detail=exc.detail,
            **exc.extensions,
        )

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        if wants_html(request):
            return _page(request, "invalid-input", 400)
        errors = [
            {"loc": list(e.get("loc", ())), "msg": str(e.get("msg", "")), "type": e.get("type")}
            for e in exc.errors()
        ]
        return problem_response(
            request,
            type_base=type_base,
            code="invalid-input",
            title="Invalid input",
            status=400,
            detail="the request does not have the expected shape",
            errors=errors,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        code = {404: "not-found", 405: "method-not-allowed", 410: "gone"}.get(
            exc.status_code, "http-error"
        )
        if wants_html(request):
            return _page(request, code, exc.status_code)
        return problem_response(
            request,
            type_base=type_base,
            code=code,
            title=str(exc.detail),
            status=exc.status_code,
            detail=str(exc.detail),
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unexpected error on %s", route_template(request.scope))  # no capability ids
        if wants_html(request):
            return _page(request, "internal-error", 500)
        return problem_response(
            request,
            type_base=type_base,
            code="internal-error",
            title="Internal error",
            status=500,
            detail="an unexpected error occurred; it has been logged",
        )

"""The wallet's bits of ``servicekit.problems``: which requests are pages, and its error page."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import Response

from servicekit import problems
from servicekit.pages import install_sign_in_redirect
from shared.errors import VcError


def wants_html(request: Request) -> bool:
    """The JSON API and share links answer problem+json, whatever the client accepts."""
    path = request.url.path
    if path.startswith(("/api/", "/s/")) and not path.endswith("/page"):
        return False
    return problems.wants_html(request)


def install_problem_handlers(app: FastAPI, *, type_base: str) -> None:
    def error_page(request: Request, exc: VcError) -> Response:
        from wallet.pages import render_error

        body = problems.problem_body(exc, type_base=type_base, instance=request.url.path)
        return render_error(request, body)

    problems.install_problem_handlers(
        app, type_base=type_base, error_page=error_page, wants_page=wants_html
    )
    install_sign_in_redirect(app)  # pages behind ``SignedInPage``

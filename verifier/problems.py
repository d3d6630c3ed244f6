"""The verifier's bits of ``servicekit.problems``: its error page."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import Response

from servicekit import problems
from shared.errors import VcError


def _error_page(request: Request, exc: VcError) -> Response:
    from verifier.api.page_kit import problem_page  # the pages import this module's kin

    return problem_page(request, exc.code, exc.status)


def install_problem_handlers(app: FastAPI, *, type_base: str) -> None:
    problems.install_problem_handlers(app, type_base=type_base, error_page=_error_page)

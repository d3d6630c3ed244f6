"""Rendering helpers for the Jinja2 pages (French and English)."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from wallet.deps import ANON_CSRF_COOKIE
from wallet.i18n import LANG_COOKIE, choose_language, translator

TEMPLATES = Path(__file__).parent / "templates"
_ENV = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))


def render(request: Request, template: str, *, status: int = 200, **context: Any) -> Response:
    lang = choose_language(request)
    anon_csrf = request.cookies.get(ANON_CSRF_COOKIE) or secrets.token_urlsafe(24)
    html = _ENV.get_template(template).render(
        _=translator(lang), lang=lang, request=request, anon_csrf=anon_csrf, **context
    )
    response = HTMLResponse(html, status_code=status)
    if request.query_params.get("lang") == lang:
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, samesite="lax")
    if ANON_CSRF_COOKIE not in request.cookies:
        response.set_cookie(ANON_CSRF_COOKIE, anon_csrf, httponly=True, samesite="lax")
    return response


def render_error(request: Request, problem: dict[str, Any]) -> Response:
    return render(request, "error.html", status=int(problem["status"]), problem=problem, who=None)

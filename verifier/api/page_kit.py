"""What every page of the verifier shares: rendering in the reader's language, CSRF refusal
as a page, the sign-in redirect."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from starlette.datastructures import FormData

from servicekit.csrf import CSRF_FIELD, AnonymousCsrf, form_token
from servicekit.pages import language_url, other_language, remember_language, sign_in_redirect
from servicekit.pages import local_path as local_path
from shared.ui.problem_text import problem_message, problem_title
from verifier.api.bodies import form_from_bytes, read_capped
from verifier.deps import Principal, Resources, check_form_csrf, get_resources
from verifier.errors import ForbiddenError
from verifier.i18n import LANGUAGES, choose_language, translator

FORM_LIMIT = 10_000


def _switch_url(request: Request, lang: str, fallback: str) -> str:
    """This page in the other language; a form post's page links to ``fallback`` instead."""
    here = None if request.method == "GET" else fallback
    return language_url(request, other_language(lang), here)


def page(
    request: Request,
    res: Resources,
    name: str,
    who: Principal | None,
    status: int = 200,
    *,
    section: str = "",
    back: str = "/",
    **values: Any,
) -> HTMLResponse:
    """Render ``name`` in the reader's language (and remember a ``?lang=`` choice)."""
    lang = choose_language(request)
    html = res.templates.get_template(name, lang).render(
        lang=lang,
        other_lang=other_language(lang),
        switch_url=_switch_url(request, lang, back),
        signed_in=who is not None,
        csrf=(who.csrf or "") if who is not None else "",
        section=section,
        **values,
    )
    response = HTMLResponse(html, status_code=status)
    remember_language(request, response, lang)
    return response


def error_page(
    request: Request,
    res: Resources,
    who: Principal | None,
    status: int,
    heading: str,
    message: str,
    *,
    back: str = "/",
) -> HTMLResponse:
    _ = translator(choose_language(request))
    return page(
        request,
        res,
        "error.html",
        who,
        status,
        heading=_(heading),
        message=_(message),
        back=back,
    )


def problem_page(request: Request, code: str, status: int) -> HTMLResponse:
    """A browser's page for a problem ``code``: its title and message in the reader's language
    (the English ``detail`` stays in the problem+json API clients get)."""
    lang = choose_language(request)
    return page(
        request,
        get_resources(request),
        "error.html",
        None,
        status,
        heading=problem_title(code, lang),
        message=problem_message(code, lang),
    )


def refused(request: Request, res: Resources, who: Principal | None, back: str) -> HTMLResponse:
    """The page for a form whose CSRF token is missing or wrong (403)."""
    return error_page(
        request,
        res,
        who,
        403,
        "Form refused",
        "This form was not accepted: it may have expired. Reload the page and try again.",
        back=back,
    )


#: the sign-in form's double-submit cookie (no session exists yet to hold a token)
ANON_CSRF_COOKIE = "musette_verifier_csrf"
ANON_CSRF = AnonymousCsrf(ANON_CSRF_COOKIE)


def anonymous_csrf(request: Request) -> str:
    """The sign-in form's token: the browser's double-submit cookie, or a new one."""
    return ANON_CSRF.token(request)


def keep_anonymous_csrf(response: HTMLResponse, token: str) -> HTMLResponse:
    response.set_cookie(ANON_CSRF_COOKIE, token, httponly=True, samesite="lax")
    return response


def anonymous_csrf_ok(request: Request, form: FormData) -> bool:
    """A cross-site page cannot read the cookie, so it cannot copy it into the form."""
    return ANON_CSRF.matches(request, form.get(CSRF_FIELD))


def csrf_ok(who: Principal, form: FormData) -> bool:
    try:
        check_form_csrf(who, form_token(form))
    except ForbiddenError:
        return False
    return True


#: to the sign-in page, then back to this page (or ``after`` for a form)
sign_in_first = sign_in_redirect


def keep_lang(request: Request, url: str) -> str:
    asked = request.query_params.get("lang")
    if asked in LANGUAGES:
        return f"{url}{'&' if '?' in url else '?'}lang={asked}"
    return url


async def read_form(request: Request, limit: int = FORM_LIMIT) -> FormData:
    return await form_from_bytes(request, await read_capped(request, limit))

"""The recruiter's pages (fr/en): check a credential, ask with a QR code, watch the answer."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from shared.errors import InvalidInputError, UpstreamError, VcError
from verifier.api.bodies import form_from_bytes, read_capped
from verifier.api.verifications import run_submission, submission_from_form
from verifier.deps import SESSION_COOKIE, OptionalPrincipalDep, ResourcesDep, check_form_csrf
from verifier.errors import UnauthorizedError
from verifier.i18n import LANG_COOKIE, LANGUAGES, choose_language, translator
from verifier.service import accounts
from verifier.service import presentation_requests as vp
from verifier.service.templates import TEMPLATES, get_template

router = APIRouter(include_in_schema=False)


def _page(
    request: Request, res: Any, name: str, who: Any, status: int = 200, **values: Any
) -> HTMLResponse:
    lang = choose_language(request)
    html = res.templates.get_template(name).render(
        lang=lang,
        _=translator(lang),
        signed_in=who is not None,
        csrf=who.csrf if who is not None else "",
        **values,
    )
    response = HTMLResponse(html, status_code=status)
    asked = request.query_params.get("lang")
    if asked in LANGUAGES:
        response.set_cookie(LANG_COOKIE, asked, samesite="lax", max_age=31_536_000)
    return response


@router.get("/")
def verify_page(request: Request, res: ResourcesDep, who: OptionalPrincipalDep) -> HTMLResponse:
    return _page(request, res, "verify.html", who)


@router.post("/verify")
async def verify_form(
    request: Request, res: ResourcesDep, who: OptionalPrincipalDep
) -> HTMLResponse:
    body = await read_capped(request, res.settings.max_upload_bytes)
    form = await form_from_bytes(request, body)
    try:
        sub = await submission_from_form(form)
    except InvalidInputError as err:
        return _page(request, res, "report.html", who, 400, report=_unusable(err))
    finally:
        await form.close()
    try:
        with res.sessions.begin() as session:
            report = run_submission(res, session, sub, who.account_id if who else None)
    except (UpstreamError, InvalidInputError) as err:
        return _page(request, res, "report.html", who, 400, report=_unusable(err))
    return _page(request, res, "report.html", who, report=report)


def _unusable(err: VcError) -> dict[str, Any]:
    return {
        "verified": False,
        "format": "?",
        "checks": [{"name": "format", "status": "failed", "reason": err.detail}],
    }


@router.get("/login")
def login_page(request: Request, res: ResourcesDep, who: OptionalPrincipalDep) -> HTMLResponse:
    return _page(request, res, "login.html", who, error=False)


@router.post("/login", response_model=None)
async def login(request: Request, res: ResourcesDep) -> Response:
    form = await form_from_bytes(request, await read_capped(request, 10_000))
    email, password = str(form.get("email", "")), str(form.get("password", ""))
    try:
        with res.sessions.begin() as session:
            token, _ = accounts.login(
                session, email, password, res.hasher, res.clock(), res.settings.session_hours
            )
    except UnauthorizedError:
        return _page(request, res, "login.html", None, 401, error=True)
    response = RedirectResponse("/requests/new", status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=res.settings.secure_cookies,
        max_age=res.settings.session_hours * 3600,
    )
    return response


@router.post("/logout")
async def logout(
    request: Request, res: ResourcesDep, who: OptionalPrincipalDep
) -> RedirectResponse:
    form = await form_from_bytes(request, await read_capped(request, 10_000))
    token = request.cookies.get(SESSION_COOKIE)
    if who is not None and token:
        check_form_csrf(who, str(form.get("csrf_token", "")))
        with res.sessions.begin() as session:
            accounts.logout(session, token)
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/requests/new", response_model=None)
def new_request_page(request: Request, res: ResourcesDep, who: OptionalPrincipalDep) -> Response:
    if who is None:
        return RedirectResponse("/login", status_code=303)
    return _page(request, res, "request_new.html", who, templates=list(TEMPLATES.values()))


@router.post("/requests")
async def create_request(
    request: Request, res: ResourcesDep, who: OptionalPrincipalDep
) -> RedirectResponse:
    if who is None:
        raise UnauthorizedError("sign in to create a request")
    form = await form_from_bytes(request, await read_capped(request, 10_000))
    check_form_csrf(who, str(form.get("csrf_token", "")))
    prefix = "decentralized_identifier" if form.get("signed") else "redirect_uri"
    with res.sessions.begin() as session:
        links = vp.create_request(
            session,
            res.settings,
            template=str(form.get("template", "")),
            client_id_prefix=prefix,
            account_id=who.account_id,
            now=res.clock(),
        )
    return RedirectResponse(f"/requests/{links.id}", status_code=303)


@router.get("/requests/{request_id}")
def request_page(
    request_id: str, request: Request, res: ResourcesDep, who: OptionalPrincipalDep
) -> HTMLResponse:
    with res.sessions() as session:
        row = vp.get_request(session, request_id)
        links = vp.links_for(res.settings, row)
        template = get_template(row.template)
    lang = choose_language(request)
    title = template.title_fr if lang == "fr" else template.title_en
    return _page(request, res, "request.html", who, links=links, title=title)

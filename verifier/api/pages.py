"""The recruiter's pages (fr/en): sign in, check a credential, ask with a QR code and watch
the answer arrive, read a result in plain words. The trust registry pages are in
``pages_registry``. Forms carry the session's CSRF token; a refusal is a page, not JSON."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from servicekit.ratelimit import account_and_ip, client_ip, limiter_of
from shared.errors import InvalidInputError, UpstreamError
from shared.i18n import local_datetime
from shared.ui import STYLESHEET
from shared.ui.problem_text import problem_message
from verifier.api import pages_registry, pages_requests
from verifier.api.bodies import form_from_bytes, read_capped
from verifier.api.page_kit import (
    ANON_CSRF_COOKIE,
    anonymous_csrf,
    anonymous_csrf_ok,
    csrf_ok,
    error_page,
    keep_anonymous_csrf,
    keep_lang,
    local_path,
    page,
    read_form,
    refused,
)
from verifier.api.page_views import (
    report_view,
)
from verifier.api.verifications import run_submission, submission_from_form
from verifier.deps import (
    SESSION,
    OptionalPrincipalDep,
    ResourcesDep,
)
from verifier.errors import PayloadTooLargeError, UnauthorizedError
from verifier.i18n import choose_language, translator
from verifier.service import accounts, store

router = APIRouter(include_in_schema=False)
FORM_LIMIT = 10_000


# --------------------------------------------------------------------------- stylesheet


@router.get("/static/musette.css")
def stylesheet() -> FileResponse:
    """The stylesheet the three services share (shared.ui)."""
    return FileResponse(STYLESHEET, media_type="text/css")


# --------------------------------------------------------------------------- check


@router.get("/")
def check_page(request: Request, res: ResourcesDep, who: OptionalPrincipalDep) -> HTMLResponse:
    return page(request, res, "check.html", who, section="check", error="")


@router.post("/verify", response_model=None)
async def verify_form(request: Request, res: ResourcesDep, who: OptionalPrincipalDep) -> Response:
    _ = translator(choose_language(request))
    await limiter_of(request).ahit(
        "verifications", client_ip(request), res.settings.rate_limit_verifications
    )
    try:
        body = await read_capped(request, res.settings.max_upload_bytes)
    except PayloadTooLargeError:
        return page(
            request, res, "check.html", who, 413, section="check", error=_("The file is too large.")
        )
    form = await form_from_bytes(request, body)
    sent_token_ok = who is not None and csrf_ok(who, form)
    try:
        sub = await submission_from_form(form)
    except InvalidInputError as err:
        message = (
            _("Give a file, paste a credential, or give a share link.")
            if "give a file" in err.detail
            else _("This could not be read as a credential.")
        )
        return page(request, res, "check.html", who, 400, section="check", error=message)
    finally:
        await form.close()
    # a signed-in recruiter's result is kept to them only from their own form (its token);
    # without it the verification is stored as an anonymous one
    account = who.account_id if who and (who.csrf is None or sent_token_ok) else None

    def verify() -> dict[str, Any]:
        with res.sessions.begin() as session:
            return run_submission(res, session, sub, account, live=True)

    try:
        # verifying fetches DID documents, status lists, share links: off the event loop
        report = await run_in_threadpool(verify)
    except (UpstreamError, InvalidInputError) as err:
        message = (
            _("The share link could not be opened.")
            + " "
            + problem_message(err.code, choose_language(request))
        )
        return page(request, res, "check.html", who, 400, section="check", error=message)
    return RedirectResponse(keep_lang(request, f"/results/{report['id']}"), status_code=303)


@router.get("/results/{verification_id}")
def result_page(
    verification_id: str, request: Request, res: ResourcesDep, who: OptionalPrincipalDep
) -> HTMLResponse:
    with res.sessions() as session:
        row = store.get_verification(session, verification_id, res.clock())
        owner = row.account_id if row else None
        if row is None or (owner is not None and (who is None or who.account_id != owner)):
            return error_page(
                request, res, who, 404, "Not found", "There is no such result.", back="/"
            )
        report = json.loads(row.full_report or row.report)
        created = row.created_at
    lang = choose_language(request)
    _ = translator(lang)
    return page(
        request,
        res,
        "result.html",
        who,
        section="check",
        view=report_view(report, _, lang),
        checked_at=local_datetime(created, lang),
    )


# --------------------------------------------------------------------------- sign in


@router.get("/login", response_model=None)
@router.post("/login", response_model=None)
def old_login(request: Request) -> Response:
    """The sign-in page moved to /signin, as on the issuer and the wallet: permanently.

    308 keeps a form post a post (RFC 9110 §15.4.9); 301 for a page asked by GET."""
    query = f"?{request.url.query}" if request.url.query else ""
    return RedirectResponse(f"/signin{query}", status_code=301 if request.method == "GET" else 308)


@router.get("/signin")
def login_page(request: Request, res: ResourcesDep, who: OptionalPrincipalDep) -> HTMLResponse:
    nxt = local_path(request.query_params.get("next"), "/requests/new")
    token = anonymous_csrf(request)
    html = page(
        request,
        res,
        "login.html",
        who,
        section="login",
        error=False,
        next=nxt,
        email="",
        login_csrf=token,
    )
    return keep_anonymous_csrf(html, token)


@router.post("/signin", response_model=None)
async def login(request: Request, res: ResourcesDep) -> Response:
    form = await read_form(request)
    email, password = str(form.get("email", "")), str(form.get("password", ""))
    await limiter_of(request).ahit(
        "signin", account_and_ip(email, request), res.settings.rate_limit_signin
    )
    nxt = local_path(str(form.get("next", "")), "/requests/new")
    if not anonymous_csrf_ok(request, form):
        # login CSRF: a page elsewhere must not sign this browser in to its own account
        return refused(request, res, None, "/login")
    try:
        with res.sessions.begin() as session:
            token, _ = accounts.login(
                session, email, password, res.hasher, res.clock(), res.settings.session_hours
            )
    except UnauthorizedError:
        return page(
            request,
            res,
            "login.html",
            None,
            401,
            section="login",
            back="/signin",
            error=True,
            next=nxt,
            email=email,
            login_csrf=request.cookies.get(ANON_CSRF_COOKIE, ""),
        )
    response = RedirectResponse(nxt, status_code=303)
    SESSION.open(response, token, res.settings)
    return response


@router.post("/logout", response_model=None)
async def logout(request: Request, res: ResourcesDep, who: OptionalPrincipalDep) -> Response:
    form = await read_form(request)
    token = SESSION.read(request)
    if who is not None and token:
        if not csrf_ok(who, form):
            return refused(request, res, who, "/")
        with res.sessions.begin() as session:
            accounts.logout(session, token)
    response = RedirectResponse("/", status_code=303)
    SESSION.clear(response)
    return response


router.include_router(pages_requests.router)
router.include_router(pages_registry.router)

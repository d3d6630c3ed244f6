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
from shared.errors import InvalidInputError, NotFoundError, UpstreamError
from shared.i18n import local_datetime
from shared.protocols.oid4vp import DIRECT_POST, DIRECT_POST_JWT
from shared.ui import STYLESHEET
from shared.ui.problem_text import problem_message
from verifier.api import pages_registry
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
    sign_in_first,
)
from verifier.api.page_views import (
    headline,
    report_view,
    requested_rating,
    shown_parameters,
    status_problem,
    template_asks,
)
from verifier.api.verifications import run_submission, submission_from_form
from verifier.deps import (
    SESSION,
    OptionalPrincipalDep,
    Principal,
    Resources,
    ResourcesDep,
)
from verifier.errors import PayloadTooLargeError, UnauthorizedError
from verifier.i18n import choose_language, translator
from verifier.service import accounts, store
from verifier.service import presentation_requests as vp
from verifier.service.templates import TEMPLATES, get_template

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
        request, res, "login.html", who, section="login", error=False, next=nxt, email="",
        login_csrf=token,
    )  # fmt: skip
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


# --------------------------------------------------------------------------- requests


@router.get("/requests/new", response_model=None)
def new_request_page(request: Request, res: ResourcesDep, who: OptionalPrincipalDep) -> Response:
    if who is None:
        return sign_in_first(request)
    lang = choose_language(request)
    _ = translator(lang)
    choices = [
        {
            "name": t.name,
            "title": t.title_fr if lang == "fr" else t.title_en,
            "purpose": _("template:" + t.name),
            "asks": template_asks(t, _, lang),
            "parameters": shown_parameters(t.policy, lang),
        }
        for t in TEMPLATES.values()
    ]
    chosen = request.query_params.get("template", choices[0]["name"])
    return page(
        request,
        res,
        "request_new.html",
        who,
        section="request",
        templates=choices,
        chosen=chosen,
    )


@router.post("/requests", response_model=None)
async def create_request(
    request: Request, res: ResourcesDep, who: OptionalPrincipalDep
) -> Response:
    if who is None:
        return sign_in_first(request, "/requests/new")
    form = await read_form(request)
    if not csrf_ok(who, form):
        return refused(request, res, who, "/requests/new")
    template = str(form.get("template", ""))
    chosen = TEMPLATES.get(template)
    parameters = {
        p: str(form.get(f"{template}-{p}", "")).strip() or None
        for p in (chosen.parameters if chosen else ())
    }
    prefix = "decentralized_identifier" if form.get("signed") else "redirect_uri"
    mode = DIRECT_POST_JWT if form.get("encrypted") else DIRECT_POST
    try:
        with res.sessions.begin() as session:
            links = vp.create_request(
                session,
                res.settings,
                template=template,
                client_id_prefix=prefix,
                response_mode=mode,
                account_id=who.account_id,
                now=res.clock(),
                parameters=parameters,
                response_keys=res.response_keys,
            )
    except InvalidInputError:
        return error_page(
            request,
            res,
            who,
            400,
            "Request not created",
            (
                "Check the minimum hours (a number) and the year (four digits, or empty)."
                if template == "volunteer-hours"
                else "Check the minimum rating and its scale: two numbers, the minimum no "
                "larger than the scale."
            )
            if any(parameters.values())
            else "Choose one of the proposed requests.",
            back="/requests/new",
        )
    return RedirectResponse(keep_lang(request, f"/requests/{links.id}"), status_code=303)


def _reports(result: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        report
        for items in (result.get("presentations") or {}).values()
        for report in items
        if isinstance(report, dict)
    ]


def answer_verdict(status: dict[str, Any]) -> str:
    """refused, wallet_error, revoked, suspended, verified or not_verified."""
    result = status.get("result") or {}
    if status.get("status") == "refused":
        return "refused" if result.get("error") == vp.ACCESS_DENIED else "wallet_error"
    checks: list[dict[str, Any]] = []
    for report in _reports(result):
        checks.extend(report.get("checks", []))
        for sub in report.get("credentials", []) or []:
            checks.extend(sub.get("checks", []))
    return status_problem(checks) or ("verified" if status.get("verified") else "not_verified")


def _answer(request: Request, res: Resources, row: Any, status: dict[str, Any]) -> dict[str, Any]:
    lang = choose_language(request)
    _ = translator(lang)
    result = status.get("result") or {}
    reports = _reports(result)
    verdict = answer_verdict(status)
    problems = [str(p) for p in result.get("problems", [])]
    if verdict == "refused":
        summary = _("The person refused to share their credentials. Nothing was sent.")
    elif verdict == "wallet_error":
        summary = _("The wallet could not answer this request.")
    elif verdict == "verified":
        summary = _("The person shared what you asked for, and every check passed.")
    elif verdict == "revoked":
        summary = _("The person shared a badge, but its issuer has revoked it.")
    elif verdict == "suspended":
        summary = _("The person shared a badge, but its issuer has suspended it.")
    else:
        summary = _("The answer does not meet the request: see why below.")
    return {
        "verdict": verdict,
        "ok": verdict == "verified",
        "headline": headline(verdict, _),
        "summary": summary,
        "problems": problems,
        "views": [report_view(r, _, lang) for r in reports],
        "answered_at": local_datetime(row.answered_at, lang) if row.answered_at else None,
    }


def _request_values(
    request: Request, res: Resources, who: Principal | None, request_id: str
) -> dict[str, Any] | Response:
    if who is None:
        return sign_in_first(request)
    try:
        with res.sessions() as session:
            row = vp.get_request(session, request_id)
            status = vp.request_status(session, request_id, res.clock())
    except NotFoundError:
        row = None
    if row is None or (row.account_id is not None and row.account_id != who.account_id):
        return error_page(
            request, res, who, 404, "Not found", "There is no such request.", back="/requests/new"
        )
    lang = choose_language(request)
    template = get_template(row.template)
    state = status["status"]
    wanted = requested_rating(row.policy, translator(lang), lang)
    title = template.title_fr if lang == "fr" else template.title_en
    return {
        "links": vp.links_for(res.settings, row, res.response_keys),
        "title": f"{title} ({wanted})" if wanted else title,
        "template_name": template.name,
        "state": state,
        "answer": _answer(request, res, row, status) if state in {"answered", "refused"} else None,
        "expires": local_datetime(row.expires_at, lang),
    }


@router.get("/requests", response_model=None)
def past_requests_page(request: Request, res: ResourcesDep, who: OptionalPrincipalDep) -> Response:
    """The signed-in recruiter's requests, newest first, each with its state and result."""
    if who is None:
        return sign_in_first(request)
    lang = choose_language(request)
    _ = translator(lang)
    now = res.clock()
    rows = []
    with res.sessions() as session:
        for row in vp.requests_of(session, who.account_id):
            template = get_template(row.template)
            state = vp.state_of(row, now)
            status = {"status": state, "verified": row.verified,
                      "result": json.loads(row.result) if row.result else None}  # fmt: skip
            verdict = answer_verdict(status) if state in {"answered", "refused"} else state
            rows.append({
                "id": row.id,
                "title": template.title_fr if lang == "fr" else template.title_en,
                "created": local_datetime(row.created_at, lang),
                "verdict": verdict,
                "label": headline(verdict, _) if verdict not in PENDING_LABELS
                else _(PENDING_LABELS[verdict]),
                "ok": verdict == "verified",
            })  # fmt: skip
    return page(request, res, "requests.html", who, section="history", rows=rows)


#: states of a request without a verdict yet, as the list of past requests names them
PENDING_LABELS = {
    "pending": "Waiting for the wallet",
    "processing": "Being checked",
    "expired": "Expired without an answer",
}


@router.get("/requests/{request_id}", response_model=None)
def request_page(
    request_id: str, request: Request, res: ResourcesDep, who: OptionalPrincipalDep
) -> Response:
    values = _request_values(request, res, who, request_id)
    if isinstance(values, Response):
        return values
    return page(request, res, "request.html", who, section="request", **values)


@router.get("/requests/{request_id}/answer", response_model=None)
def request_answer(
    request_id: str, request: Request, res: ResourcesDep, who: OptionalPrincipalDep
) -> Response:
    """The answer part of the request page (the page's script polls it)."""
    values = _request_values(request, res, who, request_id)
    if isinstance(values, Response):
        return values
    response = page(request, res, "_answer.html", who, **values)
    response.headers["Cache-Control"] = "no-store"
    return response


router.include_router(pages_registry.router)

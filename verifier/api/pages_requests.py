"""The recruiter's presentation requests (fr/en): build one from a template, show its QR code,
watch the answer arrive, list the past ones."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from shared.errors import InvalidInputError, NotFoundError
from shared.i18n import local_datetime
from shared.protocols.oid4vp import DIRECT_POST, DIRECT_POST_JWT
from verifier.api.page_checks import status_problem
from verifier.api.page_kit import (
    csrf_ok,
    error_page,
    keep_lang,
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
    template_asks,
)
from verifier.deps import (
    OptionalPrincipalDep,
    Principal,
    Resources,
    ResourcesDep,
)
from verifier.i18n import choose_language, translator
from verifier.service import presentation_requests as vp
from verifier.service.states import RequestState
from verifier.service.templates import TEMPLATES, get_template

router = APIRouter(include_in_schema=False)


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
    if status.get("status") == RequestState.REFUSED:
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
        "answer": _answer(request, res, row, status) if state in ANSWERED_STATES else None,
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
            status = {
                "status": state,
                "verified": row.verified,
                "result": json.loads(row.result) if row.result else None,
            }
            verdict = answer_verdict(status) if state in ANSWERED_STATES else state
            rows.append(
                {
                    "id": row.id,
                    "title": template.title_fr if lang == "fr" else template.title_en,
                    "created": local_datetime(row.created_at, lang),
                    "verdict": verdict,
                    "label": headline(verdict, _)
                    if verdict not in PENDING_LABELS
                    else _(PENDING_LABELS[verdict]),
                    "ok": verdict == "verified",
                }
            )
    return page(request, res, "requests.html", who, section="history", rows=rows)


#: states of a request without a verdict yet, as the list of past requests names them
PENDING_LABELS: dict[str, str] = {
    RequestState.PENDING: "Waiting for the wallet",
    RequestState.PROCESSING: "Being checked",
    RequestState.EXPIRED: "Expired without an answer",
}
#: states of a request with an answer (a verdict to show)
ANSWERED_STATES = frozenset({RequestState.ANSWERED, RequestState.REFUSED})


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

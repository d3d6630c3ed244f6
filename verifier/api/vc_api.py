"""VC-API verification endpoints, as the W3C test suites call them.

``POST /credentials/verify`` and ``POST /presentations/verify`` take
``{"verifiableCredential" | "verifiablePresentation": ..., "options": {...}}`` and answer
200 with ``{"verified": true, "checks", "warnings", "errors"}`` when valid, 400 with
``verified: false`` (and the failed checks as errors) when not.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from shared.errors import InvalidInputError
from shared.verify.presentation import verify_presentation
from verifier.api.bodies import json_body, read_capped
from verifier.deps import ResourcesDep, SessionDep
from verifier.service import challenges
from verifier.service.trust import load_registry
from verifier.service.verifying import (
    Expectations,
    Policy,
    apply_policy,
    count_verification,
    report_json,
)

router = APIRouter(tags=["vc-api"])


def _options(body: dict[str, Any]) -> Expectations:
    options = body.get("options") or {}
    if not isinstance(options, dict):
        raise InvalidInputError("options must be an object")
    return Expectations(
        challenge=options.get("challenge") if isinstance(options.get("challenge"), str) else None,
        domain=options.get("domain") if isinstance(options.get("domain"), str) else None,
    )


def _answer(report: Any, registry: Any) -> JSONResponse:
    trusts = apply_policy(report, registry, Policy())
    count_verification(report)
    out = report_json(report, trusts)
    failed = [c for c in _all_checks(out) if c["status"] == "failed"]
    body = {
        "verified": out["verified"],
        "checks": [c["name"] for c in out["checks"] if c["status"] == "passed"],
        "warnings": [],
        "errors": [{"name": c["name"], "message": c["reason"]} for c in failed],
        "report": out,
    }
    return JSONResponse(body, status_code=200 if out["verified"] else 400)


def _all_checks(out: dict[str, Any]) -> list[dict[str, Any]]:
    checks = list(out.get("checks", []))
    for sub in out.get("credentials", []):
        checks.extend(_all_checks(sub))
    return checks


async def _body(request: Request, limit: int) -> dict[str, Any]:
    body = json_body(await read_capped(request, limit))
    if not isinstance(body, dict):
        raise InvalidInputError("the body must be a JSON object")
    return body


@router.post("/credentials/verify")
async def verify_credential_endpoint(
    request: Request, res: ResourcesDep, session: SessionDep
) -> JSONResponse:
    body = await _body(request, res.settings.max_upload_bytes)
    credential = body.get("verifiableCredential")
    if not isinstance(credential, dict | str):
        raise InvalidInputError("verifiableCredential (an object or a token) is required")
    from shared.verify.credential import verify_credential

    context = res.verifier.context(_options(body))
    # a member of a JSON body: a map or a token, never JSON text in a string
    report = await run_in_threadpool(
        partial(verify_credential, json_text=False), credential, context
    )
    return _answer(report, load_registry(session))


@router.post("/presentations/verify")
async def verify_presentation_endpoint(
    request: Request, res: ResourcesDep, session: SessionDep
) -> JSONResponse:
    body = await _body(request, res.settings.max_upload_bytes)
    presentation = body.get("verifiablePresentation")
    if not isinstance(presentation, dict | str):
        raise InvalidInputError("verifiablePresentation (an object or a token) is required")
    expect = challenges.with_issued_domain(session, _options(body))
    now = res.clock()

    def verify() -> Any:
        report = verify_presentation(presentation, res.verifier.context(expect), json_text=False)
        challenges.check_replay(session, report, expect, now)  # challenges of POST /challenges
        return report

    return _answer(await run_in_threadpool(verify), load_registry(session))

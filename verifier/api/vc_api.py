"""VC-API verification endpoints, as the W3C test suites call them.

``POST /credentials/verify`` and ``POST /presentations/verify`` take
``{"verifiableCredential" | "verifiablePresentation": ..., "options": {...}}`` and answer
200 with ``{"verified": true, "checks", "warnings", "errors"}`` when valid, 400 with
``verified: false`` (and the failed checks as errors) when not. Either may be an
``EnvelopedVerifiableCredential`` / ``EnvelopedVerifiablePresentation`` (VC DM 2.0 §4.13).
At ``/presentations/verify`` holder binding is checked only when
``options.requireHolderBinding`` is true (reported, not required, otherwise).
"""

from __future__ import annotations

from dataclasses import replace
from functools import partial
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from shared.errors import InvalidInputError
from shared.verify.presentation import verify_presentation
from verifier.api.bodies import json_body, read_capped
from verifier.deps import ResourcesDep, SessionDep
from verifier.schemas import VcApiVerifyOut
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


#: Options understood at each endpoint: the VC-API's (VerifyCredentialOptions,
#: VerifyPresentationOptions), ``checks`` as the W3C test suites send it, and our
#: ``requireHolderBinding``. VCALM §"Options": "Implementations MUST throw an error if an
#: endpoint receives data, options, or option values that it does not understand".
_COMMON_OPTIONS = ("challenge", "checks", "domain", "returnProblemDetails", "returnResults")
CREDENTIAL_OPTIONS = (*_COMMON_OPTIONS, "returnCredential")
PRESENTATION_OPTIONS = (*_COMMON_OPTIONS, "requireHolderBinding", "returnPresentation")
#: ``checks`` names what the caller wants checked; every check runs whatever it names.
KNOWN_CHECKS = ("credentialStatus", "proof")


def _option_error(name: str, message: str) -> InvalidInputError:
    return InvalidInputError(f"options.{name[:60]} {message}", option=name[:60])


def _read_options(body: dict[str, Any], allowed: tuple[str, ...]) -> dict[str, Any]:
    """The request's ``options``, each name and value checked (400 naming the option)."""
    options = body.get("options")
    if options is None:
        return {}
    if not isinstance(options, dict):
        raise InvalidInputError("options must be an object", option="options")
    for name, value in options.items():
        if name not in allowed:
            raise _option_error(name, f"is not understood here; use: {', '.join(allowed)}")
        if name in {"challenge", "domain"} and not isinstance(value, str):
            raise _option_error(name, "must be a string")
        if name.startswith(("return", "require")) and not isinstance(value, bool):
            raise _option_error(name, "must be true or false")
        if name == "checks" and (
            not isinstance(value, list) or any(c not in KNOWN_CHECKS for c in value)
        ):
            raise _option_error(name, f"must be a list of: {', '.join(KNOWN_CHECKS)}")
    return options


def _options(options: dict[str, Any]) -> Expectations:
    return Expectations(challenge=options.get("challenge"), domain=options.get("domain"))


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


#: the answer is declared for the OpenAPI document only: the routes return a JSONResponse
#: (200 verified, 400 not, same shape), so FastAPI adds no validation pass
_VERIFY_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"model": VcApiVerifyOut, "description": "Not verified (the failed checks as errors)"}
}


@router.post("/credentials/verify", response_model=VcApiVerifyOut, responses=_VERIFY_RESPONSES)
async def verify_credential_endpoint(
    request: Request, res: ResourcesDep, session: SessionDep
) -> JSONResponse:
    body = await _body(request, res.settings.max_upload_bytes)
    credential = body.get("verifiableCredential")
    if not isinstance(credential, dict | str):
        raise InvalidInputError("verifiableCredential (an object or a token) is required")
    from shared.verify.credential import verify_credential

    context = res.verifier.context(_options(_read_options(body, CREDENTIAL_OPTIONS)))
    # a member of a JSON body: a map or a token, never JSON text in a string
    report = await run_in_threadpool(
        partial(verify_credential, json_text=False), credential, context
    )
    return _answer(report, load_registry(session))


@router.post("/presentations/verify", response_model=VcApiVerifyOut, responses=_VERIFY_RESPONSES)
async def verify_presentation_endpoint(
    request: Request, res: ResourcesDep, session: SessionDep
) -> JSONResponse:
    body = await _body(request, res.settings.max_upload_bytes)
    presentation = body.get("verifiablePresentation")
    if not isinstance(presentation, dict | str):
        raise InvalidInputError("verifiablePresentation (an object or a token) is required")
    options = _read_options(body, PRESENTATION_OPTIONS)
    expect = challenges.with_issued_domain(session, _options(options))
    # VC DM 2.0 §4.13 requires no holder: binding is asked for, not assumed (OpenID4VP
    # always requires it); the report's holder_binding check says which applied
    context = replace(
        res.verifier.context(expect),
        require_holder_binding=options.get("requireHolderBinding", False),
    )
    now = res.clock()

    def verify() -> Any:
        report = verify_presentation(presentation, context, json_text=False)
        challenges.check_replay(session, report, expect, now)  # challenges of POST /challenges
        return report

    return _answer(await run_in_threadpool(verify), load_registry(session))

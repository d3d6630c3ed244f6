"""VC-API verification endpoints, as the W3C test suites call them.

``POST /credentials/verify`` and ``POST /presentations/verify`` take
``{"verifiableCredential" | "verifiablePresentation": ..., "options": {...}}`` and answer
200 with ``{"verified": true, "checks", "warnings", "errors"}`` when valid, 400 with
``verified: false`` (and the failed checks as errors) when not. Either may be an
``EnvelopedVerifiableCredential`` / ``EnvelopedVerifiablePresentation`` (VC DM 2.0 §4.13).
At ``/presentations/verify`` holder binding is checked only when
``options.requireHolderBinding`` is true (reported, not required, otherwise).
``/credentials/verify`` answers for a credential only: a presentation there is a 400 with a
failed ``format`` check naming the other endpoint.
"""

from __future__ import annotations

from dataclasses import replace
from functools import partial
from typing import Any, Literal, TypeVar

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator
from starlette.concurrency import run_in_threadpool

from shared.errors import InvalidInputError
from shared.verify.presentation import verify_presentation
from shared.verify.report import CheckName
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

#: the report formats of a presentation (VC DM 2.0 §4.13; an SD-JWT with a KB-JWT is one)
_PRESENTATION_FORMATS = frozenset({"ldp_vp", "vp+jwt", "jwt_vp_json", "sd-jwt+kb"})


#: ``checks`` names what the caller wants checked; every check runs whatever it names.
KNOWN_CHECKS = ("credentialStatus", "proof")


class _VerifyOptions(BaseModel):
    """Options understood at both endpoints: the VC-API's (VerifyCredentialOptions,
    VerifyPresentationOptions) and ``checks`` as the W3C test suites send it. VCALM
    §"Options": "Implementations MUST throw an error if an endpoint receives data, options,
    or option values that it does not understand" (``extra="forbid"``, no coercion)."""

    model_config = ConfigDict(extra="forbid", strict=True)

    challenge: str | None = None
    checks: list[Literal["credentialStatus", "proof"]] | None = None
    domain: str | None = None
    #: the VC-API's camelCase names
    returnProblemDetails: bool | None = None
    returnResults: bool | None = None

    @field_validator("*", mode="before")
    @classmethod
    def _given_means_a_value(cls, value: object) -> object:
        if value is None:  # an option sent as null is not "absent"
            raise ValueError("null")
        return value


class CredentialOptions(_VerifyOptions):
    returnCredential: bool | None = None


class PresentationOptions(_VerifyOptions):
    #: ours: holder binding checked and required (reported, not required, otherwise)
    requireHolderBinding: bool | None = None
    returnPresentation: bool | None = None


OptionsT = TypeVar("OptionsT", bound=_VerifyOptions)


def _option_error(name: str, message: str) -> InvalidInputError:
    return InvalidInputError(f"options.{name[:60]} {message}", option=name[:60])


def _refusal(name: str, allowed: list[str]) -> InvalidInputError:
    """What is wrong with option ``name``, in the words the endpoints always gave."""
    if name not in allowed:
        return _option_error(name, f"is not understood here; use: {', '.join(allowed)}")
    if name in {"challenge", "domain"}:
        return _option_error(name, "must be a string")
    if name == "checks":
        return _option_error(name, f"must be a list of: {', '.join(KNOWN_CHECKS)}")
    return _option_error(name, "must be true or false")


def _read_options(body: dict[str, Any], model: type[OptionsT]) -> OptionsT:
    """The request's ``options``, each name and value checked (400 naming the first option,
    in the request's order, that is not understood or not of its type)."""
    options = body.get("options")
    if options is None:
        return model()
    if not isinstance(options, dict):
        raise InvalidInputError("options must be an object", option="options")
    try:
        return model.model_validate(options)
    except ValidationError as err:
        wrong = {str(e["loc"][0]) for e in err.errors() if e["loc"]}
        first = next(name for name in options if name in wrong)
        raise _refusal(first, list(model.model_fields)) from None


def _options(options: _VerifyOptions) -> Expectations:
    return Expectations(challenge=options.challenge, domain=options.domain)


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

    context = res.verifier.context(_options(_read_options(body, CredentialOptions)))
    # a member of a JSON body: a map or a token, never JSON text in a string
    report = await run_in_threadpool(
        partial(verify_credential, json_text=False), credential, context
    )
    if report.format in _PRESENTATION_FORMATS:
        # the engine verifies whatever it is given; this endpoint answers for a credential
        # only, and a presentation's "verified" would name no issuer that signed anything
        report.failed(
            CheckName.FORMAT,
            f"verifiableCredential holds a presentation ({report.format}): send it to "
            "POST /presentations/verify as verifiablePresentation",
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
    options = _read_options(body, PresentationOptions)
    expect = challenges.with_issued_domain(session, _options(options))
    # VC DM 2.0 §4.13 requires no holder: binding is asked for, not assumed (OpenID4VP
    # always requires it); the report's holder_binding check says which applied
    context = replace(
        res.verifier.context(expect),
        require_holder_binding=bool(options.requireHolderBinding),
    )
    now = res.clock()

    def verify() -> Any:
        report = verify_presentation(presentation, context, json_text=False)
        challenges.check_replay(session, report, expect, now)  # challenges of POST /challenges
        return report

    return _answer(await run_in_threadpool(verify), load_registry(session))

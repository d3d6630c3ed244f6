"""VC-API (W3C CCG VC API v0.3): ``POST /credentials/issue`` and ``POST /credentials/status``.

Authenticated with an organisation's API key (or admin session); the organisation is the
key's. ``options.credentialStatus`` (``{"type": "BitstringStatusListEntry"}``) asks for
revocation and suspension entries. ``options.cryptosuite`` (with ``options.type``
``DataIntegrityProof``) chooses eddsa-rdfc-2022 (the default) or eddsa-jcs-2022;
``options.format`` ``application/vc+jwt`` asks for a VC-JOSE-COSE token, returned as an
``EnvelopedVerifiableCredential``. Any other option answers 400 naming it.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from issuer.api.auth import AdminContext, AdminDep, PrincipalDep
from issuer.db.models import Organisation
from issuer.deps import ResourcesDep, SessionDep
from issuer.schemas import VcApiIssueIn, VcApiIssueOut, VcApiStatusIn
from issuer.service.issuance import VC_JWT, sign_vc_api_credential
from issuer.service.status import change_status
from servicekit.schemas import EmptyOut
from shared.errors import InvalidInputError, NotFoundError
from shared.proofs.data_integrity import CRYPTOSUITES, RDFC

router = APIRouter(tags=["vc-api"])


def _ctx_for(principal: Any, session: SessionDep, res: ResourcesDep) -> AdminContext:
    org = session.get(Organisation, principal.org_id)
    if org is None:
        raise NotFoundError("the API key's organisation no longer exists")
    return AdminContext(org, principal, f"{res.settings.base_url}/orgs/{org.slug}")


#: The issue options understood here. The VC-API (VCALM §"Options") leaves the securing
#: mechanism to the instance's configuration and lets implementations extend ``options``;
#: these extensions are the ones the W3C test-suite implementations send
#: (docs/decisions/vc-api-issue-options.md). "Implementations MUST throw an error if an
#: endpoint receives data, options, or option values that it does not understand".
ISSUE_OPTIONS = ("credentialStatus", "cryptosuite", "format", "type")
DI_FORMAT, JWT_FORMAT = "application/vc", "application/vc+jwt"  # VC DM 2.0 §6.1, VC-JOSE-COSE §6.1


def _unsupported(option: str, value: Any, allowed: tuple[str, ...]) -> InvalidInputError:
    shown = json.dumps(value)[:80]
    return InvalidInputError(
        f"options.{option} {shown} is not supported here; use one of: {', '.join(allowed)}",
        option=option,
    )


def securing_of(options: dict[str, Any]) -> str:
    """The cryptosuite, or ``vc+jwt``, the issue ``options`` ask for (default eddsa-rdfc-2022).

    Raises:
        InvalidInputError: an option not understood, a value not supported, or a
            cryptosuite asked for a vc+jwt (naming the option in ``option``).
    """
    for name in options:
        if name not in ISSUE_OPTIONS:
            raise InvalidInputError(
                f"options.{name[:60]} is not understood here; the issue options are "
                f"{', '.join(ISSUE_OPTIONS)}",
                option=name[:60],
            )
    fmt = options.get("format", DI_FORMAT)
    if fmt not in (DI_FORMAT, JWT_FORMAT):
        raise _unsupported("format", fmt, (DI_FORMAT, JWT_FORMAT))
    proof_type = options.get("type")
    if proof_type is not None and proof_type != "DataIntegrityProof":
        raise _unsupported("type", proof_type, ("DataIntegrityProof",))
    suite = options.get("cryptosuite")
    if suite is not None and suite not in CRYPTOSUITES:
        raise _unsupported("cryptosuite", suite, CRYPTOSUITES)
    if fmt == JWT_FORMAT:
        for name in ("cryptosuite", "type"):
            if name in options:
                raise InvalidInputError(
                    f"options.{name} applies to Data Integrity proofs, not to "
                    f"options.format {JWT_FORMAT}",
                    option=name,
                )
        return VC_JWT
    return str(suite or RDFC)


def _issue(
    ctx: AdminContext, body: VcApiIssueIn, session: SessionDep, res: ResourcesDep
) -> JSONResponse:
    securing = securing_of(body.options)
    wanted = body.options.get("credentialStatus")
    with_status = False
    if wanted is not None:
        if not isinstance(wanted, dict) or wanted.get("type") != "BitstringStatusListEntry":
            raise InvalidInputError(
                "options.credentialStatus.type must be BitstringStatusListEntry",
                option="credentialStatus",
            )
        with_status = True
    _, signed = sign_vc_api_credential(
        session,
        res.key_store(session),
        ctx.org,
        ctx.org_base,
        body.credential,
        with_status=with_status,
        now=res.clock(),
        actor=ctx.actor,
        securing=securing,
    )
    return JSONResponse({"verifiableCredential": signed}, status_code=201)


def _row_id(credential_id: str) -> str:
    return credential_id.removeprefix("urn:uuid:").replace("-", "")


def _status(
    ctx: AdminContext, body: VcApiStatusIn, session: SessionDep, res: ResourcesDep
) -> JSONResponse:
    for entry in body.credentialStatus:
        status = entry.get("status")
        purpose = entry.get("statusPurpose")
        if status in {"revoked"} or (purpose == "revocation" and status in {True, "1", "true"}):
            action = "revoke"
        elif status == "suspended" or (purpose == "suspension" and status in {True, "1", "true"}):
            action = "suspend"
        elif status in {"unsuspended", "active"} or (
            purpose == "suspension" and status in {False, "0", "false"}
        ):
            action = "unsuspend"
        else:
            raise InvalidInputError(
                "each credentialStatus needs status revoked|suspended|unsuspended, or "
                "statusPurpose with a boolean status"
            )
        reason = str(entry.get("reason") or "VC-API status update")
        change_status(
            session,
            ctx.org,
            _row_id(body.credentialId),
            action,
            reason=reason,
            actor=ctx.actor,
            now=res.clock(),
        )
    return JSONResponse({}, status_code=200)


@router.post("/credentials/issue", status_code=201, response_model=VcApiIssueOut)
def issue(
    body: VcApiIssueIn, principal: PrincipalDep, session: SessionDep, res: ResourcesDep
) -> JSONResponse:
    return _issue(_ctx_for(principal, session, res), body, session, res)


@router.post("/credentials/status", response_model=EmptyOut)
def status(
    body: VcApiStatusIn, principal: PrincipalDep, session: SessionDep, res: ResourcesDep
) -> JSONResponse:
    return _status(_ctx_for(principal, session, res), body, session, res)


@router.post("/orgs/{slug}/credentials/issue", status_code=201, response_model=VcApiIssueOut)
def org_issue(
    body: VcApiIssueIn, ctx: AdminDep, session: SessionDep, res: ResourcesDep
) -> JSONResponse:
    return _issue(ctx, body, session, res)


@router.post("/orgs/{slug}/credentials/status", response_model=EmptyOut)
def org_status(
    body: VcApiStatusIn, ctx: AdminDep, session: SessionDep, res: ResourcesDep
) -> JSONResponse:
    return _status(ctx, body, session, res)

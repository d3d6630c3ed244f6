"""VC-API (W3C CCG VC API v0.3): ``POST /credentials/issue`` and ``POST /credentials/status``.

Authenticated with an organisation's API key (or admin session); the organisation is the
key's. ``options.credentialStatus`` (``{"type": "BitstringStatusListEntry"}``) asks for
revocation and suspension entries. Credentials are signed with eddsa-rdfc-2022.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from issuer.api.auth import AdminContext, AdminDep, PrincipalDep
from issuer.db.models import Organisation
from issuer.deps import ResourcesDep, SessionDep
from issuer.schemas import VcApiIssueIn, VcApiStatusIn
from issuer.service.issuance import sign_vc_api_credential
from issuer.service.status import change_status
from shared.errors import InvalidInputError, NotFoundError

router = APIRouter(tags=["vc-api"])


def _ctx_for(principal: Any, session: SessionDep, res: ResourcesDep) -> AdminContext:
    org = session.get(Organisation, principal.org_id)
    if org is None:
        raise NotFoundError("the API key's organisation no longer exists")
    return AdminContext(org, principal, f"{res.settings.public_url}/orgs/{org.slug}")


def _issue(
    ctx: AdminContext, body: VcApiIssueIn, session: SessionDep, res: ResourcesDep
) -> JSONResponse:
    wanted = body.options.get("credentialStatus")
    with_status = False
    if wanted is not None:
        if not isinstance(wanted, dict) or wanted.get("type") != "BitstringStatusListEntry":
            raise InvalidInputError(
                "options.credentialStatus.type must be BitstringStatusListEntry"
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


@router.post("/credentials/issue")
def issue(
    body: VcApiIssueIn, principal: PrincipalDep, session: SessionDep, res: ResourcesDep
) -> JSONResponse:
    return _issue(_ctx_for(principal, session, res), body, session, res)


@router.post("/credentials/status")
def status(
    body: VcApiStatusIn, principal: PrincipalDep, session: SessionDep, res: ResourcesDep
) -> JSONResponse:
    return _status(_ctx_for(principal, session, res), body, session, res)


@router.post("/orgs/{slug}/credentials/issue")
def org_issue(
    body: VcApiIssueIn, ctx: AdminDep, session: SessionDep, res: ResourcesDep
) -> JSONResponse:
    return _issue(ctx, body, session, res)


@router.post("/orgs/{slug}/credentials/status")
def org_status(
    body: VcApiStatusIn, ctx: AdminDep, session: SessionDep, res: ResourcesDep
) -> JSONResponse:
    return _status(ctx, body, session, res)

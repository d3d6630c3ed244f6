"""Admin API: sign-in, API keys, key rotation, achievements, offers, credentials, status."""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from sqlalchemy import select

from issuer.api.auth import SESSION, AdminDep
from issuer.db.models import ApiKey, IssuedCredential
from issuer.deps import ResourcesDep, SessionDep
from issuer.problems import ConflictError, ForbiddenError, UnauthorizedError
from issuer.schemas import (
    AchievementIn,
    AchievementOut,
    AchievementPatch,
    ApiKeyIn,
    ApiKeyOut,
    AssociationProfileIn,
    AssociationProfileOut,
    DirectIssueIn,
    IssuedCredentialOut,
    LoginIn,
    LoginOut,
    NewApiKeyOut,
    NewOfferOut,
    OfferIn,
    OrgOut,
    StatusChangeIn,
)
from issuer.service import achievements as ach
from issuer.service.baking import bake_png, bake_svg
from issuer.service.images import badge_png, badge_svg
from issuer.service.issuance import Holder, credential_value, issue_credential
from issuer.service.keys import add_org_key, did_document, org_keys
from issuer.service.oid4vci import create_offer
from issuer.service.orgs import (
    association_profile,
    check_password,
    close_session,
    create_api_key,
    open_session,
    password_hasher,
    principal_for_session,
    revoke_api_key,
    update_association_profile,
)
from issuer.service.status import change_status, purposes_for, status_history
from servicekit.csrf import CSRF_HEADER, same_token
from servicekit.ratelimit import account_and_ip, limiter_of
from servicekit.schemas import DidDocumentOut
from shared.errors import NotFoundError
from shared.model import format_datetime

router = APIRouter(prefix="/admin", tags=["admin"])


@router.post("/login", response_model=LoginOut)
def login(
    body: LoginIn, request: Request, response: Response, session: SessionDep, res: ResourcesDep
) -> dict[str, Any]:
    s = res.settings
    limiter_of(request).hit("signin", account_and_ip(body.email, request), s.rate_limit_signin)
    user = check_password(
        session, body.email, body.password, password_hasher(s.argon2_time_cost, s.argon2_memory_kib)
    )
    token, csrf = open_session(session, user, res.clock(), s.session_hours)
    SESSION.open(response, token, s)
    from issuer.db.models import Organisation

    org = session.get(Organisation, user.org_id)
    return {"csrf_token": csrf, "org": org.slug if org else None, "email": user.email}


@router.post("/logout", status_code=204)
def logout(request: Request, response: Response, session: SessionDep, res: ResourcesDep) -> None:
    token = SESSION.read(request)
    if token:
        try:
            principal = principal_for_session(session, token, res.clock())
        except UnauthorizedError:
            principal = None  # an expired session: only the cookie is left to clear
        if principal is not None:
            # a live session ends only with its CSRF token, as every other state change
            if not same_token(request.headers.get(CSRF_HEADER), principal.csrf_token):
                raise ForbiddenError("missing or wrong X-CSRF-Token for this session")
            close_session(session, token)
    SESSION.clear(response)


@router.get("/orgs/{slug}", response_model=OrgOut)
def org_info(ctx: AdminDep, session: SessionDep) -> dict[str, Any]:
    org = ctx.org
    return {
        "slug": org.slug,
        "kind": org.kind,
        "name": org.name,
        "did": org.did,
        "credential_issuer": ctx.org_base,
        "association": association_profile(org),
        "keys": [
            {
                "id": f"{org.did}#{k.fragment}" if org.did_method == "web" else org.did,
                "type": k.key_type,
                "active": k.active,
                "created_at": format_datetime(k.created_at),
                "retired_at": format_datetime(k.retired_at) if k.retired_at else None,
            }
            for k in org_keys(session, org)
        ],
    }


@router.patch("/orgs/{slug}/association", response_model=AssociationProfileOut)
def update_association(
    body: AssociationProfileIn, ctx: AdminDep, session: SessionDep
) -> dict[str, Any]:
    """The association's CEC facts (RNA, SIREN/SIRET, declaration date, field, valideur),
    published in the issuer profile of every credential signed from now on."""
    update_association_profile(ctx.org, body)
    session.flush()
    return association_profile(ctx.org)


@router.post("/orgs/{slug}/keys/rotate", response_model=DidDocumentOut)
def rotate_key(ctx: AdminDep, session: SessionDep, res: ResourcesDep) -> dict[str, Any]:
    add_org_key(session, res.key_store(session), ctx.org, res.settings.key_type, res.clock())
    return did_document(ctx.org, org_keys(session, ctx.org))


@router.post("/orgs/{slug}/api-keys", status_code=201, response_model=NewApiKeyOut)
def new_api_key(
    body: ApiKeyIn, ctx: AdminDep, session: SessionDep, res: ResourcesDep
) -> dict[str, Any]:
    row, secret = create_api_key(session, ctx.org, body.name, ctx.actor, res.clock())
    return {"key_id": row.key_id, "name": row.name, "api_key": secret}


@router.get("/orgs/{slug}/api-keys", response_model=list[ApiKeyOut])
def list_api_keys(ctx: AdminDep, session: SessionDep) -> list[dict[str, Any]]:
    rows = session.scalars(select(ApiKey).where(ApiKey.org_id == ctx.org.id).order_by(ApiKey.id))
    return [
        {
            "key_id": r.key_id,
            "name": r.name,
            "created_by": r.created_by,
            "created_at": format_datetime(r.created_at),
            "revoked_at": format_datetime(r.revoked_at) if r.revoked_at else None,
        }
        for r in rows
    ]


@router.delete("/orgs/{slug}/api-keys/{key_id}", status_code=204)
def delete_api_key(key_id: str, ctx: AdminDep, session: SessionDep, res: ResourcesDep) -> None:
    revoke_api_key(session, ctx.org, key_id, res.clock())


# --------------------------------------------------------------------------- achievements


@router.get("/orgs/{slug}/achievements", response_model=list[AchievementOut])
def list_achievements(ctx: AdminDep, session: SessionDep) -> list[dict[str, Any]]:
    return [ach.achievement_json(ctx.org_base, r) for r in ach.list_achievements(session, ctx.org)]


@router.post("/orgs/{slug}/achievements", status_code=201, response_model=AchievementOut)
def create_achievement(
    body: AchievementIn, ctx: AdminDep, session: SessionDep, res: ResourcesDep
) -> dict[str, Any]:
    row = ach.create_achievement(session, ctx.org, ctx.org_base, body, res.clock())
    return ach.achievement_json(ctx.org_base, row)


@router.get("/orgs/{slug}/achievements/{achievement}", response_model=AchievementOut)
def get_achievement(achievement: str, ctx: AdminDep, session: SessionDep) -> dict[str, Any]:
    return ach.achievement_json(ctx.org_base, ach.get_achievement(session, ctx.org, achievement))


@router.patch("/orgs/{slug}/achievements/{achievement}", response_model=AchievementOut)
def update_achievement(
    achievement: str, body: AchievementPatch, ctx: AdminDep, session: SessionDep, res: ResourcesDep
) -> dict[str, Any]:
    row = ach.update_achievement(session, ctx.org, ctx.org_base, achievement, body, res.clock())
    return ach.achievement_json(ctx.org_base, row)


@router.delete("/orgs/{slug}/achievements/{achievement}", status_code=204)
def archive_achievement(achievement: str, ctx: AdminDep, session: SessionDep) -> None:
    """Archive (issued credentials keep pointing at it; it leaves the metadata)."""
    ach.get_achievement(session, ctx.org, achievement).archived = True


# --------------------------------------------------------------------------- offers


@router.post(
    "/orgs/{slug}/offers",
    status_code=201,
    response_model=NewOfferOut,
    response_model_exclude_unset=True,
)
def new_offer(
    body: OfferIn, ctx: AdminDep, session: SessionDep, res: ResourcesDep
) -> dict[str, Any]:
    created = create_offer(
        session,
        res.settings,
        res.master_secret,
        ctx.org,
        ctx.org_base,
        body,
        actor=ctx.actor,
        now=res.clock(),
    )
    out: dict[str, Any] = {
        "offer_id": created.offer.id,
        "offer_uri": created.offer_uri,
        "credential_offer_uri": created.credential_offer_uri,
        "wallet_link": created.wallet_link,
        "qr_png": f"{created.credential_offer_uri}/qr.png",
        "qr_svg": f"{created.credential_offer_uri}/qr.svg",
        "credential_configuration_ids": created.offer.configuration_ids,
        "expires_at": format_datetime(created.offer.expires_at),
    }
    if created.tx_code is not None:
        out["tx_code"] = created.tx_code
    return out


# --------------------------------------------------------------------------- credentials


def _cred_json(row: IssuedCredential) -> dict[str, Any]:
    return {
        "id": row.id,
        "format": row.format,
        "configuration_id": row.configuration_id,
        "subject_id": row.subject_id,
        "recipient_name": row.recipient_name,
        "status_list_index": row.status_index,
        "status_list": row.status_seq,
        "revoked": row.revoked,
        "suspended": row.suspended,
        "issued_at": format_datetime(row.issued_at),
        "issued_by": row.issued_by,
    }


def _credential(session: SessionDep, ctx: AdminDep, credential_id: str) -> IssuedCredential:
    row = session.get(IssuedCredential, credential_id)
    if row is None or row.org_id != ctx.org.id:
        raise NotFoundError(f"no credential {credential_id}")
    return row


@router.post(
    "/orgs/{slug}/credentials",
    status_code=201,
    response_model=IssuedCredentialOut,
    response_model_exclude_unset=True,
)
def issue_direct(
    body: DirectIssueIn, ctx: AdminDep, session: SessionDep, res: ResourcesDep
) -> dict[str, Any]:
    """Direct delivery: sign now (no wallet), then download as JSON/JWT or baked image."""
    row = issue_credential(
        session,
        res.key_store(session),
        ctx.org,
        ctx.org_base,
        ach.get_achievement(session, ctx.org, body.achievement),
        fmt=body.format,
        recipient_name=body.recipient.name,
        recipient_email=body.recipient.email,
        name_in_clear=body.recipient.name_in_clear,
        subject=body.subject,
        language=body.language,
        holder=Holder(did=body.subject_id),
        now=res.clock(),
        actor=ctx.actor,
        status_purposes=purposes_for(
            res.settings.ob3_status_purposes, suspendable=body.suspendable
        ),
    )
    return {**_cred_json(row), "credential": credential_value(row)}


@router.get(
    "/orgs/{slug}/credentials",
    response_model=list[IssuedCredentialOut],
    response_model_exclude_unset=True,
)
def list_credentials(
    ctx: AdminDep, session: SessionDep, limit: int = 100, offset: int = 0
) -> list[dict[str, Any]]:
    rows = session.scalars(
        select(IssuedCredential)
        .where(IssuedCredential.org_id == ctx.org.id)
        .order_by(IssuedCredential.issued_at.desc())
        .limit(min(max(limit, 1), 500))
        .offset(max(offset, 0))
    )
    return [_cred_json(r) for r in rows]


@router.get(
    "/orgs/{slug}/credentials/{credential_id}",
    response_model=IssuedCredentialOut,
    response_model_exclude_unset=True,
)
def get_credential(credential_id: str, ctx: AdminDep, session: SessionDep) -> dict[str, Any]:
    row = _credential(session, ctx, credential_id)
    return {**_cred_json(row), "history": status_history(session, ctx.org, row.id)}


@router.get(
    "/orgs/{slug}/credentials/{credential_id}/download",
    response_class=Response,
    responses={
        200: {
            "description": "The credential as a file: JSON-LD, a token, or a baked image",
            "content": {
                "application/vc+ld+json": {"schema": {"type": "object"}},
                "application/jwt": {"schema": {"type": "string"}},
                "application/dc+sd-jwt": {"schema": {"type": "string"}},
                "image/png": {"schema": {"type": "string", "format": "binary"}},
                "image/svg+xml": {"schema": {"type": "string"}},
            },
        }
    },
)
def download(
    credential_id: str,
    ctx: AdminDep,
    session: SessionDep,
    as_: Annotated[Literal["json", "jwt", "png", "svg"], Query(alias="as")] = "json",
) -> Response:
    row = _credential(session, ctx, credential_id)
    name = f"badge-{row.id[:8]}"
    if as_ == "json":
        if row.format != "ldp_vc":
            raise ConflictError(f"this credential is a {row.format}; download it as jwt")
        return Response(
            row.document, media_type="application/vc+ld+json", headers=_attachment(f"{name}.json")
        )
    if as_ == "jwt":
        if row.format == "ldp_vc":
            raise ConflictError("this credential is JSON (ldp_vc); download it as json")
        media = "application/dc+sd-jwt" if row.format == "dc+sd-jwt" else "application/jwt"
        return Response(row.document, media_type=media, headers=_attachment(f"{name}.jwt"))
    achievement_name = ""
    if row.format == "ldp_vc":
        achievement_name = json.loads(row.document).get("name", "")
    if as_ == "png":
        return Response(
            bake_png(badge_png(), row.document),
            media_type="image/png",
            headers=_attachment(f"{name}.png"),
        )
    svg = bake_svg(badge_svg(achievement_name or "Open Badge"), row.document)
    return Response(svg, media_type="image/svg+xml", headers=_attachment(f"{name}.svg"))


def _attachment(filename: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{filename}"'}


@router.post(
    "/orgs/{slug}/credentials/{credential_id}/status",
    response_model=IssuedCredentialOut,
    response_model_exclude_unset=True,
)
def set_status(
    credential_id: str, body: StatusChangeIn, ctx: AdminDep, session: SessionDep, res: ResourcesDep
) -> dict[str, Any]:
    row = change_status(
        session,
        ctx.org,
        credential_id,
        body.action,
        reason=body.reason,
        actor=ctx.actor,
        now=res.clock(),
    )
    return {**_cred_json(row), "history": status_history(session, ctx.org, row.id)}

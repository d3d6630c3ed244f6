"""One presentation of one held credential, in the credential's format, bound to the
verifier's nonce and to its FULL client_id, prefix included (OpenID4VP 1.0 §8.1, §14.1):
as the KB-JWT ``aud`` (SD-JWT VC, RFC 9901 §4.3), the VP JWT ``aud`` (jwt_vc_json), or the
proof ``domain`` (Data Integrity, ldp_vc)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from shared.errors import InvalidInputError, NotFoundError
from shared.proofs.data_integrity import RDFC, add_proof
from shared.proofs.sd_jwt import present_sd_jwt
from shared.proofs.vc_jwt import envelope_vc_jwt, sign_vp_jwt
from wallet.service import identities, storage
from wallet.service.accounts import Principal
from wallet.service.identities import HolderKey
from wallet.service.pending_presentation import ClaimPath

VC_V2 = "https://www.w3.org/ns/credentials/v2"
VC_V1 = "https://www.w3.org/2018/credentials/v1"
VP_LIFETIME = timedelta(minutes=5)


def _holder_for(session: Session, who: Principal, view: storage.CredentialView) -> HolderKey:
    ident = view.summary.get("holder_identity")
    row = None
    if isinstance(ident, str):
        try:
            row = identities.get_identity(session, who, ident)
        except NotFoundError:
            row = None
    if row is None:
        subject = view.summary.get("subject")
        row = (
            identities.identity_by_did(session, who, str(subject).split("#")[0])
            if subject
            else None
        )
    return identities.holder_key(who, row or identities.default_identity(session, who))


def build_presentation(
    session: Session,
    who: Principal,
    view: storage.CredentialView,
    *,
    client_id: str,
    nonce: str,
    disclose: Sequence[ClaimPath],
    holder: HolderKey | None = None,
) -> Any:
    """One presentation of one credential, bound to ``nonce`` and the full ``client_id``."""
    fmt = storage.DCQL_FORMATS[view.format]
    issued = datetime.now(UTC)
    if fmt == "dc+sd-jwt":
        bound = _holder_for(session, who, view)  # the KB-JWT must be signed by the cnf key
        return present_sd_jwt(
            view.raw,
            disclose=list(disclose),
            holder_key=bound.key,
            audience=client_id,
            nonce=nonce,
            issued_at=issued,
        )
    key = holder or _holder_for(session, who, view)
    if fmt == "jwt_vc_json":
        return _vp_jwt(view, key, client_id=client_id, nonce=nonce, issued=issued)
    return _data_integrity_vp(view, key, client_id=client_id, nonce=nonce, issued=issued)


def _vp_jwt(
    view: storage.CredentialView, key: HolderKey, *, client_id: str, nonce: str, issued: datetime
) -> str:
    """A VP JWT around a JWT credential: ``vp+jwt`` (VC-JOSE-COSE) for a VCDM 2.0 one,
    ``jwt_vp_json`` (VCDM 1.1) otherwise."""
    if view.format == "vc+jwt":
        vp = {
            "@context": [VC_V2],
            "type": ["VerifiablePresentation"],
            "holder": key.did,
            "verifiableCredential": [envelope_vc_jwt(view.raw)],
        }
        profile = "vp+jwt"
    else:
        vp = {
            "@context": [VC_V1],
            "type": ["VerifiablePresentation"],
            "holder": key.did,
            "verifiableCredential": [view.raw],
        }
        profile = "jwt_vp_json"
    return sign_vp_jwt(
        vp,
        key.key,
        key.kid,
        profile=profile,  # type: ignore[arg-type]
        nonce=nonce,
        audience=client_id,
        issued_at=issued,
        expires_at=issued + VP_LIFETIME,
    )


def _data_integrity_vp(
    view: storage.CredentialView, key: HolderKey, *, client_id: str, nonce: str, issued: datetime
) -> dict[str, Any]:
    """A presentation signed with an ``eddsa-rdfc-2022`` proof, the nonce as its
    ``challenge`` and the client_id as its ``domain``."""
    credential = json.loads(view.raw)
    contexts = credential.get("@context")
    first = contexts[0] if isinstance(contexts, list) and contexts else VC_V2
    vp = {
        "@context": [first],
        "type": ["VerifiablePresentation"],
        "holder": key.did,
        "verifiableCredential": [credential],
    }
    if key.key.key_type != "Ed25519":
        raise InvalidInputError("Data Integrity presentations need an Ed25519 identity (eddsa)")
    return add_proof(
        vp,
        key.key.sign,
        key.kid,
        cryptosuite=RDFC,
        proof_purpose="authentication",
        challenge=nonce,
        domain=client_id,
        created=issued,
    )

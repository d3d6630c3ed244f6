"""Credentials, status lists and presentations for the verifier's tests (deterministic keys)."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from shared.did import did_key_from_public, verification_method_id
from shared.keys import PrivateKey
from shared.proofs.data_integrity import JCS, add_proof
from shared.proofs.sd_jwt import present_sd_jwt
from shared.proofs.sd_jwt_vc import issue_ob3_sd_jwt_vc
from shared.proofs.vc_jwt import sign_vc_jwt, sign_vp_jwt
from shared.status import generate_encoded_list

VC_V2 = "https://www.w3.org/ns/credentials/v2"
OB3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
CREATED = datetime(2026, 1, 1, tzinfo=UTC)
STATUS_URL = "https://issuer.example/status/3"
#: presentations are made one minute before the tests' fixed clock (2026-11-21 12:00 UTC)
PRESENTED_AT = datetime(2026, 11, 21, 11, 59, tzinfo=UTC)


def key(label: str, kind: str = "Ed25519") -> PrivateKey:
    seed = hashlib.sha256(f"musette-verifier-tests/{label}".encode()).digest()
    return PrivateKey.from_raw(kind, seed)


ISSUER = key("issuer")
HOLDER = key("holder")
HOLDER_P256 = key("holder-p256", "P-256")
OTHER = key("other")


def did(k: PrivateKey) -> str:
    return did_key_from_public(k.public_key)


def kid(k: PrivateKey) -> str:
    return verification_method_id(did(k))


def badge(
    *,
    issuer: PrivateKey = ISSUER,
    subject: str | None = None,
    achievement_type: str = "CommunityService",
    name: str = "Bénévole — encadrement",
    status_index: int | None = None,
    status_url: str = STATUS_URL,
    rating: str | None = None,
    issuer_name: str = "Association Démo (auto-déclarée)",
    valid_until: str | None = None,
    scale: tuple[str, str] | None = ("0", "5"),
    count: str | None = None,
    hours: str | None = None,
    subject_extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """An OB 3.0 credential; ``rating`` adds an ext:Rating result on ``scale`` (valueMin,
    valueMax; None: no scale) and ``count`` an ext:RatingCount; ``hours`` an
    ext:VolunteerHours result; ``subject_extra`` more subject claims (role, activity dates)."""
    achievement: dict[str, Any] = {
        "id": "https://issuer.example/achievements/volunteer",
        "type": ["Achievement"],
        "achievementType": achievement_type,
        "name": name,
        "description": "Encadrement d'une équipe de bénévoles.",
        "criteria": {"narrative": "Au moins 40 heures d'encadrement."},
    }
    subject_doc: dict[str, Any] = {
        "id": subject or did(HOLDER),
        "type": ["AchievementSubject"],
        "achievement": achievement,
        **(subject_extra or {}),
    }
    descriptions: list[dict[str, Any]] = []
    results: list[dict[str, Any]] = []
    for value, rd_id, rd_name, rd_type in (
        (rating, "urn:uuid:5f0e1f3c-1c7d-4f5b-9a51-5c1f2d0f6a10", "Note moyenne", "ext:Rating"),
        (count, "urn:uuid:5f0e1f3c-1c7d-4f5b-9a51-5c1f2d0f6a11", "Avis", "ext:RatingCount"),
        (hours, "urn:uuid:5f0e1f3c-1c7d-4f5b-9a51-5c1f2d0f6a12", "Heures", "ext:VolunteerHours"),
    ):
        if value is None:
            continue
        desc: dict[str, Any] = {
            "id": rd_id,
            "type": ["ResultDescription"],
            "name": rd_name,
            "resultType": rd_type,
            "valueMin": "0",
        }
        if rd_type == "ext:Rating":
            del desc["valueMin"]
            if scale is not None:
                desc["valueMin"], desc["valueMax"] = scale
        descriptions.append(desc)
        results.append({"type": ["Result"], "resultDescription": rd_id, "value": value})
    if descriptions:
        achievement["resultDescription"] = descriptions
        subject_doc["result"] = results
    # the ids of badges without the newer options stay as they were
    no_options = (scale, count, hours) == (("0", "5"), None, None)
    extra: list[object] = [] if no_options else [scale, count, hours]
    extra += [subject_extra] if subject_extra else []
    doc: dict[str, Any] = {
        "@context": [VC_V2, OB3],
        "id": f"urn:uuid:{hashlib.md5(json.dumps([name, subject, status_index, rating, *extra]).encode()).hexdigest()}",  # noqa: S324
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": did(issuer), "type": ["Profile"], "name": issuer_name},
        "validFrom": "2026-01-01T00:00:00Z",
        "name": name,
        "credentialSubject": subject_doc,
    }
    if valid_until is not None:
        doc["validUntil"] = valid_until
    if status_index is not None:
        doc["credentialStatus"] = {
            "id": f"{status_url}#{status_index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(status_index),
            "statusListCredential": status_url,
        }
    return doc


def status_list(
    revoked: tuple[int, ...] = (), *, url: str = STATUS_URL, ttl_ms: int | None = None
) -> dict[str, Any]:
    bits = bytearray(16 * 1024)
    for index in revoked:
        bits[index // 8] |= 0x80 >> (index % 8)
    subject: dict[str, Any] = {
        "id": f"{url}#list",
        "type": "BitstringStatusList",
        "statusPurpose": "revocation",
        "encodedList": generate_encoded_list(bytes(bits)),
    }
    if ttl_ms is not None:
        subject["ttl"] = ttl_ms
    doc = {
        "@context": [VC_V2],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": did(ISSUER),
        "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": subject,
    }
    return add_proof(doc, ISSUER.sign, kid(ISSUER), cryptosuite=JCS, created=CREATED)


def ldp_vc(
    credential: dict[str, Any], issuer: PrivateKey = ISSUER, suite: str = JCS
) -> dict[str, Any]:
    return add_proof(credential, issuer.sign, kid(issuer), cryptosuite=suite, created=CREATED)


def vc_jwt(
    credential: dict[str, Any], issuer: PrivateKey = ISSUER, profile: str = "jwt_vc_json"
) -> str:
    return sign_vc_jwt(credential, issuer, kid(issuer), profile=profile)  # type: ignore[arg-type]


def sd_jwt_vc(credential: dict[str, Any], holder: PrivateKey = HOLDER_P256) -> str:
    return issue_ob3_sd_jwt_vc(
        credential,
        issuer_key=ISSUER,
        kid=kid(ISSUER),
        holder_jwk=holder.public_key.to_jwk(),
        issued_at=CREATED,
    )


def ldp_vp(
    credentials: list[dict[str, Any]],
    *,
    challenge: str,
    domain: str,
    holder: PrivateKey = HOLDER,
    suite: str = JCS,
) -> dict[str, Any]:
    vp = {
        "@context": [VC_V2],
        "type": ["VerifiablePresentation"],
        "holder": did(holder),
        "verifiableCredential": credentials,
    }
    return add_proof(
        vp,
        holder.sign,
        kid(holder),
        cryptosuite=suite,
        proof_purpose="authentication",
        challenge=challenge,
        domain=domain,
        created=PRESENTED_AT,
    )


def vp_jwt(tokens: list[str], *, nonce: str, audience: str, holder: PrivateKey = HOLDER) -> str:
    vp = {
        "@context": [VC_V2],
        "type": ["VerifiablePresentation"],
        "holder": did(holder),
        "verifiableCredential": [
            {
                "@context": [VC_V2],
                "type": "EnvelopedVerifiableCredential",
                "id": f"data:application/vc+jwt,{t}",
            }
            for t in tokens
        ],
    }
    return sign_vp_jwt(vp, holder, kid(holder), nonce=nonce, audience=audience)


def sd_jwt_presentation(
    token: str,
    *,
    nonce: str,
    audience: str,
    disclose: tuple[tuple[Any, ...], ...] = (("credentialSubject",),),
    holder: PrivateKey = HOLDER_P256,
) -> str:
    return present_sd_jwt(
        token,
        disclose=disclose,
        holder_key=holder,
        audience=audience,
        nonce=nonce,
        issued_at=PRESENTED_AT,
    )

"""SD-JWT VC: issuing Open Badges 3.0 credentials as SD-JWT VCs, and their claim mapping.

Verification into a report is :mod:`shared.verify.sd_jwt_vc`'s.

Implements: SD-JWT-based Verifiable Digital Credentials, draft-ietf-oauth-sd-jwt-vc-14
(Feb 2026), https://datatracker.ietf.org/doc/draft-ietf-oauth-sd-jwt-vc/ , over RFC 9901
(:mod:`shared.proofs.sd_jwt`). Issuer keys come from DIDs only; the ``.well-known/jwt-vc-issuer``
metadata and ``x5c`` methods of §3.5 are not implemented.

The Open Badges 3.0 claim layout follows the ``@sd-jwt/sd-jwt-vc`` 0.19 reference vectors
(tests/data/peers/ob3-sd-jwt-vc*.sdjwt): the credential's own properties (``name``,
``validFrom``, ...) are top-level claims, ``credentialSubject.achievement`` is lifted to a
top-level ``achievement`` claim, the rest of ``credentialSubject`` stays under
``credentialSubject``, and the issuer DID is ``iss``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any, Final

from shared.errors import InvalidInputError
from shared.keys.keypair import PrivateKey
from shared.model.base import parse_datetime
from shared.proofs.sd_jwt import (
    LEGACY_SD_JWT_TYP,
    SD_JWT_TYP,
    ClaimPath,
    SaltSource,
    default_salt,
    issue_sd_jwt,
)

__all__ = [
    "ACCEPTED_TYPS",
    "NON_DISCLOSABLE_CLAIMS",
    "OB3_DEFAULT_DISCLOSABLE",
    "OB3_VCT",
    "SD_JWT_KB_FORMAT",
    "issue_ob3_sd_jwt_vc",
    "issue_sd_jwt_vc",
    "ob3_to_sd_jwt_claims",
    "sd_jwt_claims_to_ob3",
]

#: The ``vct`` the reference vectors use for an Open Badges 3.0 credential.
OB3_VCT: Final = "https://purl.imsglobal.org/spec/ob/v3p0#OpenBadgeCredential"
#: ``report.format`` of an SD-JWT+KB verified as a presentation (RFC 9901 §4, "SD-JWT+KB").
SD_JWT_KB_FORMAT: Final = "sd-jwt+kb"
#: ``typ`` values accepted on input; ``vc+sd-jwt`` is the name before draft-06.
ACCEPTED_TYPS: Final = frozenset({SD_JWT_TYP, LEGACY_SD_JWT_TYP})
#: SD-JWT VC §3.2.2.2: these claims "MUST NOT be selectively disclosed".
NON_DISCLOSABLE_CLAIMS: Final = frozenset(
    {"iss", "nbf", "exp", "cnf", "vct", "vct#integrity", "status"}
)
#: JWT/SD-JWT VC claims that are not part of the OB 3.0 credential.
_REGISTERED: Final = frozenset(
    {*NON_DISCLOSABLE_CLAIMS, "iat", "sub", "jti", "issuer", "achievement", "credentialSubject"}
)
#: Properties of an OB 3.0 AchievementCredential (besides @context, id, type, issuer,
#: credentialSubject, credentialStatus, proof) that stay top-level properties on the way back.
_OB3_CREDENTIAL_PROPERTIES: Final = frozenset(
    {
        "name",
        "description",
        "image",
        "validFrom",
        "validUntil",
        "awardedDate",
        "issuanceDate",
        "expirationDate",
        "evidence",
        "endorsement",
        "endorsementJwt",
        "credentialSchema",
        "termsOfUse",
        "refreshService",
    }
)
_VCDM2_CONTEXT: Final = "https://www.w3.org/ns/credentials/v2"
_OB3_CONTEXT: Final = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"

#: Default selectively disclosable claims of an OB 3.0 credential. The whole subject is
#: disclosable (as in the reference vectors), and inside it the subject DID, each identifier,
#: each result and each result's value separately, so a worker can show a score without the
#: number of ratings, and the period (activity dates) on its own, so a rating can be shown
#: without when it was earned. Paths that select nothing in a given credential are ignored.
OB3_DEFAULT_DISCLOSABLE: Final[tuple[ClaimPath, ...]] = (
    ("credentialSubject",),
    ("credentialSubject", "id"),
    ("credentialSubject", "identifier", None),
    ("credentialSubject", "result", None),
    ("credentialSubject", "result", None, "value"),
    ("credentialSubject", "activityStartDate"),
    ("credentialSubject", "activityEndDate"),
    ("evidence", None),
    ("given_name",),
    ("family_name",),
)


def _epoch(value: Any, name: str) -> int:
    return int(parse_datetime(value, name).timestamp())


def ob3_to_sd_jwt_claims(credential: Mapping[str, Any]) -> dict[str, Any]:
    """Map an OB 3.0 (Achievement)Credential to SD-JWT VC claims, in the reference layout.

    ``issuer.id`` becomes ``iss`` (other issuer profile members stay in an ``issuer`` claim),
    ``id`` becomes ``jti``, ``credentialStatus`` becomes ``status``, ``validFrom``/``validUntil``
    also give ``nbf``/``exp``. ``@context``, ``type`` and ``proof`` are dropped: ``vct``
    names the type.

    Raises:
        InvalidInputError: the credential has no issuer id or more than one subject.
    """
    issuer = credential.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, Mapping) else issuer
    if not isinstance(issuer_id, str):
        raise InvalidInputError("the credential's issuer has no id")
    subject = credential.get("credentialSubject", {})
    if not isinstance(subject, Mapping):
        raise InvalidInputError("the credential must have exactly one credentialSubject object")
    claims: dict[str, Any] = {"vct": OB3_VCT, "iss": issuer_id}
    if isinstance(issuer, Mapping) and set(issuer) - {"id"}:
        claims["issuer"] = dict(issuer)
    if isinstance(credential.get("id"), str):
        claims["jti"] = credential["id"]
    skip = {"@context", "id", "type", "issuer", "credentialSubject", "credentialStatus", "proof"}
    claims.update({k: v for k, v in credential.items() if k not in skip})
    if "validFrom" in credential:
        claims["nbf"] = _epoch(credential["validFrom"], "validFrom")
    if "validUntil" in credential:
        claims["exp"] = _epoch(credential["validUntil"], "validUntil")
    if "credentialStatus" in credential:
        claims["status"] = credential["credentialStatus"]
    if "achievement" in subject:
        claims["achievement"] = subject["achievement"]
    rest = {k: v for k, v in subject.items() if k != "achievement"}
    if rest:
        claims["credentialSubject"] = rest
    return claims


def sd_jwt_claims_to_ob3(claims: Mapping[str, Any]) -> dict[str, Any]:
    """Rebuild an OB 3.0 credential from processed SD-JWT VC claims, for display.

    The result is unsigned and may lack whatever the holder did not disclose. Top-level claims
    that are neither registered JWT claims nor OB 3.0 credential properties (``given_name``)
    are subject claims and go into ``credentialSubject``.
    """
    credential: dict[str, Any] = {
        "@context": [_VCDM2_CONTEXT, _OB3_CONTEXT],
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
    }
    if isinstance(claims.get("jti"), str):
        credential["id"] = claims["jti"]
    issuer: dict[str, Any] = {}
    if isinstance(claims.get("issuer"), Mapping):
        issuer.update(claims["issuer"])
    if isinstance(claims.get("iss"), str):
        issuer["id"] = claims["iss"]
    if issuer:
        issuer.setdefault("type", ["Profile"])
        credential["issuer"] = issuer
    subject: dict[str, Any] = {}
    for key, value in claims.items():
        if key in _OB3_CREDENTIAL_PROPERTIES:
            credential[key] = value
        elif key not in _REGISTERED:
            subject[key] = value
    if "validFrom" not in credential and isinstance(claims.get("nbf"), int | float):
        credential["validFrom"] = _iso(claims["nbf"])
    if "validUntil" not in credential and isinstance(claims.get("exp"), int | float):
        credential["validUntil"] = _iso(claims["exp"])
    if isinstance(claims.get("credentialSubject"), Mapping):
        subject.update(claims["credentialSubject"])
    if "achievement" in claims:
        subject["achievement"] = claims["achievement"]
    if "id" not in subject and isinstance(claims.get("sub"), str):
        subject["id"] = claims["sub"]
    if "status" in claims:
        credential["credentialStatus"] = claims["status"]
    credential["credentialSubject"] = subject
    return credential


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat().replace("+00:00", "Z")


def issue_sd_jwt_vc(
    claims: Mapping[str, Any],
    *,
    issuer_key: PrivateKey,
    kid: str,
    disclosable: Iterable[ClaimPath] = (),
    holder_jwk: Mapping[str, Any] | None = None,
    issued_at: datetime | None = None,
    salt: SaltSource = default_salt,
    decoys: int = 0,
    ignore_missing: bool = False,
) -> str:
    """Issue an SD-JWT VC (``typ`` ``dc+sd-jwt``), adding ``iat`` when missing.

    Spec: draft-ietf-oauth-sd-jwt-vc-14 §3.2. ``kid`` is the issuer's DID URL.

    Raises:
        InvalidInputError: ``vct`` or ``iss`` is missing, or a path makes one of
            :data:`NON_DISCLOSABLE_CLAIMS` disclosable.
    """
    paths = list(disclosable)
    if not isinstance(claims.get("vct"), str):
        raise InvalidInputError("an SD-JWT VC needs a 'vct' string")  # §3.2.2.1.1: REQUIRED
    if not isinstance(claims.get("iss"), str):
        raise InvalidInputError("an SD-JWT VC issued here needs 'iss' (the issuer DID)")
    for path in paths:
        if len(path) >= 1 and path[0] in NON_DISCLOSABLE_CLAIMS:
            raise InvalidInputError(f"claim {path[0]!r} must not be selectively disclosable")
    payload = dict(claims)
    payload.setdefault("iat", int((issued_at or datetime.now(UTC)).timestamp()))
    return issue_sd_jwt(
        payload,
        issuer_key=issuer_key,
        disclosable=paths,
        holder_jwk=holder_jwk,
        salt=salt,
        decoys=decoys,
        typ=SD_JWT_TYP,
        header={"kid": kid},
        ignore_missing=ignore_missing,
    )


def issue_ob3_sd_jwt_vc(
    credential: Mapping[str, Any],
    *,
    issuer_key: PrivateKey,
    kid: str,
    holder_jwk: Mapping[str, Any] | None = None,
    disclosable: Iterable[ClaimPath] = OB3_DEFAULT_DISCLOSABLE,
    issued_at: datetime | None = None,
    salt: SaltSource = default_salt,
    decoys: int = 0,
) -> str:
    """Issue an OB 3.0 credential as an SD-JWT VC (see :func:`ob3_to_sd_jwt_claims`).

    Paths of ``disclosable`` that select nothing in this credential are ignored.
    """
    return issue_sd_jwt_vc(
        ob3_to_sd_jwt_claims(credential),
        issuer_key=issuer_key,
        kid=kid,
        disclosable=disclosable,
        holder_jwk=holder_jwk,
        issued_at=issued_at,
        salt=salt,
        decoys=decoys,
        ignore_missing=True,
    )

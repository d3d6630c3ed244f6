"""Credentials and presentations secured as JWTs: sign, and decode.

Verification into a report is :mod:`shared.verify.vc_jwt`'s.

Implements:

* W3C VC-JOSE-COSE 1.0 (Recommendation, 2025) §3.1.1 ``vc+jwt`` and §3.1.2 ``vp+jwt``
  (the payload is the credential/presentation itself; ``vc``/``vp`` claims forbidden),
  §6.1 key discovery (``kid``, ``iss``) and §3.3/§2.1 ``EnvelopedVerifiableCredential``.
* 1EdTech Open Badges 3.0 §8.2 "JSON Web Token Proof Format" (``typ`` ``JWT``, key in
  ``kid`` or ``jwk``; ``iss``/``jti``/``nbf``/``sub``/``exp`` claims, §8.2.6.1 checks).
  3.0.0 to 3.0.2 put the credential in a ``vc`` claim; 3.0.3 makes the payload the credential.
* W3C VC Data Model 1.1 §6.3.1 "JWT and JWS Considerations": ``vc``/``vp`` claims, with
  ``iss``, ``nbf``, ``exp``, ``jti``, ``sub`` mapped back onto the credential on decoding.

Profiles (``report.format``): ``vc+jwt``, ``vp+jwt``, ``jwt_vc_json`` (``typ`` JWT or absent,
credential in ``vc`` or as the payload) and ``jwt_vp_json`` (``vp`` claim), the last two
named after their OpenID4VCI/OpenID4VP format identifiers.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any, Final, Literal

from shared.errors import (
    InvalidInputError,
    MalformedCredentialError,
)
from shared.keys.keypair import PrivateKey
from shared.model.base import holder_id, issuer_id, parse_datetime
from shared.proofs.jose import (
    Jws,
    sign_jws,
)

VcJwtProfile = Literal["vc+jwt", "jwt_vc_json"]
VpJwtProfile = Literal["vp+jwt", "jwt_vp_json"]

VC_V1: Final = "https://www.w3.org/2018/credentials/v1"
VC_V2: Final = "https://www.w3.org/ns/credentials/v2"
#: VC-JOSE-COSE §3.3 / VC DM 2.0 §4.13: an enveloped credential is a ``data:`` URL.
ENVELOPED_VC_JWT_PREFIX: Final = "data:application/vc+jwt,"
#: RFC 7519 §4.1.4/§4.1.5: the NumericDate claims that bound a JWT's validity.
JWT_TIME_CLAIMS: Final = ("nbf", "exp")


# --------------------------------------------------------------------------- profiles


def detect_profile(jws: Jws) -> tuple[str, Literal["vc", "vp"]]:
    """Name the JWT profile of a parsed token and whether it secures a credential or a VP.

    Raises:
        MalformedCredentialError: an unknown ``typ``/``cty``, or ``vc``/``vp`` claims in a
            ``vc+jwt``/``vp+jwt`` token.
    """
    typ = _media_type(jws.typ)
    cty = _media_type(jws.header.get("cty"))
    payload = jws.payload
    if typ in {"vc+jwt", "vp+jwt"}:
        kind: Literal["vc", "vp"] = "vc" if typ == "vc+jwt" else "vp"
        # VC-JOSE-COSE §3.1.1/§3.1.2: "When present, the cty header parameter SHOULD be vc"
        # (vp). The W3C test suite expects a token with another cty to be rejected.
        if cty is not None and cty != kind:
            raise MalformedCredentialError(f"a {typ} token must have cty '{kind}', not {cty!r}")
        # VC-JOSE-COSE §2.1: "The JWT Claim Names vc and vp MUST NOT be present".
        present = [claim for claim in ("vc", "vp") if claim in payload]
        if present:
            raise MalformedCredentialError(
                f"a {typ} token must not carry the {' or '.join(present)} claim"
            )
        return typ, kind
    if typ is None or typ == "jwt":
        # OB 3.0 §8.2.3: typ "If present, MUST be set to "JWT"".
        if "vc" in payload and "vp" not in payload:
            return "jwt_vc_json", "vc"
        if "vp" in payload and "vc" not in payload:
            return "jwt_vp_json", "vp"
        if "VerifiableCredential" in _as_list(payload.get("type")):
            return "jwt_vc_json", "vc"  # OB 3.0.3 §8.2.4.1: the payload is the credential
        raise MalformedCredentialError(
            "a JWT credential needs a 'vc' claim (VC 1.1) or a credential as its payload"
        )
    raise MalformedCredentialError(
        f"typ {jws.typ!r} is not vc+jwt, vp+jwt or JWT (VC-JOSE-COSE §3.1, OB 3.0 §8.2.3)"
    )


def _media_type(value: Any) -> str | None:
    """``typ``/``cty`` compared case-insensitively, ``application/`` optional (RFC 7515 §4.1.9)."""
    if not isinstance(value, str):
        return None
    lowered: str = value.lower()
    return lowered.removeprefix("application/")


# --------------------------------------------------------------- claims <-> document


def decode_credential(jws: Jws, profile: str) -> dict[str, Any]:
    """The credential a token secures, with JWT claims mapped onto it.

    VC DM 1.1 §6.3.1 (``vc`` claim): ``iss`` → ``issuer`` (or ``issuer.id``), ``nbf`` →
    ``issuanceDate`` (``validFrom`` under the 2.0 context), ``exp`` → ``expirationDate``
    (``validUntil``), ``jti`` → ``id``, ``sub`` → ``credentialSubject.id``. A property already
    in the credential must agree with its claim. For payload-is-credential profiles the
    claims must agree with the credential too (VC-JOSE-COSE §6.1.2: ``iss`` "MUST match";
    OB 3.0 §8.2.6.1: ``iss``, ``sub``, ``jti``, ``nbf`` must match).

    Raises:
        MalformedCredentialError: no credential object, or a claim conflicts with it.
    """
    payload = jws.payload
    if profile == "jwt_vc_json" and "vc" in payload:
        credential = payload["vc"]
        if not isinstance(credential, dict):
            raise MalformedCredentialError("the 'vc' claim is not a JSON object")
        credential = copy.deepcopy(credential)
        _apply_claims(credential, payload, map_times=True, write=True)
        return credential
    # The payload itself is the credential; nothing is written into it (write=False), and a
    # parsed Jws is never shared, so no copy is needed.
    credential = payload
    # vc+jwt: nbf/exp are about the signature (VC-JOSE-COSE §3.1.3), not validFrom/validUntil.
    _apply_claims(credential, payload, map_times=profile == "jwt_vc_json", write=False)
    return credential


def _apply_claims(
    credential: dict[str, Any], payload: dict[str, Any], *, map_times: bool, write: bool
) -> None:
    conflicts: list[str] = []
    iss = payload.get("iss")
    if iss is not None:
        issuer = credential.get("issuer")
        current = issuer.get("id") if isinstance(issuer, dict) else issuer
        if current is None and write:
            if isinstance(issuer, dict):
                issuer["id"] = iss
            else:
                credential["issuer"] = iss
        elif current != iss:
            conflicts.append(f"iss {iss!r} is not the issuer {current!r}")
    jti = payload.get("jti")
    if jti is not None:
        if "id" not in credential and write:
            credential["id"] = jti
        elif credential.get("id") != jti:
            conflicts.append(f"jti {jti!r} is not the credential id {credential.get('id')!r}")
    sub = payload.get("sub")
    if sub is not None:
        subjects = _as_list(credential.get("credentialSubject"))
        ids = [s.get("id") for s in subjects if isinstance(s, dict)]
        if len(subjects) == 1 and isinstance(subjects[0], dict) and "id" not in subjects[0]:
            if write:
                subjects[0]["id"] = sub
            else:
                conflicts.append(f"sub {sub!r} but credentialSubject has no id")
        elif sub not in ids:
            conflicts.append(f"sub {sub!r} is not a credentialSubject id")
    if map_times:
        v2 = VC_V2 in _as_list(credential.get("@context"))
        names = {"nbf": "validFrom", "exp": "validUntil"}
        if not v2 or "issuanceDate" in credential:
            names = {"nbf": "issuanceDate", "exp": "expirationDate"}
        for claim in JWT_TIME_CLAIMS:
            if claim not in payload:
                continue
            value = payload[claim]
            if not is_numeric_date(value):
                conflicts.append(f"{claim} is not a NumericDate")
                continue
            prop = names[claim]
            if prop not in credential:
                if write:
                    credential[prop] = numeric_date_iso(value)
                continue
            try:
                stated = parse_datetime(credential[prop], prop)
            except ValueError as err:
                conflicts.append(str(err))
                continue
            # NumericDate is whole seconds here; compare at one-second precision.
            if int(stated.timestamp()) != int(value):
                conflicts.append(
                    f"{claim} {numeric_date_iso(value)} is not {prop} {credential[prop]}"
                )
    if conflicts:
        raise MalformedCredentialError(
            "JWT claims conflict with the credential: " + "; ".join(conflicts)
        )


def decode_presentation(jws: Jws, profile: str) -> dict[str, Any]:
    """The presentation a token secures (VC DM 1.1 §6.3.1: ``iss`` → holder, ``jti`` → id).

    Raises:
        MalformedCredentialError: no presentation object, or a claim conflicts with it.
    """
    payload = jws.payload
    if profile == "jwt_vp_json":
        presentation = payload.get("vp")
        if not isinstance(presentation, dict):
            raise MalformedCredentialError("the 'vp' claim is not a JSON object")
        presentation = copy.deepcopy(presentation)
        write = True
    else:
        presentation = copy.deepcopy(payload)
        write = False
    conflicts = []
    iss = payload.get("iss")
    if iss is not None:
        holder = holder_id(presentation)
        if holder is None and write:
            presentation["holder"] = iss
        elif holder is not None and holder != iss:
            conflicts.append(f"iss {iss!r} is not the holder {holder!r}")
    jti = payload.get("jti")
    if jti is not None:
        if "id" not in presentation and write:
            presentation["id"] = jti
        elif presentation.get("id") not in (None, jti):
            conflicts.append(f"jti {jti!r} is not the presentation id {presentation.get('id')!r}")
    if conflicts:
        raise MalformedCredentialError(
            "JWT claims conflict with the presentation: " + "; ".join(conflicts)
        )
    return presentation


# --------------------------------------------------------------------------- keys


# --------------------------------------------------------------------------- sign


def sign_vc_jwt(
    credential: dict[str, Any], key: PrivateKey, kid: str, *, profile: VcJwtProfile
) -> str:
    """Secure a credential as a JWT.

    * ``vc+jwt`` (VC-JOSE-COSE §3.1.1): header ``typ`` ``vc+jwt``, ``cty`` ``vc``, ``kid``;
      the payload is the credential plus ``iss``/``jti``/``sub`` derived from it.
    * ``jwt_vc_json`` (OB 3.0 §8.2 as the 1EdTech validator reads it, VC DM 1.1): header
      ``typ`` ``JWT``; payload ``vc`` plus ``iss``, ``jti``, ``sub``, ``nbf`` (from
      ``validFrom``/``issuanceDate``, required) and ``exp`` (``validUntil``/``expirationDate``).

    ``kid`` must be a verification method of the issuer when either is a DID.

    Raises:
        InvalidInputError: no issuer, a kid of another DID, ``vc``/``vp`` members in a
            ``vc+jwt`` credential, or no start date for ``jwt_vc_json``.
    """
    issuer = issuer_id(credential)
    if issuer is None:
        raise InvalidInputError("the credential has no issuer")
    _check_signing_kid(kid, issuer)
    claims = _identity_claims(credential, issuer)
    if profile == "vc+jwt":
        if "vc" in credential or "vp" in credential:
            raise InvalidInputError("a vc+jwt credential must not have 'vc' or 'vp' members")
        return sign_jws({**credential, **claims}, key, {"typ": "vc+jwt", "cty": "vc", "kid": kid})
    start = credential.get("validFrom", credential.get("issuanceDate"))
    if start is None:
        raise InvalidInputError("OB 3.0 VC-JWT requires nbf: give the credential validFrom")
    end = credential.get("validUntil", credential.get("expirationDate"))
    try:
        claims["nbf"] = int(parse_datetime(start, "validFrom").timestamp())
        if end is not None:
            claims["exp"] = int(parse_datetime(end, "validUntil").timestamp())
    except ValueError as err:
        raise InvalidInputError(str(err)) from err
    return sign_jws({"vc": credential, **claims}, key, {"typ": "JWT", "kid": kid})


def sign_vp_jwt(
    presentation: dict[str, Any],
    key: PrivateKey,
    kid: str,
    *,
    profile: VpJwtProfile = "vp+jwt",
    nonce: str | None = None,
    audience: str | None = None,
    issued_at: datetime | None = None,
    expires_at: datetime | None = None,
) -> str:
    """Secure a presentation as a JWT: ``vp+jwt`` (VC-JOSE-COSE §3.1.2) or a ``vp`` claim.

    ``nonce`` and ``audience`` become the ``nonce`` and ``aud`` claims the verifier asked
    for; ``iss`` is the holder; ``kid`` must be the holder's verification method.

    Raises:
        InvalidInputError: no holder, or a kid of another DID.
    """
    holder = holder_id(presentation)
    if holder is None:
        raise InvalidInputError("the presentation has no holder")
    _check_signing_kid(kid, holder)
    claims: dict[str, Any] = {"iss": holder}
    if isinstance(presentation.get("id"), str):
        claims["jti"] = presentation["id"]
    if nonce is not None:
        claims["nonce"] = nonce
    if audience is not None:
        claims["aud"] = audience
    if issued_at is not None:
        claims["iat"] = int(issued_at.timestamp())
    if expires_at is not None:
        claims["exp"] = int(expires_at.timestamp())
    if profile == "vp+jwt":
        return sign_jws({**presentation, **claims}, key, {"typ": "vp+jwt", "cty": "vp", "kid": kid})
    return sign_jws({"vp": presentation, **claims}, key, {"typ": "JWT", "kid": kid})


def envelope_vc_jwt(token: str) -> dict[str, Any]:
    """An ``EnvelopedVerifiableCredential`` carrying a vc+jwt (VC DM 2.0 §4.13.1)."""
    return {
        "@context": [VC_V2],
        "id": ENVELOPED_VC_JWT_PREFIX + token,
        "type": "EnvelopedVerifiableCredential",
    }


def _check_signing_kid(kid: str, controller: str) -> None:
    if (kid.startswith("did:") or controller.startswith("did:")) and kid.split("#", 1)[
        0
    ] != controller:
        raise InvalidInputError(f"kid {kid} is not a verification method of {controller}")


def _identity_claims(credential: dict[str, Any], issuer: str) -> dict[str, Any]:
    claims: dict[str, Any] = {"iss": issuer}
    if isinstance(credential.get("id"), str):
        claims["jti"] = credential["id"]
    subjects = _as_list(credential.get("credentialSubject"))
    if (
        len(subjects) == 1
        and isinstance(subjects[0], dict)
        and isinstance(subjects[0].get("id"), str)
    ):
        claims["sub"] = subjects[0]["id"]
    return claims


# ------------------------------------------------------------------------- helpers


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _first(value: Any) -> Any:
    items = _as_list(value)
    return items[0] if items else None


def is_numeric_date(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and abs(value) < 1e11


def numeric_date_iso(value: float) -> str:
    return datetime.fromtimestamp(int(value), UTC).isoformat().replace("+00:00", "Z")

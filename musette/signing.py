"""Sign credentials and build presentations as a key's did:key, in every format offered.

Claim paths (``--disclose``) are written the way the credential reads:
``credentialSubject.result[0].value``; ``[*]`` (or ``[]``) is every element of an array,
and ``credentialSubject.achievement`` names the top-level ``achievement`` claim that the
SD-JWT VC mapping lifts it to. In ``present``, ``*`` alone discloses everything.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from shared.did import did_key_from_public, verification_method_id
from shared.errors import InvalidInputError, UnsupportedAlgorithmError
from shared.keys import PrivateKey
from shared.proofs.data_integrity import JCS, RDFC, add_proof
from shared.proofs.sd_jwt import ClaimPath, present_sd_jwt
from shared.proofs.sd_jwt_vc import (
    OB3_DEFAULT_DISCLOSABLE,
    issue_sd_jwt_vc,
    ob3_to_sd_jwt_claims,
)
from shared.proofs.vc_jwt import ENVELOPED_VC_JWT_PREFIX, sign_vc_jwt, sign_vp_jwt

FORMATS = ["ldp_vc", "ldp_vc-jcs", "jwt_vc_json", "vc+jwt", "dc+sd-jwt"]
PRESENTATION_FORMATS = ["ldp_vp", "vp+jwt", "dc+sd-jwt"]
DISCLOSE_ALL = "*"
CLAIM_PATH_HELP = "Paths read like credentialSubject.result[0].value; [*] is every array element."
VC_V2 = "https://www.w3.org/ns/credentials/v2"
ENVELOPED_SD_JWT_PREFIX = "data:application/dc+sd-jwt,"

_SEGMENT = re.compile(r"([^.\[\]]+)|\[(\d+|\*|)\]|(\.)")


def set_issuer(document: dict[str, Any], did: str) -> dict[str, Any]:
    """Set ``issuer`` (or ``issuer.id`` when it is an object) to ``did``."""
    doc = dict(document)
    if isinstance(doc.get("issuer"), dict):
        doc["issuer"] = {**doc["issuer"], "id": did}
    else:
        doc["issuer"] = did
    return doc


def parse_claim_path(text: str) -> ClaimPath:
    """``credentialSubject.result[0].value`` → ``("credentialSubject", "result", 0, "value")``.

    ``[*]`` or ``[]`` selects every element (``None``). ``credentialSubject.achievement``
    becomes ``achievement``, where the OB 3.0 SD-JWT VC mapping puts it.

    Raises:
        InvalidInputError: an empty path, an empty segment, or stray brackets.
    """
    if not isinstance(text, str) or not text.strip():
        raise InvalidInputError("a claim path must not be empty")
    path: list[str | int | None] = []
    position, expect_name = 0, True
    while position < len(text):
        match = _SEGMENT.match(text, position)
        if match is None:
            raise InvalidInputError(f"claim path {text!r}: cannot read it at column {position}")
        name, index, dot = match.groups()
        if dot is not None:
            if expect_name:
                raise InvalidInputError(f"claim path {text!r} has an empty segment")
            expect_name = True
        elif name is not None:
            if not expect_name:
                raise InvalidInputError(f"claim path {text!r}: a '.' is missing before {name!r}")
            path.append(name)
            expect_name = False
        else:
            if not path:
                raise InvalidInputError(f"claim path {text!r} starts with an array index")
            path.append(None if index in ("*", "") else int(index))
            expect_name = False
        position = match.end()
    if expect_name:
        raise InvalidInputError(f"claim path {text!r} ends with '.'")
    if path[:2] == ["credentialSubject", "achievement"]:
        path = path[1:]
    return tuple(path)


def sign_document(
    document: Any,
    key: PrivateKey,
    fmt: str,
    *,
    disclose: list[str] | None = None,
    holder_key: PrivateKey | None = None,
    now: datetime | None = None,
) -> dict[str, Any] | str:
    """Sign ``document`` with ``key`` in ``fmt``; returns JSON or a compact token.

    For ``dc+sd-jwt`` the credential is mapped to SD-JWT VC claims (OB 3.0 layout);
    ``disclose`` lists the selectively disclosable paths (default: the OB 3.0 defaults), and
    ``holder_key``'s public key goes in ``cnf`` for key binding.
    """
    if not isinstance(document, dict):
        raise InvalidInputError("the input must be a JSON object (an unsigned credential)")
    if disclose and fmt != "dc+sd-jwt":
        raise InvalidInputError("--disclose applies to dc+sd-jwt only")
    did = did_key_from_public(key.public_key)
    vm = verification_method_id(did)
    doc = set_issuer(document, did)
    if fmt in {"ldp_vc", "ldp_vc-jcs"}:
        if key.key_type != "Ed25519":
            raise UnsupportedAlgorithmError("Data Integrity signing here uses Ed25519 keys (eddsa)")
        return add_proof(doc, key.sign, vm, cryptosuite=RDFC if fmt == "ldp_vc" else JCS)
    if fmt in {"vc+jwt", "jwt_vc_json"}:
        return sign_vc_jwt(doc, key, vm, profile="vc+jwt" if fmt == "vc+jwt" else "jwt_vc_json")
    if fmt == "dc+sd-jwt":
        paths = [parse_claim_path(p) for p in disclose] if disclose else OB3_DEFAULT_DISCLOSABLE
        claims = ob3_to_sd_jwt_claims(doc)
        return issue_sd_jwt_vc(
            claims,
            issuer_key=key,
            kid=vm,
            disclosable=paths,
            holder_jwk=holder_key.public_key.to_jwk() if holder_key else None,
            issued_at=now,
            ignore_missing=not disclose,
        )
    raise UnsupportedAlgorithmError(f"format {fmt!r} is not available")


def credential_kind(credential: Any) -> str:
    """``json``, ``sd-jwt`` or ``jwt`` for a credential read from a file."""
    if isinstance(credential, dict):
        return "json"
    if isinstance(credential, str) and "~" in credential:
        return "sd-jwt"
    if isinstance(credential, str) and credential.count(".") == 2:
        return "jwt"
    raise InvalidInputError("a credential must be JSON, a JWT or an SD-JWT")


def present_credentials(
    credentials: list[Any],
    holder_key: PrivateKey,
    *,
    nonce: str,
    audience: str,
    fmt: str | None = None,
    disclose: list[str] | None = None,
    now: datetime | None = None,
) -> dict[str, Any] | str:
    """Build a presentation of ``credentials`` by the holder of ``holder_key``.

    * ``dc+sd-jwt`` (one SD-JWT VC): the chosen disclosures plus a KB-JWT with ``aud``,
      ``nonce``, ``iat`` and ``sd_hash`` signed by ``holder_key`` (RFC 9901 §4.3). No
      ``disclose`` shows only the always-visible claims; ``*`` shows everything.
    * ``vp+jwt``: JWT credentials as ``EnvelopedVerifiableCredential`` (``data:`` URLs),
      JSON ones as they are; ``nonce`` and ``aud`` claims (VC-JOSE-COSE §3.1.2).
    * ``ldp_vp``: a Data Integrity ``authentication`` proof with ``challenge`` = nonce and
      ``domain`` = audience (Ed25519 holder keys).

    Without ``fmt``: ``dc+sd-jwt`` for one SD-JWT, ``ldp_vp`` when every credential is
    JSON, else ``vp+jwt``.
    """
    if not credentials:
        raise InvalidInputError("a presentation needs at least one credential")
    kinds = [credential_kind(c) for c in credentials]
    if fmt is None:
        if kinds == ["sd-jwt"]:
            fmt = "dc+sd-jwt"
        else:
            fmt = "ldp_vp" if set(kinds) == {"json"} else "vp+jwt"
    when = now or datetime.now(UTC)
    if fmt == "dc+sd-jwt":
        if kinds != ["sd-jwt"]:
            raise InvalidInputError("a dc+sd-jwt presentation carries exactly one SD-JWT VC")
        everything = disclose == [DISCLOSE_ALL]
        paths = [] if everything else [parse_claim_path(p) for p in disclose or []]
        return present_sd_jwt(
            credentials[0].strip(),
            disclose=paths,
            disclose_all=everything,
            holder_key=holder_key,
            audience=audience,
            nonce=nonce,
            issued_at=when,
        )
    if disclose:
        raise InvalidInputError("--disclose applies to dc+sd-jwt presentations only")
    holder = did_key_from_public(holder_key.public_key)
    vm = verification_method_id(holder)
    presentation: dict[str, Any] = {
        "@context": [VC_V2],
        "type": ["VerifiablePresentation"],
        "holder": holder,
        "verifiableCredential": [_embed(c, k) for c, k in zip(credentials, kinds, strict=True)],
    }
    if fmt == "vp+jwt":
        return sign_vp_jwt(
            presentation, holder_key, vm, nonce=nonce, audience=audience, issued_at=when
        )
    if fmt == "ldp_vp":
        if holder_key.key_type != "Ed25519":
            raise UnsupportedAlgorithmError("Data Integrity presentations here use Ed25519 keys")
        return add_proof(
            presentation,
            holder_key.sign,
            vm,
            proof_purpose="authentication",
            challenge=nonce,
            domain=audience,
            created=when,
        )
    raise UnsupportedAlgorithmError(f"presentation format {fmt!r} is not available")


def _embed(credential: Any, kind: str) -> Any:
    """VC DM 2.0 §4.13.1: a secured token travels as an EnvelopedVerifiableCredential."""
    if kind == "json":
        return credential
    prefix = ENVELOPED_SD_JWT_PREFIX if kind == "sd-jwt" else ENVELOPED_VC_JWT_PREFIX
    return {
        "@context": [VC_V2],
        "id": prefix + credential.strip(),
        "type": "EnvelopedVerifiableCredential",
    }

"""Compact JWS: parse, sign and verify, with an algorithm allow-list.

Implements: RFC 7515 (JWS) §3.1 compact serialization, §4.1 registered header parameters,
§5.2 validation; RFC 7518 §3.1 algorithm names; RFC 8037 §3.1 (EdDSA); RFC 7638 (JWK
thumbprint); RFC 7519 §7.2 (JWT validation: the claims set is a JSON object).

Only asymmetric algorithms on :data:`ALLOWED_ALGS` verify. ``none``, every ``HS*`` and any
unknown name are refused before a key is looked at, so a public key can never be used as
an HMAC secret. Keys are never fetched from ``jku`` or ``x5u``, and a ``crit`` header is
refused because no extension is understood here.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any, Final

from shared.encoding.base64url import b64url_decode, b64url_encode
from shared.encoding.json_limits import MAX_JSON_BYTES, parse_json
from shared.errors import (
    InvalidInputError,
    InvalidProofError,
    KeyFormatError,
    MalformedCredentialError,
    UnsupportedAlgorithmError,
)
from shared.keys.keypair import ALGORITHMS, PrivateKey, PublicKey

#: Algorithms that may ever verify (RFC 7518 §3.1, RFC 8037 §3.1). Callers narrow this.
ALLOWED_ALGS: Final = frozenset({"EdDSA", "ES256", "RS256", "PS256"})
#: Largest compact token accepted, in characters (checked before anything is decoded).
MAX_TOKEN_CHARS: Final = 5 * 1024 * 1024
#: A JOSE header is small; an RSA-4096 ``jwk`` is under 1 KB.
MAX_HEADER_BYTES: Final = 16 * 1024
MAX_HEADER_DEPTH: Final = 8
#: Header parameters naming a URL to fetch a key from. Musette never fetches them.
FETCHING_HEADERS: Final = ("jku", "x5u")
#: ``crit`` extensions understood here (RFC 7515 §4.1.11): none.
UNDERSTOOD_CRIT: Final[frozenset[str]] = frozenset()


@dataclass(frozen=True)
class Jws:
    """A parsed compact JWS whose payload is a JSON object (a JWT claims set).

    Parsing checks structure only; nothing here is trusted until :func:`verify_jws`.
    """

    header: dict[str, Any]
    payload: dict[str, Any]
    signing_input: bytes
    signature: bytes

    @property
    def alg(self) -> str | None:
        """The ``alg`` header, when it is a string."""
        alg = self.header.get("alg")
        return alg if isinstance(alg, str) else None

    @property
    def kid(self) -> str | None:
        """The ``kid`` header, when it is a string."""
        kid = self.header.get("kid")
        return kid if isinstance(kid, str) else None

    @property
    def typ(self) -> str | None:
        """The ``typ`` header, when it is a string."""
        typ = self.header.get("typ")
        return typ if isinstance(typ, str) else None


def parse_jws(token: str, *, max_chars: int = MAX_TOKEN_CHARS) -> Jws:
    """Parse a compact JWS (RFC 7515 §7.1) whose payload is a JSON object.

    Raises:
        MalformedCredentialError: not three base64url parts, too large, header or payload
            not a JSON object, or JSON beyond the size/nesting limits.
    """
    if not isinstance(token, str):
        raise MalformedCredentialError("a compact JWS must be a string")
    if len(token) > max_chars:
        raise MalformedCredentialError(
            f"the token is {len(token)} characters, larger than the {max_chars} limit"
        )
    if token[:1].isspace() or token[-1:].isspace():
        token = token.strip()
    # the two dots found by memchr, not a split that copies the token into a list
    first = token.find(".")
    second = token.find(".", first + 1) if first >= 0 else -1
    if second < 0 or token.find(".", second + 1) >= 0:
        raise MalformedCredentialError(
            f"a compact JWS has three dot-separated parts, not {token.count('.') + 1}"
        )
    encoded_header = token[:first]
    encoded_payload = token[first + 1 : second]
    encoded_signature = token[second + 1 :]
    try:
        header_bytes = b64url_decode(encoded_header)
        payload_bytes = b64url_decode(encoded_payload)
        signature = b64url_decode(encoded_signature)
    except InvalidInputError as err:
        raise MalformedCredentialError(f"a JWS part is not base64url: {err.detail}") from err
    header = parse_json(header_bytes, max_bytes=MAX_HEADER_BYTES, max_depth=MAX_HEADER_DEPTH)
    if not isinstance(header, dict):
        raise MalformedCredentialError("the JOSE header is not a JSON object")
    payload = parse_json(payload_bytes, max_bytes=MAX_JSON_BYTES)
    if not isinstance(payload, dict):
        raise MalformedCredentialError("the JWT payload is not a JSON object (RFC 7519 §7.2)")
    # RFC 7515 §5.2: the signing input is the token up to its last "." (ASCII, checked above)
    signing_input = token[:second].encode("ascii")
    return Jws(header, payload, signing_input, signature)


def check_jws_header(
    header: dict[str, Any],
    *,
    algorithms: Collection[str] = ALLOWED_ALGS,
) -> str:
    """Check the JOSE header against the allow-list; return the ``alg``.

    Raises:
        UnsupportedAlgorithmError: ``alg`` missing, ``none``, symmetric, unknown or not in
            ``algorithms``; a ``crit`` extension not understood; ``jku``/``x5u`` present.
        MalformedCredentialError: a header parameter has the wrong JSON type.
    """
    alg = header.get("alg")
    if not isinstance(alg, str):
        raise MalformedCredentialError("the JOSE header has no 'alg' (RFC 7515 §4.1.1)")
    if alg == "none":
        # VC-JOSE-COSE §2.1: "Issuers, Holders, and Verifiers MUST ignore all JWT Claims Sets
        # that have no integrity protection."
        raise UnsupportedAlgorithmError("alg 'none' (an unsecured JWT) is refused")
    allowed = ALLOWED_ALGS.intersection(algorithms)
    if alg not in allowed:
        raise UnsupportedAlgorithmError(
            f"alg {alg!r} is not allowed (allowed: {', '.join(sorted(allowed))})"
        )
    if "crit" in header:
        crit = header["crit"]
        if not isinstance(crit, list) or not crit or not all(isinstance(c, str) for c in crit):
            raise MalformedCredentialError("'crit' must be a non-empty array of strings")
        unknown = sorted(set(crit) - UNDERSTOOD_CRIT)
        if unknown:
            # RFC 7515 §4.1.11: if any listed extension is not understood, the JWS is invalid.
            raise UnsupportedAlgorithmError(
                f"critical header extension(s) not understood: {', '.join(unknown)}"
            )
    for name in FETCHING_HEADERS:
        if name in header:
            raise UnsupportedAlgorithmError(
                f"header '{name}' names a URL to fetch a key from; keys are never fetched that way"
            )
    for name in ("kid", "typ", "cty"):
        if name in header and not isinstance(header[name], str):
            raise MalformedCredentialError(f"the '{name}' header must be a string")
    if "jwk" in header:
        jwk = header["jwk"]
        if not isinstance(jwk, dict):
            raise MalformedCredentialError("the 'jwk' header must be a JSON object")
        if "d" in jwk:
            # OB 3.0 §8.2.3: "The JWK MUST never contain "d"."
            raise KeyFormatError("the 'jwk' header contains a private key ('d')")
    return alg


def verify_jws(jws: Jws, key: PublicKey, *, algorithms: Collection[str] = ALLOWED_ALGS) -> None:
    """Check the header, then the signature over the signing input (RFC 7515 §5.2).

    Raises:
        UnsupportedAlgorithmError: the header fails :func:`check_jws_header`, or the ``alg``
            does not fit the key type (an ES256 token against an RSA key, for example).
        InvalidProofError: the signature does not verify.
    """
    check_jws_header(jws.header, algorithms=algorithms)
    verify_signature(jws, key)


def verify_signature(jws: Jws, key: PublicKey) -> None:
    """The signature over the signing input, for a header already through
    :func:`check_jws_header` (RFC 7515 §5.2 step 8).

    Raises:
        UnsupportedAlgorithmError: the ``alg`` does not fit the key type.
        InvalidProofError: the signature does not verify.
    """
    alg = jws.header["alg"]
    if alg not in ALGORITHMS[key.key_type]:
        raise UnsupportedAlgorithmError(f"alg {alg} cannot be verified with a {key.key_type} key")
    if not key.verify(jws.signing_input, jws.signature, alg):
        raise InvalidProofError(f"the {alg} signature does not verify")


def sign_jws(payload: dict[str, Any], key: PrivateKey, header: dict[str, Any]) -> str:
    """Sign ``payload`` as a compact JWS; ``alg`` is set from the key.

    Raises:
        KeyFormatError: ``header`` carries a ``jwk`` with a private member.
    """
    jwk = header.get("jwk")
    if isinstance(jwk, dict) and "d" in jwk:
        raise KeyFormatError("refusing to put a private key ('d') in the 'jwk' header")
    protected = {"alg": key.jws_alg, **{k: v for k, v in header.items() if k != "alg"}}
    encoded_header = b64url_encode(_compact_json(protected))
    encoded_payload = b64url_encode(_compact_json(payload))
    signing_input = f"{encoded_header}.{encoded_payload}".encode("ascii")
    return f"{encoded_header}.{encoded_payload}.{b64url_encode(key.sign(signing_input))}"


def jwk_thumbprint(key: PublicKey) -> str:
    """The RFC 7638 SHA-256 thumbprint of a public key, base64url-encoded."""
    # RFC 7638 §3.2: the required members only, lexicographic order, no whitespace.
    return b64url_encode(hashlib.sha256(_compact_json(key.to_jwk(), sort=True)).digest())


def _compact_json(value: dict[str, Any], *, sort: bool = False) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, sort_keys=sort).encode()

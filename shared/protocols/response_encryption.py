"""OpenID4VP 1.0 encrypted Authorization Responses (Response Mode ``direct_post.jwt``).

Implements: OpenID for Verifiable Presentations 1.0
https://openid.net/specs/openid-4-verifiable-presentations-1_0.html
§5.1 (``client_metadata``: ``jwks`` and ``encrypted_response_enc_values_supported``),
§8.3 (Encrypted Responses: an unsigned, encrypted JWT whose payload holds the response
parameters as top-level members) and §8.3.1 (``direct_post.jwt``: the JWE is posted in the
``response`` form parameter). JWE per RFC 7516 (compact serialization), ECDH-ES per
RFC 7518 §4.6, key thumbprints per RFC 7638.

The cryptography is jwcrypto's; this module only decides what is acceptable:

* key agreement ``ECDH-ES`` (direct, no key wrapping) on P-256 only;
* content encryption ``A128GCM`` (the §8.3 default) or ``A256GCM``;
* no ``zip`` (compression), no ``crit``, a bounded token and payload size.

Anything else (``alg: none``, ``dir``, RSA, AES key wrap, CBC-HMAC...) is refused before a
key is touched.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping, Sequence
from typing import Any, Final

from cryptography.hazmat.primitives.asymmetric import ec
from jwcrypto.common import JWException
from jwcrypto.jwe import JWE
from jwcrypto.jwk import JWK

from shared.encoding.base64url import b64url_decode
from shared.encoding.json_limits import parse_json
from shared.errors import (
    InvalidInputError,
    InvalidProofError,
    KeyFormatError,
    MalformedCredentialError,
    PayloadTooLargeError,
    UnsupportedAlgorithmError,
)

__all__ = [
    "ALLOWED_ALGS",
    "ALLOWED_CURVES",
    "ALLOWED_ENCS",
    "DEFAULT_ENC",
    "ECDH_ES",
    "MAX_PAYLOAD_BYTES",
    "MAX_RESPONSE_CHARS",
    "decrypt_response",
    "encrypt_response",
    "encryption_client_metadata",
    "public_encryption_jwk",
    "select_encryption_key",
]

ECDH_ES: Final = "ECDH-ES"
#: §8.3: the ``enc`` to use when ``encrypted_response_enc_values_supported`` is absent
DEFAULT_ENC: Final = "A128GCM"
ALLOWED_ALGS: Final = frozenset({ECDH_ES})
ALLOWED_ENCS: Final = frozenset({"A128GCM", "A256GCM"})
ALLOWED_CURVES: Final = frozenset({"P-256"})
_CURVES: Final[Mapping[str, ec.EllipticCurve]] = {"P-256": ec.SECP256R1()}
_COORDINATE_BYTES: Final[Mapping[str, int]] = {"P-256": 32}

#: Largest response payload (the JSON inside the JWE): a vp_token of up to 20 presentations
MAX_PAYLOAD_BYTES: Final = 4 * 1024 * 1024
#: Largest compact JWE accepted: the payload, base64url-encoded, plus a small header
MAX_RESPONSE_CHARS: Final = (MAX_PAYLOAD_BYTES * 4) // 3 + 16 * 1024
_MAX_HEADER_BYTES: Final = 4096
#: the protected header members this module understands (anything else is ignored by JOSE
#: rules, except ``crit`` and ``zip``, which are refused)
_REFUSED_HEADER_MEMBERS: Final = ("zip", "crit", "jku", "x5u")


# --------------------------------------------------------------------------- keys


def _public_ec_key(jwk: Mapping[str, Any]) -> ec.EllipticCurvePublicKey:
    """An allow-listed EC public key from a JWK (the point is checked to be on the curve)."""
    if jwk.get("kty") != "EC":
        raise UnsupportedAlgorithmError(
            f"encryption key type {jwk.get('kty')!r} is not supported (EC P-256)"
        )
    crv = jwk.get("crv")
    if not isinstance(crv, str) or crv not in ALLOWED_CURVES:
        raise UnsupportedAlgorithmError(f"encryption key curve {crv!r} is not supported (P-256)")
    size = _COORDINATE_BYTES[crv]
    try:
        x, y = b64url_decode(jwk.get("x", "")), b64url_decode(jwk.get("y", ""))
    except InvalidInputError as err:
        raise KeyFormatError("the encryption key's x and y must be base64url") from err
    if len(x) != size or len(y) != size:
        raise KeyFormatError(f"the encryption key's x and y must be {size} bytes each")
    numbers = ec.EllipticCurvePublicNumbers(
        int.from_bytes(x, "big"), int.from_bytes(y, "big"), _CURVES[crv]
    )
    try:
        return numbers.public_key()
    except ValueError as err:
        raise KeyFormatError("the encryption key is not a point on its curve") from err


def _private_jwk(private_key: ec.EllipticCurvePrivateKey | Mapping[str, Any]) -> JWK:
    if isinstance(private_key, ec.EllipticCurvePrivateKey):
        key = private_key
    elif isinstance(private_key, Mapping):
        public = _public_ec_key(private_key)
        try:
            d = int.from_bytes(b64url_decode(str(private_key.get("d", ""))), "big")
            key = ec.derive_private_key(d, public.curve)
        except (InvalidInputError, ValueError, TypeError) as err:
            raise KeyFormatError("the decryption key has no usable private part 'd'") from err
        if key.public_key().public_numbers() != public.public_numbers():
            raise KeyFormatError("the decryption key's d does not match its x and y")
    else:
        raise KeyFormatError("the decryption key must be an EC private key or a private JWK")
    if key.curve.name != "secp256r1":
        raise UnsupportedAlgorithmError(f"decryption key curve {key.curve.name} is not supported")
    return JWK.from_pyca(key)


def public_encryption_jwk(
    private_key: ec.EllipticCurvePrivateKey, *, kid: str | None = None
) -> dict[str, str]:
    """The public JWK a verifier publishes in ``client_metadata.jwks`` (§5.1, §8.3).

    ``use`` is ``enc`` and ``alg`` is ``ECDH-ES`` (§8.3: "The ``alg`` parameter MUST be present
    in the JWKs"); ``kid`` (required for every key of that set, §5.1) defaults to the key's
    RFC 7638 thumbprint.
    """
    jwk = JWK.from_pyca(private_key.public_key())
    public: dict[str, str] = jwk.export_public(as_dict=True)
    _public_ec_key(public)  # P-256 only
    return {
        **public,
        "use": "enc",
        "alg": ECDH_ES,
        "kid": kid if kid is not None else str(jwk.thumbprint()),
    }


def encryption_client_metadata(
    public_jwk: Mapping[str, Any], enc_values: Sequence[str] = (DEFAULT_ENC,)
) -> dict[str, Any]:
    """The ``client_metadata`` members that ask for an encrypted response (§5.1).

    ``encrypted_response_enc_values_supported`` is only written when it is something other
    than the default single value ``A128GCM`` (§5.1: it "MUST be present for anything other
    than the default").
    """
    encs = list(enc_values)
    if not encs or any(e not in ALLOWED_ENCS for e in encs):
        raise UnsupportedAlgorithmError(f"enc values must be among {sorted(ALLOWED_ENCS)}")
    out: dict[str, Any] = {"jwks": {"keys": [dict(public_jwk)]}}
    if encs != [DEFAULT_ENC]:
        out["encrypted_response_enc_values_supported"] = encs
    return out


def select_encryption_key(client_metadata: Any) -> tuple[dict[str, Any], str]:
    """The wallet's choice (§8.3): a key from ``client_metadata.jwks`` and a content encryption.

    A key qualifies when its ``use`` is absent or ``enc``, its ``alg`` is present and
    allow-listed (ECDH-ES), it has a ``kid`` (§5.1) and it is a valid P-256 point. The ``enc``
    is the first of ``encrypted_response_enc_values_supported`` that this module supports,
    ``A128GCM`` when that member is absent.

    Raises:
        UnsupportedAlgorithmError: no usable key, or no common ``enc``.
        MalformedCredentialError: ``jwks`` or the enc values are not of the right shape.
    """
    meta = client_metadata if isinstance(client_metadata, Mapping) else {}
    jwks = meta.get("jwks")
    keys = jwks.get("keys") if isinstance(jwks, Mapping) else None
    if not isinstance(keys, list) or not keys:
        raise UnsupportedAlgorithmError(
            "the verifier asks for an encrypted response but client_metadata.jwks has no keys"
        )
    reasons: list[str] = []
    chosen: dict[str, Any] | None = None
    for candidate in keys[:20]:
        if not isinstance(candidate, Mapping):
            reasons.append("a key is not a JSON object")
            continue
        kid = candidate.get("kid")
        if candidate.get("use", "enc") != "enc":
            reasons.append(f"{kid}: use is {candidate.get('use')!r}, not enc")
        elif candidate.get("alg") not in ALLOWED_ALGS:
            reasons.append(f"{kid}: alg {candidate.get('alg')!r} is not ECDH-ES")
        elif not isinstance(kid, str) or not kid:
            reasons.append("a key has no kid")
        else:
            try:
                _public_ec_key(candidate)
            except InvalidInputError as err:
                reasons.append(f"{kid}: {err.detail}")
                continue
            chosen = dict(candidate)
            break
    if chosen is None:
        raise UnsupportedAlgorithmError(
            "client_metadata.jwks has no key this wallet can encrypt to (ECDH-ES on P-256): "
            + "; ".join(reasons)
        )
    offered = meta.get("encrypted_response_enc_values_supported", [DEFAULT_ENC])
    if not isinstance(offered, list) or not offered:
        raise MalformedCredentialError(
            "encrypted_response_enc_values_supported must be a non-empty array"
        )
    enc = next((e for e in offered if isinstance(e, str) and e in ALLOWED_ENCS), None)
    if enc is None:
        raise UnsupportedAlgorithmError(
            f"none of the verifier's enc values {offered!r} is supported "
            f"({', '.join(sorted(ALLOWED_ENCS))})"
        )
    return chosen, enc


# --------------------------------------------------------------------------- JWE


def _narrowed(requested: Collection[str], allowed: frozenset[str], what: str) -> frozenset[str]:
    wanted = frozenset(requested)
    beyond = wanted - allowed
    if beyond:
        raise UnsupportedAlgorithmError(
            f"{what} {sorted(beyond)} cannot be allowed (only {sorted(allowed)})"
        )
    return wanted


def encrypt_response(
    payload: Mapping[str, Any], recipient_jwk: Mapping[str, Any], *, enc: str = DEFAULT_ENC
) -> str:
    """The compact JWE of an Authorization Response (§8.3), encrypted to ``recipient_jwk``.

    The JWE ``alg`` is the key's ``alg`` (§8.3: it "MUST be equal to the ``alg`` value of the
    chosen jwk"), and the key's ``kid`` is copied to the JWE header.

    Raises:
        UnsupportedAlgorithmError: the key's ``alg``, curve or ``use``, or ``enc``, is refused.
        KeyFormatError: the key is malformed.
        PayloadTooLargeError: the payload is larger than :data:`MAX_PAYLOAD_BYTES`.
    """
    if not isinstance(recipient_jwk, Mapping):
        raise KeyFormatError("the encryption key must be a JWK object")
    alg = recipient_jwk.get("alg")
    if alg not in ALLOWED_ALGS:
        raise UnsupportedAlgorithmError(f"key agreement {alg!r} is not supported (ECDH-ES)")
    if recipient_jwk.get("use", "enc") != "enc":
        raise UnsupportedAlgorithmError("the key is not for encryption (use is not enc)")
    if enc not in ALLOWED_ENCS:
        raise UnsupportedAlgorithmError(
            f"content encryption {enc!r} is not supported ({', '.join(sorted(ALLOWED_ENCS))})"
        )
    public = JWK.from_pyca(_public_ec_key(recipient_jwk))
    plaintext = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    if len(plaintext) > MAX_PAYLOAD_BYTES:
        raise PayloadTooLargeError(
            f"the response is {len(plaintext)} bytes, more than {MAX_PAYLOAD_BYTES}"
        )
    header: dict[str, Any] = {"alg": alg, "enc": enc}
    kid = recipient_jwk.get("kid")
    if isinstance(kid, str):
        header["kid"] = kid
    token = JWE(plaintext, protected=json.dumps(header))
    token.allowed_algs = [alg, enc]
    token.add_recipient(public)
    out: str = token.serialize(compact=True)
    return out


def _header(token: str) -> dict[str, Any]:
    parts = token.split(".")
    if len(parts) != 5:
        raise MalformedCredentialError("an encrypted response is a compact JWE (five parts)")
    try:
        raw = b64url_decode(parts[0])
    except InvalidInputError as err:
        raise MalformedCredentialError("the JWE header is not base64url") from err
    header = parse_json(raw, max_bytes=_MAX_HEADER_BYTES, max_depth=4)
    if not isinstance(header, dict):
        raise MalformedCredentialError("the JWE header must be a JSON object")
    if parts[1]:
        # ECDH-ES is direct key agreement: there is no encrypted key (RFC 7518 §4.6)
        raise MalformedCredentialError("an ECDH-ES JWE has an empty encrypted key")
    return header


def decrypt_response(
    jwe: str,
    private_key: ec.EllipticCurvePrivateKey | Mapping[str, Any],
    *,
    allowed_algs: Collection[str] = ALLOWED_ALGS,
    allowed_encs: Collection[str] = ALLOWED_ENCS,
    expected_kid: str | None = None,
    max_payload_bytes: int = MAX_PAYLOAD_BYTES,
) -> dict[str, Any]:
    """The Authorization Response parameters inside an encrypted response (§8.3).

    ``allowed_algs`` and ``allowed_encs`` may narrow this module's allow-list, never widen it.
    When ``expected_kid`` is given, a ``kid`` header naming another key is refused.

    Raises:
        PayloadTooLargeError: the token or its payload is too large.
        MalformedCredentialError: not a compact JWE, or its payload is not a JSON object.
        UnsupportedAlgorithmError: ``alg``, ``enc``, the ephemeral key's curve, ``zip`` or
            ``crit`` is refused.
        InvalidProofError: the JWE does not decrypt with this key (wrong key, tampered).
    """
    algs = _narrowed(allowed_algs, ALLOWED_ALGS, "key agreement algorithms")
    encs = _narrowed(allowed_encs, ALLOWED_ENCS, "content encryption algorithms")
    if not isinstance(jwe, str):
        raise MalformedCredentialError("an encrypted response is a string (compact JWE)")
    if len(jwe) > MAX_RESPONSE_CHARS:
        raise PayloadTooLargeError(
            f"the encrypted response is {len(jwe)} characters, more than {MAX_RESPONSE_CHARS}"
        )
    token = jwe.strip()
    header = _header(token)
    alg, enc = header.get("alg"), header.get("enc")
    if alg not in algs:
        raise UnsupportedAlgorithmError(
            f"JWE alg {alg!r} is not accepted ({', '.join(sorted(algs))})"
        )
    if enc not in encs:
        raise UnsupportedAlgorithmError(
            f"JWE enc {enc!r} is not accepted ({', '.join(sorted(encs))})"
        )
    for member in _REFUSED_HEADER_MEMBERS:
        if member in header:
            raise UnsupportedAlgorithmError(f"JWE header member {member!r} is not accepted")
    kid = header.get("kid")
    if expected_kid is not None and kid is not None and kid != expected_kid:
        raise InvalidProofError("the response was encrypted to another key (kid)")
    epk = header.get("epk")
    if not isinstance(epk, dict):
        raise MalformedCredentialError("an ECDH-ES JWE header needs an epk (ephemeral key)")
    if "d" in epk:
        raise MalformedCredentialError("the ephemeral key must be a public key")
    _public_ec_key(epk)  # allow-listed curve, a point on it
    key = _private_jwk(private_key)
    if epk.get("crv") != key.get("crv"):
        raise UnsupportedAlgorithmError("the ephemeral key is not on the recipient key's curve")
    decrypter = JWE()
    decrypter.allowed_algs = [str(alg), str(enc)]
    try:
        decrypter.deserialize(token, key=key)
        plaintext = decrypter.payload
    except (JWException, ValueError, TypeError) as err:
        raise InvalidProofError(
            "the encrypted response does not decrypt with this verifier's key "
            "(wrong key, or it was altered)"
        ) from err
    if not isinstance(plaintext, bytes):
        raise InvalidProofError("the encrypted response has no payload")
    if len(plaintext) > max_payload_bytes:
        raise PayloadTooLargeError(
            f"the decrypted response is {len(plaintext)} bytes, more than {max_payload_bytes}"
        )
    payload = parse_json(plaintext, max_bytes=max_payload_bytes)
    if not isinstance(payload, dict):
        raise MalformedCredentialError("the decrypted response must be a JSON object")
    return payload

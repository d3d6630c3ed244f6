"""DPoP proofs (RFC 9449), the client side: what a wallet sends to a token endpoint and to a
resource (the OpenID4VCI credential endpoint) when the authorization server binds tokens.

Implements RFC 9449 §4.2 (the proof JWT: ``typ`` ``dpop+jwt``, ``alg``, the public ``jwk``;
``jti``, ``htm``, ``htu`` without query and fragment, ``iat``, ``nonce``, and ``ath`` the
base64url SHA-256 of the access token when a resource is called), §5 (``token_type``
``DPoP``), §7.1 (``Authorization: DPoP <token>``) and §8-9 (server nonces: an
``use_dpop_nonce`` error carries a ``DPoP-Nonce`` header; the proof is made again with it).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from datetime import datetime
from typing import Final
from urllib.parse import urlsplit, urlunsplit

from shared.encoding.base64url import b64url_encode
from shared.keys.keypair import PrivateKey
from shared.proofs.jose import sign_jws

__all__ = [
    "DPOP_ALGS",
    "DPOP_HEADER",
    "DPOP_NONCE_HEADER",
    "DPOP_TYP",
    "USE_DPOP_NONCE",
    "access_token_hash",
    "build_dpop_proof",
    "choose_dpop_alg",
    "header_value",
    "wants_new_nonce",
]

DPOP_TYP: Final = "dpop+jwt"
DPOP_HEADER: Final = "DPoP"
DPOP_NONCE_HEADER: Final = "DPoP-Nonce"
USE_DPOP_NONCE: Final = "use_dpop_nonce"
#: the algorithms a DPoP key may use here, preferred first, with their key type
DPOP_ALGS: Final[Mapping[str, str]] = {"ES256": "P-256", "EdDSA": "Ed25519"}


def choose_dpop_alg(supported: object) -> str | None:
    """The ``alg`` to prove with, from ``dpop_signing_alg_values_supported`` (RFC 9449 §5.1);
    None when the server advertises none Musette can sign with."""
    if not isinstance(supported, list):
        return None
    return next((alg for alg in DPOP_ALGS if alg in supported), None)


def _htu(url: str) -> str:
    parts = urlsplit(url)
    # §4.2: "The HTTP target URI ... without query and fragment parts"
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


def access_token_hash(access_token: str) -> str:
    """§4.2 ``ath``: base64url SHA-256 of the ASCII access token."""
    return b64url_encode(hashlib.sha256(access_token.encode("ascii")).digest())


def build_dpop_proof(
    key: PrivateKey,
    *,
    method: str,
    url: str,
    issued_at: datetime,
    nonce: str | None = None,
    access_token: str | None = None,
) -> str:
    """A DPoP proof JWT for one HTTP request (RFC 9449 §4.2), signed by ``key``."""
    payload: dict[str, object] = {
        "jti": b64url_encode(secrets.token_bytes(16)),
        "htm": method.upper(),
        "htu": _htu(url),
        "iat": int(issued_at.timestamp()),
    }
    if nonce is not None:
        payload["nonce"] = nonce
    if access_token is not None:
        payload["ath"] = access_token_hash(access_token)
    header = {"typ": DPOP_TYP, "jwk": key.public_key.to_jwk()}
    return sign_jws(dict(payload), key, header)


def header_value(headers: Mapping[str, str], name: str) -> str | None:
    """A response header by case-insensitive name."""
    wanted = name.lower()
    return next((v for k, v in headers.items() if k.lower() == wanted), None)


def wants_new_nonce(status: int, headers: Mapping[str, str], error: object) -> str | None:
    """The nonce to retry with when a server asks for one (§8: 400 ``use_dpop_nonce`` from
    an authorization server; §9: 401 with ``WWW-Authenticate: DPoP error="use_dpop_nonce"``
    from a resource server); None otherwise."""
    nonce = header_value(headers, DPOP_NONCE_HEADER)
    if nonce is None or status not in (400, 401):
        return None
    challenge = header_value(headers, "www-authenticate") or ""
    if error == USE_DPOP_NONCE or USE_DPOP_NONCE in challenge:
        return nonce
    return None

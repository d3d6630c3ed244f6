"""OpenID4VP 1.0 messages: request objects, request URIs, and direct_post responses.

Implements: OpenID for Verifiable Presentations 1.0 (July 2025)
https://openid.net/specs/openid-4-verifiable-presentations-1_0.html
§5 (Authorization Request, ``dcql_query``, ``client_metadata``), §5.9 (Client Identifier
Prefixes ``redirect_uri:`` and ``decentralized_identifier:``), §5.10 (``request_uri``; JAR,
RFC 9101), §8.1 (``vp_token``: a JSON object whose values are arrays of presentations, one
key per credential query id) and §8.2 (Response Mode ``direct_post``).

A bare ``http(s)://`` client_id would be read as an OpenID Federation entity, so every
client_id built here carries a prefix. The audience a wallet binds a presentation to is the
*full* client_id, prefix included (§8.6, and HAIP).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Final
from urllib.parse import urlencode

from shared.encoding.base64url import b64url_decode, b64url_encode
from shared.encoding.json_limits import parse_json
from shared.errors import InvalidInputError, MalformedCredentialError

__all__ = [
    "DIRECT_POST",
    "DIRECT_POST_JWT",
    "JSON_PARAMETERS",
    "PREFIX_DECENTRALIZED_IDENTIFIER",
    "PREFIX_REDIRECT_URI",
    "PREFIX_X509_HASH",
    "PREFIX_X509_SAN_DNS",
    "REQUEST_OBJECT_MEDIA_TYPE",
    "REQUEST_OBJECT_TYP",
    "SELF_ISSUED_AUDIENCE",
    "VP_FORMATS_SUPPORTED",
    "authorization_request_by_value",
    "authorization_request_link",
    "build_request_object",
    "client_id_for",
    "decode_request_object",
    "encode_unsigned_request_object",
    "parse_direct_post",
    "parse_vp_token",
    "request_object_signing_input",
]

PREFIX_REDIRECT_URI: Final = "redirect_uri:"
PREFIX_DECENTRALIZED_IDENTIFIER: Final = "decentralized_identifier:"
#: §5.9.3: requests signed by the key of an X.509 certificate (``x5c``) naming the client
PREFIX_X509_SAN_DNS: Final = "x509_san_dns:"
PREFIX_X509_HASH: Final = "x509_hash:"
DIRECT_POST: Final = "direct_post"
DIRECT_POST_JWT: Final = "direct_post.jwt"
#: RFC 9101 §10.8 / OpenID4VP §5.10: the request object media type and JWS ``typ``
REQUEST_OBJECT_MEDIA_TYPE: Final = "application/oauth-authz-req+jwt"
REQUEST_OBJECT_TYP: Final = "oauth-authz-req+jwt"
#: §5.8: the ``aud`` of a request object for a wallet that publishes no metadata
SELF_ISSUED_AUDIENCE: Final = "https://self-issued.me/v2"
#: §5.1, §5.4, §5.11 (and OAuth's URI encoding of JSON values): the request parameters whose value
#: is JSON, carried JSON-encoded when the request is passed by value in the link
JSON_PARAMETERS: Final = (
    "client_metadata",
    "dcql_query",
    "transaction_data",
    "verifier_info",
    "verifier_attestations",
)
#: claims of a request object that are about the JWT, not request parameters (RFC 9101 §4)
_JWT_ONLY_CLAIMS: Final = frozenset({"aud", "iat", "exp", "iss", "nbf", "jti"})
MAX_VP_TOKEN_BYTES: Final = 2_000_000
MAX_PRESENTATIONS: Final = 20

#: client_metadata.vp_formats_supported (§11.1, Appendix B) for the formats Musette verifies
VP_FORMATS_SUPPORTED: Final[Mapping[str, Any]] = {
    "ldp_vc": {
        "proof_type_values": ["DataIntegrityProof"],
        "cryptosuite_values": ["eddsa-rdfc-2022", "eddsa-jcs-2022"],
    },
    "jwt_vc_json": {"alg_values": ["EdDSA", "ES256"]},
    "dc+sd-jwt": {
        "sd-jwt_alg_values": ["EdDSA", "ES256"],
        "kb-jwt_alg_values": ["EdDSA", "ES256"],
    },
}


def client_id_for(prefix: str, value: str) -> str:
    """A prefixed client_id: ``redirect_uri:<response_uri>`` or ``decentralized_identifier:<did>``.

    Raises:
        InvalidInputError: an unknown prefix, or a value that does not fit it.
    """
    if prefix == PREFIX_REDIRECT_URI:
        if not value.startswith(("https://", "http://")):
            raise InvalidInputError("a redirect_uri client_id needs an http(s) response URI")
    elif prefix == PREFIX_DECENTRALIZED_IDENTIFIER:
        if not value.startswith("did:"):
            raise InvalidInputError("a decentralized_identifier client_id needs a DID")
    else:
        raise InvalidInputError(f"client_id prefix {prefix!r} is not supported")
    return prefix + value


def build_request_object(
    *,
    client_id: str,
    response_uri: str,
    nonce: str,
    state: str,
    dcql_query: Mapping[str, Any],
    response_mode: str = DIRECT_POST,
    client_metadata: Mapping[str, Any] | None = None,
    issued_at: int | None = None,
    expires_at: int | None = None,
) -> dict[str, Any]:
    """The claims of an OpenID4VP request object (§5.1, §5.2, §8.2).

    With ``direct_post``, the wallet POSTs the response to ``response_uri``;
    ``redirect_uri`` MUST NOT be present (§8.2).
    """
    if response_mode not in {DIRECT_POST, DIRECT_POST_JWT}:
        raise InvalidInputError(f"response_mode {response_mode!r} is not supported")
    metadata = dict(client_metadata or {})
    metadata.setdefault("vp_formats_supported", dict(VP_FORMATS_SUPPORTED))
    claims: dict[str, Any] = {
        "aud": SELF_ISSUED_AUDIENCE,
        "client_id": client_id,
        "response_type": "vp_token",
        "response_mode": response_mode,
        "response_uri": response_uri,
        "nonce": nonce,
        "state": state,
        "dcql_query": dict(dcql_query),
        "client_metadata": metadata,
    }
    if issued_at is not None:
        claims["iat"] = issued_at
    if expires_at is not None:
        claims["exp"] = expires_at
    return claims


def _b64_json(value: Mapping[str, Any]) -> str:
    return b64url_encode(json.dumps(value, separators=(",", ":")).encode())


def encode_unsigned_request_object(claims: Mapping[str, Any]) -> str:
    """An unsecured JWS (``alg`` ``none``, RFC 7519 §6) carrying the request object.

    Musette's verifier never serves one by reference (RFC 9101 wants a signed JWT there; see
    ``authorization_request_by_value``); kept to test wallets against verifiers that do.
    """
    header = {"alg": "none", "typ": REQUEST_OBJECT_TYP}
    return f"{_b64_json(header)}.{_b64_json(claims)}."


def request_object_signing_input(claims: Mapping[str, Any], *, alg: str, kid: str) -> bytes:
    """The JWS signing input of a signed request object (header ``typ`` per RFC 9101)."""
    header = {"alg": alg, "typ": REQUEST_OBJECT_TYP, "kid": kid}
    return f"{_b64_json(header)}.{_b64_json(claims)}".encode("ascii")


def decode_request_object(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """(header, claims) of a request object JWT, without checking any signature.

    Raises:
        MalformedCredentialError: not a compact JWS with JSON header and payload.
    """
    parts = token.split(".")
    if len(parts) != 3:
        raise MalformedCredentialError("a request object is a compact JWS")
    try:
        # parse_json: the size and nesting limits (a deep array would exhaust the stack)
        header = parse_json(b64url_decode(parts[0]))
        claims = parse_json(b64url_decode(parts[1]))
    except InvalidInputError as err:
        raise MalformedCredentialError("the request object is not base64url JSON") from err
    if not isinstance(header, dict) or not isinstance(claims, dict):
        raise MalformedCredentialError("the request object header and payload must be objects")
    return header, claims


def authorization_request_link(
    client_id: str, request_uri: str, *, scheme: str = "openid4vp://", method: str | None = None
) -> str:
    """The link a wallet opens (QR code): ``openid4vp://?client_id=…&request_uri=…`` (§5.10)."""
    params = {"client_id": client_id, "request_uri": request_uri}
    if method is not None:
        params["request_uri_method"] = method
    return f"{scheme}?{urlencode(params)}"


def authorization_request_by_value(
    claims: Mapping[str, Any], *, scheme: str = "openid4vp://"
) -> str:
    """The link of a request passed by value: its parameters in the query itself (§5, RFC 6749
    §4.1.1), JSON values JSON-encoded, the request object's JWT-only claims left out.

    This is how a ``redirect_uri:`` request is sent: it cannot be signed (§5.9.3), and an
    unsigned request object by reference is not a valid JAR (RFC 9101 §5.2; wallets refuse it).
    """
    params = {
        name: json.dumps(value, separators=(",", ":")) if name in JSON_PARAMETERS else str(value)
        for name, value in claims.items()
        if name not in _JWT_ONLY_CLAIMS
    }
    return f"{scheme}?{urlencode(params)}"


def parse_vp_token(value: Any) -> dict[str, list[Any]]:
    """Validate a ``vp_token`` (§8.1): a JSON object mapping credential query ids to non-empty
    arrays of presentations (strings, or JSON objects for ``ldp_vc``).

    ``value`` may be the JSON text (a form field) or the parsed object.

    Raises:
        MalformedCredentialError: anything else.
    """
    if isinstance(value, str):
        if len(value) > MAX_VP_TOKEN_BYTES:
            raise MalformedCredentialError("vp_token is too large")
        try:
            value = parse_json(value)
        except InvalidInputError as err:
            raise MalformedCredentialError(f"vp_token is not a JSON object: {err.detail}") from err
    if not isinstance(value, dict) or not value:
        raise MalformedCredentialError("vp_token must be a non-empty JSON object")
    out: dict[str, list[Any]] = {}
    total = 0
    for key, items in value.items():
        if not isinstance(items, list) or not items:
            raise MalformedCredentialError(
                f"vp_token[{key!r}] must be a non-empty array of presentations"
            )
        for item in items:
            if not isinstance(item, str | dict):
                raise MalformedCredentialError(
                    f"vp_token[{key!r}] items must be strings or JSON objects"
                )
        total += len(items)
        out[str(key)] = list(items)
    if total > MAX_PRESENTATIONS:
        raise MalformedCredentialError(f"more than {MAX_PRESENTATIONS} presentations")
    return out


def parse_direct_post(form: Mapping[str, Any]) -> dict[str, Any]:
    """The fields of a ``direct_post`` body (§8.2): ``vp_token`` (parsed), ``state``, or
    ``response`` (the JWT of ``direct_post.jwt``), or ``error``.

    Raises:
        MalformedCredentialError: neither a response nor an error.
    """
    if "error" in form:
        return {
            "error": str(form["error"]),
            "error_description": str(form.get("error_description", "")),
            "state": form.get("state"),
        }
    if "response" in form:
        return {"response": str(form["response"]), "state": form.get("state")}
    if "vp_token" not in form:
        raise MalformedCredentialError("the response has no vp_token, response or error")
    return {"vp_token": parse_vp_token(form["vp_token"]), "state": form.get("state")}

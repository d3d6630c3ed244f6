"""An OpenID4VP 1.0 authorization request, fetched and checked before the person sees it.

§5.10 ``request_uri`` (JAR, RFC 9101); §5.9 client identifier prefixes: ``redirect_uri:``
(unsigned requests; the response goes back to that very URI), ``decentralized_identifier:``
(requests signed by a key of the DID) and ``x509_san_dns:``/``x509_hash:`` (signed under an
``x5c`` chain to a configured anchor, :mod:`wallet.service.x509_clients`); §8.2
``direct_post`` and §8.3.1 ``direct_post.jwt`` (the key the answer is encrypted to).
Anything unacceptable raises :class:`wallet.errors.RequestRefusedError`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

from cryptography import x509

from shared.did import DidResolver
from shared.encoding.json_limits import parse_json
from shared.errors import InvalidInputError, VcError
from shared.net.fetch import HttpFetcher
from shared.proofs.jose import check_jws_header, parse_jws, verify_jws
from shared.protocols.dcql import parse_dcql_query
from shared.protocols.oid4vp import (
    DIRECT_POST,
    DIRECT_POST_JWT,
    JSON_PARAMETERS,
    PREFIX_DECENTRALIZED_IDENTIFIER,
    PREFIX_REDIRECT_URI,
    PREFIX_X509_SAN_DNS,
    REQUEST_OBJECT_MEDIA_TYPE,
    decode_request_object,
)
from shared.protocols.response_encryption import select_encryption_key
from wallet.errors import RequestRefusedError
from wallet.service.x509_clients import X509_PREFIXES, verify_x509_request


def _params_of(link: str) -> dict[str, str]:
    parts = urlsplit(link.strip())
    if not parts.scheme:
        raise InvalidInputError("that is not a presentation request link")
    return {k: v[0] for k, v in parse_qs(parts.query).items()}


@dataclass(frozen=True)
class ResolvedRequest:
    client_id: str
    claims: dict[str, Any]
    signed: bool
    request_uri: str | None


def _verify_signed_request(token: str, client_id: str, resolver: DidResolver) -> dict[str, Any]:
    """§5.9.3 decentralized_identifier: the request is signed by a key of the client's DID."""
    did = client_id.removeprefix(PREFIX_DECENTRALIZED_IDENTIFIER)
    try:
        jws = parse_jws(token)
        check_jws_header(jws.header)
    except VcError as err:
        raise RequestRefusedError(f"the signed request object is unusable: {err.detail}") from err
    kid = jws.header.get("kid")
    if not isinstance(kid, str) or kid.split("#", 1)[0] != did:
        # "the kid JOSE header parameter MUST be a DID URL referring to a verification
        # method in the Verifier's DID document"
        raise RequestRefusedError("the request object's kid is not a key of the client_id DID")
    try:
        method = resolver.verification_method(kid, controller=did)
        verify_jws(jws, method.public_key)
    except VcError as err:
        raise RequestRefusedError(
            f"the request object's signature does not verify: {err.detail}"
        ) from err
    return jws.payload


def _fetch_request_object(fetcher: HttpFetcher, params: Mapping[str, str]) -> str | None:
    """The request object: by value (``request``), fetched from ``request_uri`` (§5.10), or
    None when the request's parameters are in the link itself."""
    token: str | None = params.get("request")
    request_uri = params.get("request_uri")
    if token is None and request_uri is not None:
        method = params.get("request_uri_method", "get").lower()
        if method not in {"get", "post"}:
            raise RequestRefusedError("request_uri_method must be get or post")
        resp = fetcher.request(
            method.upper(),
            request_uri,
            headers={"Accept": REQUEST_OBJECT_MEDIA_TYPE},
            data={} if method == "post" else None,
        )
        token = resp.body.decode("utf-8", "replace").strip()
    return token


def _claims_by_value(params: Mapping[str, str]) -> dict[str, Any]:
    """The request's parameters read from the link (§5): JSON-valued ones come JSON-encoded,
    client_metadata included."""
    claims: dict[str, Any] = dict(params)
    for name in JSON_PARAMETERS:
        if isinstance(claims.get(name), str):
            try:
                claims[name] = parse_json(claims[name])
            except InvalidInputError as err:
                raise RequestRefusedError(f"{name} is not JSON") from err
    if "client_metadata" in claims and not isinstance(claims["client_metadata"], dict):
        raise RequestRefusedError("client_metadata must be a JSON object")
    return claims


def _claims_of_client(
    client_id: str,
    claims: dict[str, Any],
    token: str | None,
    signed: bool,
    resolver: DidResolver,
    trust_anchors: Sequence[x509.Certificate],
) -> dict[str, Any]:
    """The request's claims as its client identifier prefix (§5.9) allows them: unsigned for
    ``redirect_uri:``, verified under the DID or the X.509 chain otherwise."""
    if client_id.startswith(PREFIX_REDIRECT_URI):
        if signed:
            raise RequestRefusedError("a redirect_uri: client must not sign its request (§5.9.3)")
        return claims
    if client_id.startswith(PREFIX_DECENTRALIZED_IDENTIFIER):
        if not signed or token is None:
            raise RequestRefusedError("a decentralized_identifier: client must sign its request")
        return _verify_signed_request(token, client_id, resolver)
    if client_id.startswith(X509_PREFIXES):
        if not signed or token is None:
            raise RequestRefusedError("an x509_san_dns:/x509_hash: client must sign its request")
        return verify_x509_request(token, client_id, trust_anchors)
    prefix = client_id.split(":", 1)[0] if ":" in client_id else client_id
    raise RequestRefusedError(
        f"client_id prefix {prefix!r} is not supported (redirect_uri:, "
        "decentralized_identifier:, x509_san_dns:, x509_hash:)"
    )


def resolve_request(
    fetcher: HttpFetcher,
    resolver: DidResolver,
    link: str,
    trust_anchors: Sequence[x509.Certificate] = (),
) -> ResolvedRequest:
    """Fetch and check an authorization request; raise RequestRefusedError if unacceptable.

    ``trust_anchors``: the X.509 roots ``x509_san_dns:``/``x509_hash:`` clients must chain to.
    """
    params = _params_of(link)
    client_id = params.get("client_id")
    if not client_id:
        raise RequestRefusedError("the request has no client_id")
    token = _fetch_request_object(fetcher, params)
    if token is not None:
        try:
            header, claims = decode_request_object(token)
        except VcError as err:
            raise RequestRefusedError(f"the request object is malformed: {err.detail}") from err
        signed = header.get("alg") not in (None, "none")
    else:
        claims = _claims_by_value(params)
        signed = False
    claims = _claims_of_client(client_id, claims, token, signed, resolver, trust_anchors)
    if claims.get("client_id") != client_id:
        # §5.10: the client_id of the request object must be the one of the link
        raise RequestRefusedError("the request object's client_id is not the link's client_id")
    check_request(claims, client_id)
    return ResolvedRequest(client_id, claims, signed, params.get("request_uri"))


def check_request(claims: Mapping[str, Any], client_id: str) -> None:
    if claims.get("response_type") != "vp_token":
        raise RequestRefusedError("only response_type vp_token is supported")
    mode = claims.get("response_mode")
    if mode not in {DIRECT_POST, DIRECT_POST_JWT}:
        raise RequestRefusedError(
            f"response_mode {mode!r} is not supported (direct_post, direct_post.jwt)"
        )
    if mode == DIRECT_POST_JWT:
        encryption_key(claims)  # refuse now, before the person is asked anything
    if not isinstance(claims.get("nonce"), str) or not claims["nonce"]:
        raise RequestRefusedError("the request has no nonce")
    response_uri = claims.get("response_uri")
    if not isinstance(response_uri, str) or not response_uri:
        raise RequestRefusedError("a direct_post request needs a response_uri")
    check_response_uri(client_id, response_uri)
    if "dcql_query" not in claims:
        raise RequestRefusedError(
            "the request has no dcql_query (presentation_definition is not supported)"
        )
    try:
        parse_dcql_query(claims["dcql_query"])
    except VcError as err:
        raise RequestRefusedError(f"the DCQL query is not valid: {err.detail}") from err


def encryption_key(claims: Mapping[str, Any]) -> tuple[dict[str, Any], str]:
    """The verifier's key and the ``enc`` to encrypt a direct_post.jwt answer with (§8.3)."""
    try:
        return select_encryption_key(claims.get("client_metadata"))
    except VcError as err:
        raise RequestRefusedError(
            f"the verifier asks for an encrypted answer (direct_post.jwt), but {err.detail}"
        ) from err


def check_response_uri(client_id: str, response_uri: str) -> None:
    """Where the answer may go, given who asks.

    ``redirect_uri:<uri>``: the response_uri must be that URI (§5.9.3: the client identifier
    *is* the response URI). ``decentralized_identifier:did:web:<host>``: the response_uri must
    be on that host. Other DIDs name no host: their signature covers the response_uri, and
    the consent screen shows its host.
    """
    target = urlsplit(response_uri)
    if target.scheme not in {"https", "http"}:
        raise RequestRefusedError("the response_uri must be an https URL")
    if client_id.startswith(PREFIX_REDIRECT_URI):
        allowed = client_id.removeprefix(PREFIX_REDIRECT_URI)
        if response_uri != allowed:
            raise RequestRefusedError(
                f"the response_uri ({target.netloc}) is not the client_id's URI "
                f"({urlsplit(allowed).netloc}); the presentation would go elsewhere"
            )
        return
    if client_id.startswith(PREFIX_X509_SAN_DNS):
        # §5.9.3: the FQDN of the response URI must be the client identifier's DNS name
        name = client_id.removeprefix(PREFIX_X509_SAN_DNS).lower()
        if (target.hostname or "").lower() != name:
            raise RequestRefusedError(
                f"the response_uri is on {target.netloc}, but the client_id names {name}"
            )
        return
    did = client_id.removeprefix(PREFIX_DECENTRALIZED_IDENTIFIER)
    if did.startswith("did:web:"):
        host = did.removeprefix("did:web:").split(":", 1)[0].replace("%3A", ":").replace("%3a", ":")
        if target.netloc.lower() != host.lower():
            raise RequestRefusedError(
                f"the response_uri is on {target.netloc}, but the client_id {did} is {host}"
            )

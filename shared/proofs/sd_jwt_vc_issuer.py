"""Where an SD-JWT VC issuer's key comes from when ``iss`` is not a DID.

Implements draft-ietf-oauth-sd-jwt-vc-14: §3.5 (issuer signature mechanisms) and §4 (JWT VC
Issuer Metadata). Two mechanisms besides DIDs:

* ``x5c`` in the issuer-signed JWT's header: the chain must validate to a configured trust
  anchor (:mod:`shared.keys.x509`); with no anchor configured the key is not trusted. When
  ``iss`` is an https URL, its host must be a dNSName (or ``iss`` itself a URI) in the leaf
  certificate's subjectAltName.
* ``iss`` an https URL: the metadata at ``https://<host>/.well-known/jwt-vc-issuer<path>``
  (§4.1: the well-known segment goes between the host and the path), whose ``issuer`` must
  be ``iss`` exactly, with the keys in ``jwks`` or at ``jwks_uri`` (exactly one of them).
  The key is the one whose ``kid`` is the header's ``kid``, or the only key when the header
  names none.

Every document comes through the injected fetcher (timeout, size cap, no private addresses);
nothing here opens a connection itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Final
from urllib.parse import urlsplit, urlunsplit

from cryptography import x509

from shared.errors import DidResolutionError, VcError
from shared.keys.keypair import ALGORITHMS, PublicKey
from shared.keys.x509 import dns_names, leaf_public_key, parse_x5c, verify_chain
from shared.net.fetch import Fetcher
from shared.proofs.jose import Jws

__all__ = [
    "JWT_VC_ISSUER_WELL_KNOWN",
    "MAX_JWKS_KEYS",
    "IssuerKeyError",
    "jwt_vc_issuer_metadata_url",
    "resolve_metadata_key",
    "resolve_x5c_key",
]

JWT_VC_ISSUER_WELL_KNOWN: Final = "/.well-known/jwt-vc-issuer"
#: a JWK Set with more keys than this is refused (real issuers publish a handful)
MAX_JWKS_KEYS: Final = 100


class IssuerKeyError(DidResolutionError):
    """The issuer's key cannot be found or trusted (same problem code as a DID failure)."""


def jwt_vc_issuer_metadata_url(iss: str, *, allow_http: bool = False) -> str:
    """§4.1: ``/.well-known/jwt-vc-issuer`` inserted between the host and the path of ``iss``.

    Raises:
        IssuerKeyError: ``iss`` is not an https URL (http only with ``allow_http``), or has a
            query or fragment.
    """
    parts = urlsplit(iss)
    schemes = {"https", "http"} if allow_http else {"https"}
    if parts.scheme not in schemes or not parts.netloc:
        raise IssuerKeyError(f"'iss' {iss!r} is not an https URL")
    if parts.query or parts.fragment:
        raise IssuerKeyError("an 'iss' URL with a query or fragment has no issuer metadata")
    path = parts.path.rstrip("/")
    return urlunsplit((parts.scheme, parts.netloc, JWT_VC_ISSUER_WELL_KNOWN + path, "", ""))


def _fetch_object(fetcher: Fetcher, url: str, what: str) -> dict[str, Any]:
    try:
        doc = fetcher.fetch_json(url)
    except VcError as err:  # UpstreamError, FetchRefusedError, InvalidInputError (size, JSON)
        raise IssuerKeyError(f"the {what} could not be fetched: {err.detail}") from err
    if not isinstance(doc, dict):
        raise IssuerKeyError(f"the {what} at {url} is not a JSON object")
    return doc


def _select_key(jwks: Any, kid: str | None, alg: str, where: str) -> PublicKey:
    """The key of ``jwks`` named by ``kid`` (or its only key), fit for ``alg``."""
    keys = jwks.get("keys") if isinstance(jwks, Mapping) else None
    if not isinstance(keys, list):
        raise IssuerKeyError(f"the issuer's JWK Set ({where}) has no 'keys' array")
    if len(keys) > MAX_JWKS_KEYS:
        raise IssuerKeyError(f"the issuer's JWK Set holds more than {MAX_JWKS_KEYS} keys")
    if kid is None:
        if len(keys) != 1:
            raise IssuerKeyError(
                f"the header names no kid and the issuer publishes {len(keys)} keys, not one"
            )
        found = keys[0]
    else:
        matching = [k for k in keys if isinstance(k, Mapping) and k.get("kid") == kid]
        if len(matching) != 1:
            raise IssuerKeyError(
                f"the issuer publishes {'no' if not matching else 'several'} key(s) "
                f"with kid {kid!r}"
            )
        found = matching[0]
    if not isinstance(found, Mapping):
        raise IssuerKeyError("the issuer's key is not a JSON object")
    if "alg" in found and found["alg"] != alg:
        raise IssuerKeyError(f"the issuer's key is for {found['alg']!r}, the JWT uses {alg!r}")
    if found.get("use", "sig") != "sig":
        raise IssuerKeyError("the issuer's key is not a signing key ('use' is not 'sig')")
    try:
        key = PublicKey.from_jwk(dict(found))
    except VcError as err:
        raise IssuerKeyError(f"the issuer's key is unusable: {err.detail}") from err
    if alg not in ALGORITHMS[key.key_type]:
        raise IssuerKeyError(f"the issuer's {key.key_type} key cannot verify {alg!r}")
    return key


def resolve_metadata_key(
    jws: Jws, fetcher: Fetcher, *, allow_http: bool = False
) -> tuple[PublicKey, str]:
    """The issuer key from JWT VC Issuer Metadata (§4); (key, how it was found).

    Raises:
        IssuerKeyError: no metadata, ``issuer`` not ``iss``, neither or both of ``jwks`` and
            ``jwks_uri``, no matching key, or a key unfit for the header's ``alg``.
    """
    iss = jws.payload.get("iss")
    if not isinstance(iss, str):
        raise IssuerKeyError("the SD-JWT VC has no 'iss'")
    url = jwt_vc_issuer_metadata_url(iss, allow_http=allow_http)
    metadata = _fetch_object(fetcher, url, "issuer metadata")
    if metadata.get("issuer") != iss:
        # §4.3: "The issuer value returned MUST be identical to the iss value of the JWT"
        raise IssuerKeyError(
            f"the issuer metadata names {metadata.get('issuer')!r}, not the 'iss' {iss!r}"
        )
    has_jwks, has_uri = "jwks" in metadata, "jwks_uri" in metadata
    if has_jwks == has_uri:
        raise IssuerKeyError("the issuer metadata must carry exactly one of jwks and jwks_uri")
    if has_uri:
        jwks_uri = metadata["jwks_uri"]
        if not isinstance(jwks_uri, str):
            raise IssuerKeyError("the issuer metadata's jwks_uri is not a string")
        scheme = urlsplit(jwks_uri).scheme
        if scheme != "https" and not (allow_http and scheme == "http"):
            raise IssuerKeyError("the issuer metadata's jwks_uri is not an https URL")
        jwks: Any = _fetch_object(fetcher, jwks_uri, "issuer's JWK Set")
        where = jwks_uri
    else:
        jwks, where = metadata["jwks"], url
    kid = jws.header.get("kid")
    key = _select_key(jwks, kid if isinstance(kid, str) else None, str(jws.alg), where)
    named = f" (kid {kid})" if isinstance(kid, str) else ""
    return key, f"key{named} from the issuer metadata at {url}"


def _leaf_names_issuer(leaf: x509.Certificate, iss: str) -> bool:
    host = (urlsplit(iss).hostname or "").lower()
    if host and host in dns_names(leaf):
        return True
    try:
        san = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName)
    except x509.ExtensionNotFound:
        return False
    return iss in san.value.get_values_for_type(x509.UniformResourceIdentifier)


def resolve_x5c_key(
    jws: Jws, anchors: tuple[x509.Certificate, ...], now: datetime
) -> tuple[PublicKey, str]:
    """The issuer key from the ``x5c`` header, trusted only through a configured anchor.

    Raises:
        IssuerKeyError: a malformed chain, no anchor, a chain that does not validate, or a
            leaf that does not name the https ``iss``.
    """
    try:
        chain = parse_x5c(jws.header.get("x5c"))
        leaf = verify_chain(chain, anchors, now)
        key = leaf_public_key(leaf)
    except VcError as err:
        raise IssuerKeyError(f"the issuer key could not be trusted: {err.detail}") from err
    iss = jws.payload.get("iss")
    named = isinstance(iss, str) and iss.startswith(("https://", "http://"))
    if named and not _leaf_names_issuer(leaf, str(iss)):
        raise IssuerKeyError(
            f"the issuer's certificate does not name {urlsplit(str(iss)).hostname} "
            "in its subjectAltName"
        )
    alg = str(jws.alg)
    if alg not in ALGORITHMS[key.key_type]:
        raise IssuerKeyError(f"the certificate's {key.key_type} key cannot verify {alg!r}")
    subject = leaf.subject.rfc4514_string() or "(no subject)"
    return key, f"certificate {subject} chains to a trusted anchor"

"""DID methods: did:key and did:jwk resolve locally, did:web through the fetcher.

Implements: did:key v0.9 (Multikey form), did:jwk (2023 spec), did:web (2024 CCG spec §3.2).
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import quote, unquote

from shared.did.document import DidDocument
from shared.encoding.base64url import b64url_decode, b64url_encode
from shared.errors import DidResolutionError, InvalidInputError, UpstreamError, VcError
from shared.keys.keypair import PublicKey
from shared.net.fetch import Fetcher

DID_CONTEXT = "https://www.w3.org/ns/did/v1"
MULTIKEY_CONTEXT = "https://w3id.org/security/multikey/v1"
JWK_CONTEXT = "https://w3id.org/security/jwk/v1"
#: did:web §3.1: a domain name (as in the TLS certificate), optionally with a port.
_WEB_HOST = re.compile(
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*"
    r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?::[0-9]{1,5})?"
)
ALL_PURPOSES = ("authentication", "assertionMethod", "capabilityInvocation", "capabilityDelegation")


def did_key_from_public(key: PublicKey) -> str:
    """The did:key of a public key."""
    return "did:key:" + key.to_multikey()


def did_jwk_from_public(key: PublicKey) -> str:
    """The did:jwk of a public key (base64url of its JSON JWK, members sorted)."""
    jwk = json.dumps(key.to_jwk(), separators=(",", ":"), sort_keys=True)
    return "did:jwk:" + b64url_encode(jwk.encode())


def verification_method_id(did: str) -> str:
    """The default verification method id of a did:key or did:jwk."""
    if did.startswith("did:key:"):
        return f"{did}#{did.removeprefix('did:key:')}"
    return f"{did}#0"


def resolve_did_key(did: str) -> DidDocument:
    """did:key → a document with one Multikey verification method."""
    multibase = did.removeprefix("did:key:")
    try:
        PublicKey.from_multikey(multibase)
    except VcError as err:
        raise DidResolutionError(f"{did} is not a valid did:key: {err.detail}") from err
    vm_id = f"{did}#{multibase}"
    raw: dict[str, Any] = {
        "@context": [DID_CONTEXT, MULTIKEY_CONTEXT],
        "id": did,
        "verificationMethod": [
            {"id": vm_id, "type": "Multikey", "controller": did, "publicKeyMultibase": multibase}
        ],
    }
    raw.update({purpose: [vm_id] for purpose in ALL_PURPOSES})
    return DidDocument(did, raw)


def resolve_did_jwk(did: str) -> DidDocument:
    """did:jwk → a document with one JsonWebKey verification method ``#0``."""
    try:
        jwk = json.loads(b64url_decode(did.removeprefix("did:jwk:")))
        PublicKey.from_jwk(jwk)
    except (VcError, ValueError) as err:
        raise DidResolutionError(f"{did} is not a valid did:jwk") from err
    if "d" in jwk:
        raise DidResolutionError(f"{did} embeds a private key")
    vm_id = f"{did}#0"
    raw: dict[str, Any] = {
        "@context": [DID_CONTEXT, JWK_CONTEXT],
        "id": did,
        "verificationMethod": [
            {"id": vm_id, "type": "JsonWebKey", "controller": did, "publicKeyJwk": jwk}
        ],
    }
    purposes = ALL_PURPOSES if jwk.get("use") != "enc" else ()
    raw.update({purpose: [vm_id] for purpose in purposes})
    return DidDocument(did, raw)


def did_web_url(did: str) -> str:
    """The https URL of a did:web document (did:web spec §3.2.2, Read)."""
    parts = did.removeprefix("did:web:").split(":")
    if not parts[0]:
        raise DidResolutionError(f"{did} has no host")
    host = unquote(parts[0])
    if len(host) > 259 or not _WEB_HOST.fullmatch(host):
        raise DidResolutionError(f"{did} has an invalid host (a domain name and an optional port)")
    path = "/".join(quote(unquote(p), safe="") for p in parts[1:])
    return f"https://{host}/{path}/did.json" if path else f"https://{host}/.well-known/did.json"


def did_web_from_url(url: str) -> str:
    """The did:web naming a base URL such as ``https://host:8443/orgs/acme``."""
    rest = url.split("://", 1)[1].rstrip("/")
    host, _, path = rest.partition("/")
    segments = [quote(host, safe="")] + [s for s in path.split("/") if s]
    return "did:web:" + ":".join(segments)


def resolve_did_web(did: str, fetcher: Fetcher, *, allow_http: bool = False) -> DidDocument:
    """did:web → fetch its document through the injected fetcher."""
    url = did_web_url(did)
    if allow_http:
        # development only: a loopback did:web served over plain http
        host = url.split("/")[2]
        if host.split(":")[0] in {"localhost", "127.0.0.1"}:
            url = "http://" + url.removeprefix("https://")
    try:
        raw = fetcher.fetch_json(url)
    except UpstreamError:
        raise
    except InvalidInputError as err:
        raise DidResolutionError(f"the DID document of {did} is not valid JSON") from err
    return DidDocument.parse(did, raw)

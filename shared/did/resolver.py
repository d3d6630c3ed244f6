"""One DID resolver for did:key, did:jwk and did:web."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from shared.did.document import DidDocument, VerificationMethod
from shared.did.methods import resolve_did_jwk, resolve_did_key, resolve_did_web
from shared.errors import DidResolutionError
from shared.net.fetch import Fetcher, NoFetcher

#: A did:key document is a pure function of the DID (no network, no state), so resolved
#: documents are cached by DID. Verdicts are never cached.
_resolve_did_key_cached = lru_cache(maxsize=4096)(resolve_did_key)


@lru_cache(maxsize=4096)
def _did_key_method(did: str, did_url: str, purpose: str | None) -> VerificationMethod:
    """A did:key verification method: as pure a function of its arguments as the document."""
    return _resolve_did_key_cached(did).verification_method(did_url, purpose)


@dataclass
class DidResolver:
    """Resolve DIDs; did:web goes through ``fetcher`` and nothing else reaches the network."""

    fetcher: Fetcher = field(default_factory=NoFetcher)
    allow_http: bool = False

    def resolve(self, did: str) -> DidDocument:
        """Resolve a DID (not a DID URL) to its document."""
        if not isinstance(did, str) or not did.startswith("did:"):
            raise DidResolutionError(f"{did!r} is not a DID")
        if did.startswith("did:key:"):
            return _resolve_did_key_cached(did)
        if did.startswith("did:jwk:"):
            return resolve_did_jwk(did)
        if did.startswith("did:web:"):
            return resolve_did_web(did, self.fetcher, allow_http=self.allow_http)
        method = did.split(":")[1] if did.count(":") >= 2 else "?"
        raise DidResolutionError(f"DID method {method!r} is not supported (key, jwk, web)")

    def verification_method(
        self, did_url: str, purpose: str | None = None, *, controller: str | None = None
    ) -> VerificationMethod:
        """Resolve a DID URL to its verification method, checking purpose and controller.

        ``controller`` is the DID that must own the method (the credential's issuer
        or the presentation's holder); a method of another DID is refused.
        """
        if not isinstance(did_url, str) or "#" not in did_url:
            raise DidResolutionError(f"{did_url!r} is not a DID URL with a fragment")
        did = did_url.split("#", 1)[0]
        if did.startswith("https://"):
            return self._controller_document_method(did_url, did, purpose, controller)
        if did.startswith("did:jwk:") and not did_url.endswith("#0"):
            raise DidResolutionError(f"{did_url} is not a did:jwk verification method (#0)")
        if controller is not None and did != controller:
            raise DidResolutionError(
                f"verification method {did_url} belongs to {did}, not to {controller}"
            )
        if did.startswith("did:key:"):
            return _did_key_method(did, did_url, purpose)
        return self.resolve(did).verification_method(did_url, purpose)

    def _controller_document_method(
        self, vm_url: str, url: str, purpose: str | None, controller: str | None
    ) -> VerificationMethod:
        """An https verification method: its controller document (Controlled Identifiers
        v1.0 §3.3) is fetched through the fetcher, as for did:web, and must name itself."""
        if controller is not None and url != controller:
            raise DidResolutionError(
                f"verification method {vm_url} belongs to {url}, not to {controller}"
            )
        raw = self.fetcher.fetch_json(url)
        return DidDocument.parse(url, raw).verification_method(vm_url, purpose)

"""DID documents: verification-method lookup by DID URL and proof-purpose checks.

Implements: DID Core v1.0 §5.3 (verification relationships) and §3.2 (DID URL syntax).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

from shared.errors import DidResolutionError
from shared.keys.keypair import PublicKey

PURPOSES = ("assertionMethod", "authentication", "capabilityInvocation", "capabilityDelegation")


@dataclass(frozen=True)
class VerificationMethod:
    """One verification method, with its key parsed."""

    id: str
    type: str
    controller: str
    public_key: PublicKey


@dataclass(frozen=True)
class DidDocument:
    """A resolved DID document (kept as JSON, parsed lazily)."""

    id: str
    raw: dict[str, Any]

    @classmethod
    def parse(cls, did: str, raw: Any) -> DidDocument:
        """Check the document is an object whose ``id`` is the DID that was resolved."""
        if not isinstance(raw, dict):
            raise DidResolutionError(f"the DID document of {did} is not a JSON object")
        if raw.get("id") != did:
            raise DidResolutionError(
                f"the DID document's id {raw.get('id')!r} is not the DID resolved ({did})"
            )
        return cls(did, raw)

    def _absolute(self, ref: str) -> str:
        return self.id + ref if ref.startswith("#") else ref

    @cached_property
    def _methods(self) -> dict[str, dict[str, Any]]:
        """Every verification method by absolute id (the document is not changed once parsed)."""
        found: dict[str, dict[str, Any]] = {}
        entries: list[Any] = list(_as_list(self.raw.get("verificationMethod")))
        for purpose in PURPOSES:
            entries += [e for e in _as_list(self.raw.get(purpose)) if isinstance(e, dict)]
        for entry in entries:
            if isinstance(entry, dict) and isinstance(entry.get("id"), str):
                found[self._absolute(entry["id"])] = entry
        return found

    def verification_method(self, did_url: str, purpose: str | None = None) -> VerificationMethod:
        """Find ``did_url`` in this document; with ``purpose``, require that relationship."""
        did_url = self._absolute(did_url)
        if did_url.split("#", 1)[0] != self.id:
            raise DidResolutionError(f"verification method {did_url} does not belong to {self.id}")
        entry = self._methods.get(did_url)
        if entry is None:
            raise DidResolutionError(f"{self.id} has no verification method {did_url}")
        if purpose is not None and not self.allows(did_url, purpose):
            raise DidResolutionError(
                f"{did_url} is not authorised for {purpose} in {self.id}'s DID document"
            )
        controller = entry.get("controller", self.id)
        if controller != self.id:
            raise DidResolutionError(
                f"verification method {did_url} is controlled by {controller}, not {self.id}"
            )
        return VerificationMethod(did_url, str(entry.get("type", "")), controller, _key(entry))

    def allows(self, did_url: str, purpose: str) -> bool:
        """True when ``did_url`` is listed (by reference or embedded) under ``purpose``."""
        for entry in _as_list(self.raw.get(purpose)):
            ref = entry.get("id") if isinstance(entry, dict) else entry
            if isinstance(ref, str) and self._absolute(ref) == did_url:
                return True
        return False


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _key(entry: dict[str, Any]) -> PublicKey:
    if "publicKeyMultibase" in entry:
        return PublicKey.from_multikey(entry["publicKeyMultibase"])
    if "publicKeyJwk" in entry:
        jwk = entry["publicKeyJwk"]
        if isinstance(jwk, dict) and "d" in jwk:
            raise DidResolutionError("a DID document must not publish a private key ('d')")
        return PublicKey.from_jwk(jwk)
    raise DidResolutionError(
        f"verification method {entry.get('id')} has neither publicKeyMultibase nor publicKeyJwk"
    )

"""DIDs: did:key and did:jwk locally, did:web through the fetcher; VM lookup and purposes."""

from __future__ import annotations

import json

import pytest

from shared.did import (
    DidDocument,
    DidResolver,
    did_jwk_from_public,
    did_key_from_public,
    did_web_from_url,
    did_web_url,
    verification_method_id,
)
from shared.encoding import b64url_encode
from shared.errors import DidResolutionError, FetchRefusedError
from shared.keys import PrivateKey, PublicKey
from shared.net.fetch import StaticFetcher
from tests.conftest import load_json


def test_did_key_spec_example_document() -> None:
    """did-key-spec example (vectors/did/did-key-z6MkhaXg-multikey-diddoc.json)."""
    expected = load_json("did", "did-key-z6MkhaXg-multikey-diddoc.json")
    doc = DidResolver().resolve(expected["id"])
    assert doc.raw["verificationMethod"] == expected["verificationMethod"]
    for purpose in (
        "authentication",
        "assertionMethod",
        "capabilityDelegation",
        "capabilityInvocation",
    ):
        assert doc.raw[purpose] == expected[purpose]


def test_did_key_legacy_seed_vectors() -> None:
    """w3c-ccg did-key-spec ed25519-x25519.json: seed -> did:key (removed upstream Nov 2025)."""
    vectors = load_json("did", "did-key-ed25519-x25519-legacy-vectors.json")
    for did, entry in vectors.items():
        key = PrivateKey.from_raw("ed25519", bytes.fromhex(entry["seed"]))
        assert did_key_from_public(key.public_key) == did


@pytest.mark.parametrize("kind", ["ed25519", "p256"])
def test_did_key_and_did_jwk_resolve_to_the_key(kind: str) -> None:
    pub = PrivateKey.generate(kind).public_key
    resolver = DidResolver()
    for did in (did_key_from_public(pub), did_jwk_from_public(pub)):
        vm = resolver.verification_method(verification_method_id(did), "assertionMethod")
        assert vm.public_key.to_jwk() == pub.to_jwk()
        assert vm.controller == did


def test_did_jwk_refuses_private_key_and_garbage() -> None:
    key = PrivateKey.generate("ed25519")
    private = "did:jwk:" + b64url_encode(json.dumps(key.to_jwk()).encode())
    with pytest.raises(DidResolutionError, match="private"):
        DidResolver().resolve(private)
    with pytest.raises(DidResolutionError):
        DidResolver().resolve("did:jwk:!!!")
    with pytest.raises(DidResolutionError):
        DidResolver().resolve("did:jwk:" + b64url_encode(b"[1,2]"))


@pytest.mark.parametrize(
    "did",
    [
        "did:key:zzz",
        "did:key:z6Mk",
        "did:key:",
        "did:example:123",
        "not-a-did",
        "did:key:u" + "A" * 44,
    ],
)
def test_bad_dids_are_clear_errors(did: str) -> None:
    with pytest.raises(DidResolutionError):
        DidResolver().resolve(did)


def test_verification_method_of_another_did_is_refused() -> None:
    mine = did_key_from_public(PrivateKey.generate().public_key)
    theirs = did_key_from_public(PrivateKey.generate().public_key)
    with pytest.raises(DidResolutionError, match="belongs to"):
        DidResolver().verification_method(verification_method_id(theirs), controller=mine)


def _web_doc(
    did: str, key: PublicKey, *, purposes: tuple[str, ...] = ("assertionMethod",)
) -> dict[str, object]:
    vm = f"{did}#key-1"
    doc: dict[str, object] = {
        "@context": ["https://www.w3.org/ns/did/v1"],
        "id": did,
        "verificationMethod": [
            {
                "id": vm,
                "type": "Multikey",
                "controller": did,
                "publicKeyMultibase": key.to_multikey(),
            }
        ],
    }
    for purpose in purposes:
        doc[purpose] = [vm]
    return doc


def test_did_web_urls() -> None:
    """did:web spec §3.2: host, optional port (%3A) and path."""
    assert did_web_url("did:web:example.com") == "https://example.com/.well-known/did.json"
    assert did_web_url("did:web:example.com:orgs:acme") == "https://example.com/orgs/acme/did.json"
    assert (
        did_web_url("did:web:localhost%3A8443:orgs:a") == "https://localhost:8443/orgs/a/did.json"
    )
    assert did_web_from_url("https://localhost:8443/orgs/a") == "did:web:localhost%3A8443:orgs:a"
    with pytest.raises(DidResolutionError):
        did_web_url("did:web:")


def test_did_web_resolves_through_fetcher_with_purpose_check() -> None:
    key = PrivateKey.generate().public_key
    did = "did:web:example.com:orgs:acme"
    fetcher = StaticFetcher({did_web_url(did): _web_doc(did, key)})
    resolver = DidResolver(fetcher)
    vm = resolver.verification_method(f"{did}#key-1", "assertionMethod", controller=did)
    assert vm.public_key.to_jwk() == key.to_jwk()
    with pytest.raises(DidResolutionError, match="authentication"):
        resolver.verification_method(f"{did}#key-1", "authentication")
    with pytest.raises(DidResolutionError, match="no verification method"):
        resolver.verification_method(f"{did}#key-2")


def test_did_web_document_must_name_itself() -> None:
    key = PrivateKey.generate().public_key
    did = "did:web:example.com"
    fetcher = StaticFetcher({did_web_url(did): _web_doc("did:web:evil.example", key)})
    with pytest.raises(DidResolutionError, match="not the DID resolved"):
        DidResolver(fetcher).resolve(did)


def test_foreign_controller_in_document_refused() -> None:
    key = PrivateKey.generate().public_key
    did = "did:web:example.com"
    doc = _web_doc(did, key)
    doc["verificationMethod"][0]["controller"] = "did:web:evil.example"  # type: ignore[index]
    with pytest.raises(DidResolutionError, match="controlled by"):
        DidDocument.parse(did, doc).verification_method(f"{did}#key-1")


def test_did_web_private_addresses_refused() -> None:
    """A did:web whose host resolves to loopback or the cloud metadata address is refused."""
    from shared.net.fetch import HttpFetcher

    for address in ("127.0.0.1", "169.254.169.254", "10.0.0.8", "::1", "fd00::1"):

        def resolve(host: str, port: int, a: str = address) -> list[str]:
            return [a]

        fetcher = HttpFetcher(resolve=resolve)
        with pytest.raises(FetchRefusedError, match="non-public"):
            DidResolver(fetcher).resolve("did:web:issuer.example")

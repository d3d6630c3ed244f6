"""verify_credential() on the 1EdTech validator samples (tests/data/validator-ob30, from
github:1EdTech/digital-credentials-public-validator@38254719cf0a:inspector-vc/src/test/resources/ob30).

Their proofs name https verification methods (``https://example.com/issuers/876543#z6Mk…``).
The 1EdTech validator reads the key out of the URL fragment; that proves nothing (anyone can
write any key there), so Musette dereferences the URL as a controller document through the
fetcher. These tests stand in for the issuers' servers and publish the keys the samples use.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from shared.net.fetch import StaticFetcher
from shared.verify.context import VerifyContext
from shared.verify.credential import read_input, verify_credential
from tests.conftest import data_path

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
STATUS_LIST_URL = (
    "https://raw.githubusercontent.com/1EdTech/digital-credentials-public-validator/refs/heads/"
    "main/inspector-vc/src/test/resources/ob30/bit-string-list/testlist"
)


def _controller_documents() -> dict[str, Any]:
    """Publish each https verification method the samples use, at its controller's URL."""
    docs: dict[str, Any] = {}
    for path in data_path("validator-ob30").rglob("*.json"):
        doc = json.loads(path.read_text())
        proofs = doc.get("proof", [])
        for proof in proofs if isinstance(proofs, list) else [proofs]:
            vm = proof.get("verificationMethod", "")
            if vm.startswith("https://") and "#z6Mk" in vm:
                url, key = vm.split("#", 1)
                entry = docs.setdefault(
                    url, {"id": url, "verificationMethod": [], "assertionMethod": []}
                )
                if vm not in entry["assertionMethod"]:
                    entry["verificationMethod"].append(
                        {"id": vm, "type": "Multikey", "controller": url, "publicKeyMultibase": key}
                    )
                    entry["assertionMethod"].append(vm)
    docs[STATUS_LIST_URL] = json.loads(
        data_path("validator-ob30", "bit-string-list", "testlist").read_text()
    )
    return docs


FETCHER = StaticFetcher(_controller_documents())

VALID = [
    "simple.json",
    "simple_v1.json",
    "endorsement-valid.json",
    "simple-context-alias.json",
    "simple-context-version.json",
    "simple-eddsa-2022.json",
    "simple-multiple-proofs.json",
    "simple-json.png",
    "simple-json.svg",
    "simple.1ob",
]
# file -> the check that must fail
INVALID = {
    "simple-err-context.json": "format",
    "simple-err-issuer.json": "format",
    "simple-err-type.json": "proof",
    "simple-err-expired.json": "validity",
    "simple-err-issued.json": "validity",
    "simple-err-proof-value.json": "proof",
    "simple-err-proof-method.json": "issuer_key",
    "simple-err-proof-method-no-scheme.json": "issuer_key",
    "simple-err-proof-method-unknown-did-method.json": "issuer_key",
    "simple-err-proof-method-unknown-scheme.json": "issuer_key",
    "simple-err-credential-subject-type.json": "schema",
    "simple-err-credential-subject-identifier-type.json": "schema",
    "simple-err-credential-subject-profile-type.json": "schema",
    "simple-err-credential-subject-result-type.json": "schema",
    "simple-err-credential-subject-achievement-result-description-type.json": "schema",
    "simple-err-evidence-type.json": "schema",
    "simple-err-issuer-type.json": "schema",
    "simple-err-issuer-otheridentifier-type.json": "schema",
    "simple-err-issuer-parentorg-type.json": "schema",
    "simple-noproof.json": "proof",
    "complete_v1.json": "validity",  # expirationDate 2020-01-01
    # Stricter than the 1EdTech validator, which accepts it: its credentialStatus is a
    # 1EdTechRevocationList, which Musette does not read, so a revocation cannot be ruled
    # out (docs/decisions/verdict-audit.md)
    "complete.json": "status",
    "bit-string-list/credential-status-revoked.json": "status",
    "bit-string-list/credential-status-revoked-blank-nodes.json": "status",
    # Stricter than the 1EdTech validator: the issuer is an https URL but the proof's key is
    # an unrelated did:key, so nothing ties the signature to the issuer.
    "simple-did-key-method.json": "issuer_key",
    # kid is a did:velocity URL, not a key of the issuer (1EdTech also expects a failure)
    "velocity.jwt": "issuer_key",
}


def _verify(name: str) -> Any:
    ctx = VerifyContext(fetcher=FETCHER, clock=lambda: NOW)
    return verify_credential(data_path("validator-ob30", *name.split("/")).read_bytes(), ctx)


@pytest.mark.parametrize("name", VALID)
def test_1edtech_valid_samples(name: str) -> None:
    report = _verify(name)
    assert report.verified, report.to_json()["checks"]


@pytest.mark.parametrize(("name", "check"), INVALID.items(), ids=list(INVALID))
def test_1edtech_invalid_samples(name: str, check: str) -> None:
    report = _verify(name)
    assert not report.verified
    failed = report.check(check)
    assert failed is not None, report.to_json()["checks"]
    assert failed.status.value == "failed", report.to_json()["checks"]


def test_1edtech_revoked_sample_names_the_revocation() -> None:
    report = _verify("bit-string-list/credential-status-revoked.json")
    assert report.check("proof").status.value == "passed"
    assert "revoked" in report.check("status").reason


def test_baked_png_and_svg_carry_the_same_credential() -> None:
    png = read_input(data_path("validator-ob30", "simple-json.png").read_bytes())
    svg = read_input(data_path("validator-ob30", "simple-json.svg").read_bytes())
    assert png["id"] == svg["id"]
    assert png["proof"] == svg["proof"]

"""Who attested and how well: OB 3.0 EndorsementCredential with a relationship proof, and
hostile evidence (http, private addresses, huge bodies, garbage, someone else's badge)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx2
import pytest

from shared.did import did_key_from_public, verification_method_id
from shared.keys import PrivateKey
from shared.model.builder import build_endorsement_credential
from shared.model.ob3 import EndorsementSubject, Evidence, Profile
from shared.net.fetch import HttpFetcher
from shared.proofs.data_integrity import RDFC, add_proof
from shared.verify.attestation import MAX_EVIDENCE, assess_attestation, is_endorsement
from shared.verify.context import VerifyContext
from shared.verify.credential import verify_credential
from tests.unit.wallet.testkit import IssuerKit

PUBLIC = "93.184.216.34"
EVIDENCE = "https://wallet.example/s/abc/raw"
REQUESTER = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"


class Colleague:
    def __init__(self) -> None:
        self.key = PrivateKey.generate("Ed25519")
        self.did = did_key_from_public(self.key.public_key)

    def endorse(self, evidence: list[str] | None = None, **subject: Any) -> dict[str, Any]:
        doc = build_endorsement_credential(
            Profile(id=self.did, name="Bob Colleague"),
            EndorsementSubject(
                id=subject.get("id", REQUESTER), endorsement_comment="Great teammate."
            ),
            credential_id="urn:uuid:6f1e1c5e-1111-4a4a-8c8c-000000000001",
            valid_from=datetime(2026, 1, 1, tzinfo=UTC),
            name="Lead developer — ACME",
            evidence=[Evidence(id=url, name="Relationship proof") for url in evidence or []],
        )
        return add_proof(doc, self.key.sign, verification_method_id(self.did), cryptosuite=RDFC)


def fetcher(
    routes: dict[str, bytes], address: str = PUBLIC, calls: list[str] | None = None, **kw: Any
) -> HttpFetcher:
    def handler(request: httpx2.Request) -> httpx2.Response:
        if calls is not None:
            calls.append(str(request.url))
        body = routes.get(str(request.url))
        return httpx2.Response(200 if body is not None else 404, content=body or b"")

    def resolve(host: str, port: int) -> list[str]:
        return [address]

    return HttpFetcher(resolve=resolve, transport=httpx2.MockTransport(handler), **kw)


def assess(cred: dict[str, Any], fetch: HttpFetcher, **kw: Any) -> Any:
    ctx = VerifyContext(fetcher=fetch)
    report = verify_credential(cred, ctx)
    return report, assess_attestation(cred, ctx, verified=report.verified, **kw)


@pytest.fixture
def bob() -> Colleague:
    return Colleague()


@pytest.fixture
def kit() -> IssuerKit:
    return IssuerKit()


def test_the_endorsement_is_an_ob3_endorsement_that_verifies(bob: Colleague) -> None:
    cred = bob.endorse([EVIDENCE])
    assert is_endorsement(cred)
    assert not is_endorsement({"type": ["VerifiableCredential", "OpenBadgeCredential"]})
    report = verify_credential(cred, VerifyContext())
    assert report.verified, [c.to_json() for c in report.checks]
    assert report.check("schema") is not None
    assert report.check("schema").status.value == "passed"  # type: ignore[union-attr]


def test_no_evidence_is_self_asserted(bob: Colleague) -> None:
    calls: list[str] = []
    _, found = assess(bob.endorse(), fetcher({}, calls=calls))
    assert found.level == "self-asserted"
    assert found.endorser == bob.did
    assert found.endorser_name == "Bob Colleague"
    assert found.comment == "Great teammate."
    assert found.subject == REQUESTER
    assert calls == []


@pytest.mark.parametrize("registry", [None, "ACME Corp"], ids=["unknown", "trusted"])
def test_a_verified_credential_about_the_endorser_proves_the_relationship(
    bob: Colleague, kit: IssuerKit, registry: str | None
) -> None:
    proof = json.dumps(kit.ldp(bob.did, name="Employee of ACME")).encode()
    _, found = assess(
        bob.endorse([EVIDENCE]),
        fetcher({EVIDENCE: proof}),
        trusted_name=lambda issuer: registry if issuer == kit.did else None,
    )
    assert found.level == "verified-credential", found.reason
    proven = found.proven_by
    assert proven is not None
    assert proven.issuer == kit.did
    assert proven.trusted is (registry is not None)
    assert proven.registry_name == registry
    assert proven.credential_name == "Employee of ACME"
    out = found.to_json()
    assert out["proven_by"]["url"] == EVIDENCE
    assert ("not in the trust registry" in out["reason"]) is (registry is None)


def test_a_jwt_credential_served_as_text_also_proves_it(bob: Colleague, kit: IssuerKit) -> None:
    token = kit.vc_jwt(bob.did).encode()
    _, found = assess(bob.endorse([EVIDENCE]), fetcher({EVIDENCE: token}))
    assert found.level == "verified-credential", found.reason


def test_a_credential_about_someone_else_does_not_prove_it(bob: Colleague, kit: IssuerKit) -> None:
    proof = json.dumps(kit.ldp("did:example:someone-else")).encode()
    _, found = assess(bob.endorse([EVIDENCE]), fetcher({EVIDENCE: proof}))
    assert found.level == "unproven"
    assert [e.outcome for e in found.evidence] == ["other-subject"]
    assert "someone else" in found.reason


def test_a_tampered_credential_does_not_prove_it(bob: Colleague, kit: IssuerKit) -> None:
    cred = kit.ldp(bob.did)
    cred["credentialSubject"]["achievement"]["name"] = "CEO of everything"
    _, found = assess(bob.endorse([EVIDENCE]), fetcher({EVIDENCE: json.dumps(cred).encode()}))
    assert [e.outcome for e in found.evidence] == ["not-verified"]
    assert found.proven_by is None


@pytest.mark.parametrize(
    ("url", "routes", "make", "outcome"),
    [
        ("http://wallet.example/s/x/raw", {}, {}, "refused"),  # not https outside dev mode
        (EVIDENCE, {}, {"address": "10.0.0.7"}, "refused"),  # private address
        (EVIDENCE, {}, {"address": "127.0.0.1"}, "refused"),  # loopback outside dev mode
        (EVIDENCE, {EVIDENCE: b"x" * 2_000_001}, {}, "refused"),  # larger than the cap
        (EVIDENCE, {}, {}, "fetch-failed"),  # 404
        (EVIDENCE, {EVIDENCE: b"\x00\xff garbage"}, {}, "not-a-credential"),
        (EVIDENCE, {EVIDENCE: b'{"hello": "world"}'}, {}, "not-a-credential"),
        ("javascript:alert(1)", {}, {}, "no-url"),
    ],
    ids=["http", "private", "loopback", "huge", "404", "bytes", "json", "scheme"],
)
def test_hostile_evidence_is_refused_with_a_reason(
    bob: Colleague, url: str, routes: dict[str, bytes], make: dict[str, Any], outcome: str
) -> None:
    _, found = assess(bob.endorse([url]), fetcher(routes, **make))
    assert found.level == "unproven"
    assert [e.outcome for e in found.evidence] == [outcome], found.evidence
    assert found.evidence[0].reason
    json.dumps(found.to_json())  # always serialisable


def test_a_presentation_is_not_a_relationship_proof(bob: Colleague, kit: IssuerKit) -> None:
    vp = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiablePresentation"],
        "verifiableCredential": [kit.ldp(bob.did)],
    }
    _, found = assess(bob.endorse([EVIDENCE]), fetcher({EVIDENCE: json.dumps(vp).encode()}))
    assert [e.outcome for e in found.evidence] == ["not-a-credential"]


def test_evidence_of_an_endorsement_that_does_not_verify_is_not_fetched(
    bob: Colleague, kit: IssuerKit
) -> None:
    cred = bob.endorse([EVIDENCE])
    cred["credentialSubject"]["endorsementComment"] = "Edited afterwards."
    calls: list[str] = []
    report, found = assess(cred, fetcher({EVIDENCE: b"{}"}, calls=calls))
    assert not report.verified
    assert found.level == "unproven"
    assert found.endorsement_verified is False
    assert calls == []


def test_at_most_max_evidence_urls_are_fetched(bob: Colleague) -> None:
    urls = [f"https://wallet.example/s/{n}/raw" for n in range(MAX_EVIDENCE + 4)]
    calls: list[str] = []
    _, found = assess(bob.endorse(urls), fetcher({}, calls=calls))
    assert len(found.evidence) == MAX_EVIDENCE
    assert len(calls) == MAX_EVIDENCE


def test_one_good_evidence_among_bad_ones_is_enough(bob: Colleague, kit: IssuerKit) -> None:
    good = "https://wallet.example/s/good/raw"
    routes = {good: json.dumps(kit.ldp(bob.did)).encode()}
    _, found = assess(bob.endorse([EVIDENCE, good]), fetcher(routes))
    assert found.level == "verified-credential"
    assert [e.outcome for e in found.evidence] == ["fetch-failed", "verified"]


def test_a_fetcher_without_bytes_still_works(bob: Colleague, kit: IssuerKit) -> None:
    from shared.net.fetch import StaticFetcher

    static: Callable[..., Any] = StaticFetcher
    fetch = static({EVIDENCE: kit.ldp(bob.did)})
    ctx = VerifyContext(fetcher=fetch)
    found = assess_attestation(bob.endorse([EVIDENCE]), ctx, verified=True)
    assert found.level == "verified-credential"

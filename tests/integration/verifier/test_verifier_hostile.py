"""Hostile inputs end in a failed check or a 4xx: never a 500, never a hang.

The fetcher's own limits (timeout, 1 MB cap, address checks) bound the time; nothing here
asserts on the clock.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from shared.encoding.multibase import multibase_encode
from shared.net.fetch import HttpFetcher, StaticFetcher
from shared.proofs.data_integrity import JCS, RDFC, add_proof
from shared.proofs.vc_jwt import sign_vc_jwt
from tests.integration.verifier.conftest import NOW, Served, auth, make_fetcher
from tests.unit.verifier.builders import (
    CREATED,
    ISSUER,
    OTHER,
    VC_V2,
    badge,
    did,
    kid,
    ldp_vc,
    status_list,
    vc_jwt,
)
from verifier.main import create_app
from verifier.service.trust import TrustRegistry
from verifier.service.verifying import Policy, Verifier, verify_submission
from verifier.settings import VerifierSettings


def _failed(report: dict[str, Any]) -> dict[str, str]:
    found = {c["name"]: c["reason"] for c in report["checks"] if c["status"] == "failed"}
    for sub in report.get("credentials", []):
        found.update(_failed(sub))
    return found


def _post_token(client: TestClient, token: str) -> dict[str, Any]:
    resp = client.post("/verifications", content=token, headers={"content-type": "application/jwt"})
    assert resp.status_code == 200, resp.text
    answer: dict[str, Any] = resp.json()
    return answer


@pytest.mark.parametrize(
    "url",
    [
        "https://10.0.0.7/status/1",
        "https://169.254.169.254/latest/meta-data",
        "https://[fd00::1]/status/1",
        "http://192.168.1.10/status/1",
    ],
)
def test_status_list_at_a_private_address(settings: VerifierSettings, url: str) -> None:
    """The real fetcher and the real resolver, even in development mode."""
    app = create_app(settings, fetcher=HttpFetcher(allow_loopback=True), clock=lambda: NOW)
    with TestClient(app) as client:
        report = _post_token(client, vc_jwt(badge(status_index=3, status_url=url)))
    assert report["verified"] is False
    assert "non-public" in _failed(report)["status"]


def _bomb_list(url: str, size: int) -> dict[str, Any]:
    zipper = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = bytes(1 << 20)
    parts = [zipper.compress(block) for _ in range(size >> 20)]
    compressed = b"".join(parts) + zipper.flush()
    doc = json.loads(json.dumps(status_list(url=url)))
    del doc["proof"]
    doc["credentialSubject"]["encodedList"] = multibase_encode(compressed, "u")
    return add_proof(doc, ISSUER.sign, kid(ISSUER), cryptosuite=JCS, created=CREATED)


@pytest.mark.parametrize("size", [1 << 30, 64 << 20], ids=["1GB", "64MB"])
def test_gzip_bomb_status_list(settings: VerifierSettings, size: int) -> None:
    url = "https://issuer.example/status/bomb"
    served = Served()
    served.json(url, json.dumps(_bomb_list(url, size)).encode())
    app = create_app(settings, fetcher=make_fetcher(served), clock=lambda: NOW)
    with TestClient(app) as client:
        report = _post_token(client, vc_jwt(badge(status_index=3, status_url=url)))
    assert report["verified"] is False
    reason = _failed(report)["status"]
    assert "limit" in reason or "gzip bomb" in reason


def test_fifty_megabyte_upload_is_refused_with_413(client: TestClient) -> None:
    big = b"\x89PNG\r\n\x1a\n" + bytes(50 * 1024 * 1024)
    resp = client.post("/verifications", files={"file": ("huge.png", big, "image/png")})
    assert resp.status_code == 413
    assert resp.headers["content-type"].startswith("application/problem+json")
    assert resp.json()["type"].endswith("#payload-too-large")


def test_chunked_upload_without_length_is_cut_at_the_limit(client: TestClient) -> None:
    sent = 0

    def chunks() -> Iterator[bytes]:
        nonlocal sent
        for _ in range(50):
            sent += 1
            yield bytes(1024 * 1024)

    resp = client.post("/verifications", content=chunks(), headers={"content-type": "image/png"})
    assert resp.status_code == 413


def test_json_ld_with_a_remote_context(client: TestClient, served: Served) -> None:
    credential = ldp_vc(badge(), suite=RDFC)
    credential["@context"] = [*credential["@context"], "https://evil.example/context.jsonld"]
    resp = client.post("/verifications", json={"credential": credential})
    assert resp.status_code == 200
    report = resp.json()
    assert report["verified"] is False
    assert not [u for u in served.log if "evil.example" in u]


def _did_web_with_many_keys(count: int) -> tuple[str, dict[str, Any]]:
    host_did = "did:web:hostile.example"
    methods = [
        {
            "id": f"{host_did}#k{i}",
            "type": "Multikey",
            "controller": host_did,
            "publicKeyMultibase": ISSUER.public_key.to_multikey(),
        }
        for i in range(count)
    ]
    doc = {
        "@context": ["https://www.w3.org/ns/did/v1"],
        "id": host_did,
        "verificationMethod": methods,
        "assertionMethod": [m["id"] for m in methods],
    }
    return host_did, doc


def _token_from(issuer_did: str) -> str:
    credential = badge()
    credential["issuer"] = {"id": issuer_did, "type": ["Profile"], "name": "Hostile"}
    return sign_vc_jwt(credential, OTHER, f"{issuer_did}#k9999", profile="vc+jwt")


def test_did_document_with_ten_thousand_keys_static_fetcher() -> None:
    """Served whole (no size cap): the document is read, the key does not match."""
    issuer_did, doc = _did_web_with_many_keys(10_000)
    fetcher = StaticFetcher({"https://hostile.example/.well-known/did.json": doc})
    verifier = Verifier(fetcher, lambda: NOW)
    _, out = verify_submission(_token_from(issuer_did), verifier, TrustRegistry([]), Policy())
    assert out["verified"] is False
    assert "proof" in _failed(out) or "issuer_key" in _failed(out)


def test_did_document_with_ten_thousand_keys_over_http(client: TestClient, served: Served) -> None:
    """Over HTTP the fetcher's 1 MB cap refuses it: a failed issuer_key check."""
    issuer_did, doc = _did_web_with_many_keys(10_000)
    served.json("https://hostile.example/.well-known/did.json", json.dumps(doc).encode())
    report = _post_token(client, _token_from(issuer_did))
    assert report["verified"] is False
    assert "issuer_key" in _failed(report)


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        (b"{not json", "application/json"),
        (b"[1, 2]", "application/json"),
        (b'{"credential": 5}', "application/json"),
        (b'{"credential": {}, "url": "x"}', "application/json"),
        (b'{"url": "ftp://example.org/x"}', "application/json"),
        (b"hello", "application/x-unknown"),
        (b"[" * 100_000, "application/json"),
    ],
)
def test_unusable_requests_are_problems(client: TestClient, body: bytes, kind: str) -> None:
    resp = client.post("/verifications", content=body, headers={"content-type": kind})
    assert 400 <= resp.status_code < 500, resp.text
    assert resp.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize("token", ["a.b.c", "x~y~", "not a credential", "", "eyJ.eyJ.sig"])
def test_garbage_tokens_are_failed_checks(client: TestClient, token: str) -> None:
    resp = client.post("/verifications", content=token, headers={"content-type": "text/plain"})
    assert resp.status_code == 200
    assert resp.json()["verified"] is False


def test_share_url_at_private_address_is_a_502_problem(settings: VerifierSettings) -> None:
    app = create_app(settings, fetcher=HttpFetcher(allow_loopback=True), clock=lambda: NOW)
    with TestClient(app) as client:
        resp = client.post("/verifications", json={"url": "https://10.0.0.1/share/abc"})
    assert resp.status_code == 502
    assert resp.json()["type"].endswith("#fetch-refused")


def test_untrusted_issuer_name_is_not_shown_as_fact(client: TestClient) -> None:
    resp = client.post("/verifications", json={"credential": vc_jwt(badge())})
    report = resp.json()
    assert report["trust"]["trusted"] is False
    assert report["trust"]["registry_name"] is None
    assert report["trust"]["self_asserted_name"] == "Association Démo (auto-déclarée)"
    trust = next(c for c in report["checks"] if c["name"] == "trust")
    assert "self-asserted" in trust["reason"]
    assert did(ISSUER) in trust["reason"]


def test_remote_context_vp(client: TestClient) -> None:
    vp = {"@context": [VC_V2, "https://evil.example/ctx"], "type": ["VerifiablePresentation"]}
    resp = client.post("/verifications", json={"presentation": vp})
    assert resp.status_code == 200
    assert resp.json()["verified"] is False


def test_an_accounts_verification_is_read_by_that_account_only(
    client: TestClient, api_key: str, settings: VerifierSettings
) -> None:
    """GET /verifications/{id} applies the result page's rule (docs/decisions/verification-owner.md)."""
    from verifier.service import accounts

    res = client.app.state.resources  # type: ignore[attr-defined]
    with res.sessions.begin() as session:
        other = accounts.create_account(
            session, "b@recruiter.example", "b-recruiter-pw", res.hasher, NOW
        )
        other_key = accounts.create_api_key(session, other.id, "b", NOW)
    mine = client.post(
        "/verifications", json={"credential": vc_jwt(badge())}, headers=auth(api_key)
    )
    url = f"/verifications/{mine.json()['id']}"
    assert client.get(url, headers=auth(api_key)).status_code == 200
    assert client.get(url, headers=auth(other_key)).status_code == 404
    assert client.get(url).status_code == 404
    anonymous = client.post("/verifications?store=true", json={"credential": vc_jwt(badge())})
    assert client.get(f"/verifications/{anonymous.json()['id']}").status_code == 200

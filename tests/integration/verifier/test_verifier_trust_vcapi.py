"""Trust registry API, DCC registry import, demo seeding, VC-API status codes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from shared.did import did_web_from_url
from tests.integration.verifier.conftest import auth
from tests.unit.verifier.builders import ISSUER, badge, did, ldp_vc, vc_jwt
from verifier.demo import DEMO_ASSOCIATION_NAME, seed_demo
from verifier.settings import VerifierSettings

DCC_REGISTRY = {
    "meta": {"created": "2020-12-02T02:32:16+0000", "updated": "2022-05-25T12:40:00+0000"},
    "registry": {
        "did:key:z6Mktpn6cXks1PBKLMgZH2VaahvCtBMF6K8eCa7HzrnuYLZv": {
            "name": "Example University 1 (DCC test-only issuer)",
            "location": "Cambridge, MA, USA",
            "url": "https://openlearning.mit.edu",
        },
        "did:web:c21u.gatech.edu": {"name": "Georgia Tech C21U", "url": "https://c21u.gatech.edu"},
    },
}


def test_demo_registry_trusts_the_demo_association(
    client: TestClient, api_key: str, settings: VerifierSettings
) -> None:
    issuers = client.get("/trust/issuers", headers=auth(api_key)).json()["issuers"]
    expected = did_web_from_url("https://issuer.example/orgs/demo-association")
    platform = did_web_from_url("https://issuer.example/orgs/demo-platform")
    assert [(i["value"], i["name"], i["issuer_kind"]) for i in issuers] == [
        (expected, DEMO_ASSOCIATION_NAME, "association"),
        (platform, "Plateforme Démo", "platform"),
    ]
    lines = seed_demo(settings)  # idempotent
    assert any("recruteur@" in line for line in lines)
    assert len(client.get("/trust/issuers", headers=auth(api_key)).json()["issuers"]) == 2
    assert (Path(settings.data_dir) / "demo-recruiter-api-key.txt").stat().st_mode & 0o077 == 0


def test_registry_needs_authentication(client: TestClient) -> None:
    assert client.get("/trust/issuers").status_code == 401
    resp = client.post("/trust/issuers", json={"value": "did:web:x.example", "name": "X"})
    assert resp.status_code == 401
    bad = client.get("/trust/issuers", headers=auth("mvk_wrong"))
    assert bad.status_code == 401


def test_crud_and_trust_in_reports(client: TestClient, api_key: str) -> None:
    token = vc_jwt(badge())
    before = client.post("/verifications", json={"credential": token}).json()
    assert before["trust"]["trusted"] is False
    created = client.post(
        "/trust/issuers",
        json={"kind": "did", "value": did(ISSUER), "name": "Association Démo"},
        headers=auth(api_key),
    )
    assert created.status_code == 201
    entry = created.json()
    dup = client.post(
        "/trust/issuers",
        json={"kind": "did", "value": did(ISSUER), "name": "Again"},
        headers=auth(api_key),
    )
    assert dup.status_code == 409
    after = client.post("/verifications", json={"credential": token}).json()
    assert after["trust"]["registry_name"] == "Association Démo"
    renamed = client.patch(
        f"/trust/issuers/{entry['id']}", json={"name": "Asso renommée"}, headers=auth(api_key)
    )
    assert renamed.json()["name"] == "Asso renommée"
    assert client.delete(f"/trust/issuers/{entry['id']}", headers=auth(api_key)).status_code == 204
    assert client.delete(f"/trust/issuers/{entry['id']}", headers=auth(api_key)).status_code == 404


def test_domain_entries_cover_did_web_on_that_host(client: TestClient, api_key: str) -> None:
    client.post(
        "/trust/issuers",
        json={"kind": "domain", "value": "Issuer.Example", "name": "Issuer Example"},
        headers=auth(api_key),
    ).raise_for_status()
    from verifier.service.trust import TrustEntry, TrustRegistry

    registry = TrustRegistry(
        [TrustEntry("1", "domain", "issuer.example", "Issuer Example", None, "t")]
    )
    assert registry.lookup("did:web:issuer.example:orgs:a") is not None
    assert registry.lookup("did:web:issuer.example%3A8443") is None
    assert registry.lookup("did:web:evil.example:issuer.example") is None
    bad = client.post(
        "/trust/issuers",
        json={"kind": "domain", "value": "https://x/y", "name": "X"},
        headers=auth(api_key),
    )
    assert bad.status_code == 400


def test_policy_require_trusted_issuer_and_formats(client: TestClient) -> None:
    token = vc_jwt(badge())
    strict = client.post(
        "/verifications", json={"credential": token, "policy": {"require_trusted_issuer": True}}
    ).json()
    assert strict["verified"] is False
    only_ldp = client.post(
        "/verifications", json={"credential": token, "policy": {"accepted_formats": ["ldp_vc"]}}
    ).json()
    assert only_ldp["verified"] is False
    assert any(c["name"] == "policy" and c["status"] == "failed" for c in only_ldp["checks"])
    ok = client.post(
        "/verifications",
        json={"credential": token, "policy": {"accepted_formats": ["jwt_vc_json"]}},
    ).json()
    assert ok["verified"] is True
    bad = client.post(
        "/verifications", json={"credential": token, "policy": {"accepted_formats": ["mdoc"]}}
    )
    assert bad.status_code == 400


def test_dcc_registry_import(client: TestClient, api_key: str) -> None:
    resp = client.post(
        "/trust/issuers/import", content=json.dumps(DCC_REGISTRY), headers=auth(api_key)
    )
    assert resp.json() == {"added": 2, "skipped": 0}
    again = client.post(
        "/trust/issuers/import", content=json.dumps(DCC_REGISTRY), headers=auth(api_key)
    )
    assert again.json() == {"added": 0, "skipped": 2}
    names = {
        i["name"] for i in client.get("/trust/issuers", headers=auth(api_key)).json()["issuers"]
    }
    assert "Georgia Tech C21U" in names
    legacy = {"entries": {"did:web:old.example": {"name": "Old"}}}
    resp = client.post("/trust/issuers/import", json=legacy, headers=auth(api_key))
    assert resp.json()["added"] == 1
    assert (
        client.post("/trust/issuers/import", json={"x": 1}, headers=auth(api_key)).status_code
        == 400
    )


def test_vc_api_credentials_verify(client: TestClient) -> None:
    good = client.post("/credentials/verify", json={"verifiableCredential": ldp_vc(badge())})
    assert good.status_code == 200
    assert good.json()["verified"] is True
    tampered = ldp_vc(badge())
    tampered["name"] = "Autre chose"
    bad = client.post("/credentials/verify", json={"verifiableCredential": tampered})
    assert bad.status_code == 400
    assert bad.json()["verified"] is False
    assert bad.json()["errors"]
    assert client.post("/credentials/verify", json={}).status_code == 400


def test_vc_api_presentations_verify(client: TestClient) -> None:
    from tests.unit.verifier.builders import ldp_vp

    vp = ldp_vp([ldp_vc(badge())], challenge="c-1", domain="https://verifier.example")
    ok = client.post(
        "/presentations/verify",
        json={
            "verifiablePresentation": vp,
            "options": {"challenge": "c-1", "domain": "https://verifier.example"},
        },
    )
    assert ok.status_code == 200, ok.json()
    wrong = client.post(
        "/presentations/verify",
        json={"verifiablePresentation": vp, "options": {"challenge": "c-2"}},
    )
    assert wrong.status_code == 400


def test_multipart_paste_and_json_share_url(client: TestClient, served: Any) -> None:
    token = vc_jwt(badge())
    pasted = client.post("/verifications", data={"credential": token})
    assert pasted.json()["verified"] is True
    served.json("https://wallet.example/share/abc", json.dumps({"credential": token}).encode())
    shared = client.post("/verifications", json={"url": "https://wallet.example/share/abc"})
    assert shared.status_code == 200
    assert shared.json()["verified"] is True
    assert client.post("/verifications", data={}).status_code == 400

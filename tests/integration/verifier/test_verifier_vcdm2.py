"""The verifier applies the VC Data Model 2.0 rules and never answers 500 on bad shapes.

A JSON string was verified as a credential; a presentation without ``@context``,
or with ``{"@vocab": null}``, answered 500; a presentation whose first ``@context`` is an
object passed the format check. Each case below goes through the service's HTTP API.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

from shared.proofs.data_integrity import RDFC
from tests.unit.verifier.builders import VC_V2, badge, ldp_vc, ldp_vp

CHALLENGE, DOMAIN = "n-0S6_WzA2Mj", "https://verifier.example"


def _vp(credentials: list[Any], **changes: Any) -> dict[str, Any]:
    vp = copy.deepcopy(ldp_vp([ldp_vc(badge())], challenge=CHALLENGE, domain=DOMAIN))
    vp["verifiableCredential"] = credentials
    vp.update(changes)
    return vp


def _format_check(report: dict[str, Any]) -> dict[str, Any]:
    (check,) = [c for c in report["checks"] if c["name"] == "format"]
    found: dict[str, Any] = check
    return found


def _vc_api(client: TestClient, path: str, member: str, value: Any) -> tuple[int, dict[str, Any]]:
    resp = client.post(path, json={member: value})
    assert resp.headers["content-type"].startswith("application/json"), resp.text
    return resp.status_code, resp.json()


# ---------------------------------------------------------------- a JSON string is no credential


def test_regression_14_vc_api_json_string_is_not_a_credential(client: TestClient) -> None:
    credential = ldp_vc(badge())
    status, body = _vc_api(client, "/credentials/verify", "verifiableCredential", credential)
    assert (status, body["verified"]) == (200, True)
    status, body = _vc_api(
        client, "/credentials/verify", "verifiableCredential", json.dumps(credential)
    )
    assert (status, body["verified"]) == (400, False)
    assert body["errors"][0]["name"] == "format"
    assert "not a string holding JSON" in body["errors"][0]["message"]


def test_regression_14_vc_api_json_string_is_not_a_presentation(client: TestClient) -> None:
    vp = ldp_vp([ldp_vc(badge())], challenge=CHALLENGE, domain=DOMAIN)
    status, body = _vc_api(client, "/presentations/verify", "verifiablePresentation", vp)
    assert body["report"]["checks"][0] == {
        "name": "format",
        "status": "passed",
        "reason": "VC Data Model presentation secured with Data Integrity",
    }
    status, body = _vc_api(
        client, "/presentations/verify", "verifiablePresentation", json.dumps(vp)
    )
    assert (status, body["verified"]) == (400, False)
    assert "not a string holding JSON" in body["errors"][0]["message"]


@pytest.mark.parametrize("member", ["credential", "verifiableCredential"])
def test_regression_14_verifications_json_string_member(client: TestClient, member: str) -> None:
    credential = ldp_vc(badge())
    as_object = client.post("/verifications", json={member: credential}).json()
    assert as_object["verified"] is True
    resp = client.post("/verifications", json={member: json.dumps(credential)})
    assert resp.status_code == 200
    report = resp.json()
    assert report["verified"] is False
    assert _format_check(report)["status"] == "failed"
    # the same text uploaded as a file is a JSON document, read as one
    upload = client.post(
        "/verifications",
        content=json.dumps(credential).encode(),
        headers={"content-type": "application/octet-stream"},
    )
    assert upload.json()["verified"] is True


# ---------------------------------------------------------------- the data model rules


@pytest.mark.parametrize(
    ("change", "rule", "section"),
    [
        ({"evidence": [{"id": "https://issuer.example/evidence/1"}]}, "evidence", "§5.6"),
        ({"credentialSchema": {"type": "JsonSchema"}}, "credential-schema", "§4.11"),
        ({"validFrom": "2026-01-01"}, "validity", "§4.9"),
        ({"id": "https ://not-a-url/1"}, "id", "§4.4"),
        ({"name": {"@value": "Dog", "url": "https://x.example"}}, "name-description", "§4.6"),
        ({"credentialSubject": {}}, "credential-subject", "§4.8"),
    ],
)
def test_a_signed_credential_breaking_a_rule_fails_naming_it(
    client: TestClient, change: dict[str, Any], rule: str, section: str
) -> None:
    credential = ldp_vc({**badge(), **change})
    report = client.post("/verifications", json={"credential": credential}).json()
    assert report["verified"] is False
    check = _format_check(report)
    assert (check["status"], check["details"]["rule"], check["details"]["section"]) == (
        "failed",
        rule,
        section,
    )
    status, body = _vc_api(client, "/credentials/verify", "verifiableCredential", credential)
    assert (status, body["errors"][0]["name"]) == (400, "format")
    assert section in body["errors"][0]["message"]


def test_a_presented_credential_breaking_a_rule_fails_in_the_presentation(
    client: TestClient,
) -> None:
    bad = ldp_vc({**badge(), "termsOfUse": {"id": "https://issuer.example/tou"}})
    vp = ldp_vp([bad], challenge=CHALLENGE, domain=DOMAIN)
    report = client.post("/verifications", json={"presentation": vp}).json()
    assert report["verified"] is False
    assert _format_check(report["credentials"][0])["details"]["rule"] == "terms-of-use"


# ---------------------------------------------------------------- presentations: never a 500


def _post_vp(client: TestClient, vp: Any) -> dict[str, Any]:
    resp = client.post("/presentations/verify", json={"verifiablePresentation": vp})
    assert resp.status_code == 400, resp.text
    body: dict[str, Any] = resp.json()
    assert body["verified"] is False
    report = client.post("/verifications", json={"presentation": vp})
    assert report.status_code == 200, report.text
    assert report.json()["verified"] is False
    return body


def _rdfc_vp(contexts: Any) -> dict[str, Any]:
    """A presentation signed with eddsa-rdfc-2022, then given ``contexts`` (or none)."""
    signed = ldp_vp([ldp_vc(badge())], challenge=CHALLENGE, domain=DOMAIN, suite=RDFC)
    if contexts is None:
        del signed["@context"]
    else:
        signed["@context"] = contexts
    return signed


def test_regression_14_presentation_without_context(client: TestClient) -> None:
    body = _post_vp(client, _rdfc_vp(None))
    assert body["report"]["checks"][0]["details"]["rule"] == "context"


def test_regression_14_presentation_first_context_object(client: TestClient) -> None:
    body = _post_vp(client, _rdfc_vp([{"@version": 1.1}, VC_V2]))
    check = body["report"]["checks"][0]
    assert (check["status"], check["details"]["section"]) == ("failed", "§4.3")


@pytest.mark.parametrize("where", ["presentation", "credential"])
def test_regression_14_vocab_null_context(client: TestClient, where: str) -> None:
    if where == "presentation":
        body = _post_vp(client, _rdfc_vp([VC_V2, {"@vocab": None}]))
        failed = {e["name"] for e in body["errors"]}
    else:
        credential = ldp_vc(badge(), suite=RDFC)
        credential["@context"] = [*credential["@context"], {"@vocab": None}]
        status, body = _vc_api(client, "/credentials/verify", "verifiableCredential", credential)
        assert status == 400
        failed = {e["name"] for e in body["errors"]}
    assert "proof" in failed


@pytest.mark.parametrize(
    "item",
    [
        "eyJhbGciOiJFZERTQSJ9.eyJ2YyI6e319.c2ln",
        42,
        {"@context": [VC_V2], "type": ["ExampleCredential"]},
    ],
)
def test_presented_credentials_must_be_credential_objects(client: TestClient, item: Any) -> None:
    body = _post_vp(client, _vp([item]))
    check = body["report"]["checks"][0]
    assert (check["name"], check["details"]["rule"]) == ("format", "presentation-credentials")


@pytest.mark.parametrize("holder", ["z6MkpJySvETLnxhQG9DzEdmK", {"name": "Acme"}])
def test_presentation_holder_must_be_a_url(client: TestClient, holder: Any) -> None:
    body = _post_vp(client, _vp([ldp_vc(badge())], holder=holder))
    assert body["report"]["checks"][0]["details"]["rule"] == "holder"


def test_the_check_page_says_which_data_model_rule_in_both_languages(client: TestClient) -> None:
    credential = ldp_vc({**badge(), "evidence": [{"id": "https://issuer.example/evidence/1"}]})
    text = json.dumps(credential)
    fr = client.post("/verify?lang=fr", data={"credential": text})
    assert fr.status_code == 200
    assert 'data-verdict="not_verified"' in fr.text
    assert (
        "Il enfreint une règle du modèle de données W3C des attestations vérifiables (§5.6)."
        in (fr.text)
    )
    en = client.post("/verify?lang=en", data={"credential": text})
    assert "It breaks a rule of the W3C Verifiable Credentials data model (§5.6)." in en.text

"""The issuer signs nothing the VC Data Model 2.0 forbids: 400 problem+json naming the rule.

The VC-API issued credentials without VerifiableCredential, with an empty
credentialSubject, malformed dates, untyped status/terms/evidence/refresh/schema entries,
non-URL ids, a malformed relatedResource, and replaced ``issuer: null`` with the
organisation; ``{"@vocab": null}`` in a context answered 500.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from shared.verify.credential import verify_credential
from tests.integration.issuer.conftest import Env

V2 = "https://www.w3.org/ns/credentials/v2"
EXAMPLES = "https://www.w3.org/ns/credentials/examples/v2"
ORG_DID = "did:web:testserver:orgs:demo-association"
LIST = "/admin/orgs/demo-association/credentials"
SRI = "sha384-S57yQDg1MTzF56Oi9DbSQ14u7jBy0RDdx0YbeV7shwhCS88G8SCXeFq82PafhCrW"


def _credential(**changes: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "@context": [V2, EXAMPLES],
        "type": ["VerifiableCredential", "ExampleCredential"],
        "credentialSubject": {"id": "did:example:subject", "name": "Camille"},
    }
    doc.update(copy.deepcopy(changes))
    return doc


def _issue(env: Env, credential: dict[str, Any]) -> Any:
    return env.client.post("/credentials/issue", json={"credential": credential}, headers=env.auth)


def _issued_count(env: Env) -> int:
    body = env.client.get(LIST, headers=env.auth).json()
    return len(body["credentials"] if isinstance(body, dict) else body)


@pytest.mark.parametrize(
    ("changes", "rule", "section"),
    [
        ({"type": ["ExampleCredential"]}, "type", "§4.5"),
        ({"credentialSubject": {}}, "credential-subject", "§4.8"),
        ({"credentialSubject": []}, "credential-subject", "§4.8"),
        ({"@context": [EXAMPLES, V2]}, "context", "§4.3"),
        ({"validFrom": "2026-01-01"}, "validity", "§4.9"),
        ({"validUntil": "not a date"}, "validity", "§4.9"),
        (
            {"validFrom": "2027-01-01T00:00:00Z", "validUntil": "2026-01-01T00:00:00Z"},
            "validity",
            "§4.9",
        ),
        ({"credentialStatus": {"id": "https://x.example/s/1"}}, "credential-status", "§4.10"),
        ({"termsOfUse": {"id": "https://x.example/tou"}}, "terms-of-use", "§5.5"),
        ({"evidence": [{"id": "https://x.example/e/1"}]}, "evidence", "§5.6"),
        ({"refreshService": {"id": "https://x.example/r"}}, "refresh-service", "§5.4"),
        ({"credentialSchema": {"id": "https://x.example/schema"}}, "credential-schema", "§4.11"),
        ({"credentialSchema": {"type": "JsonSchema"}}, "credential-schema", "§4.11"),
        ({"id": "https ://not-a-url/1"}, "id", "§4.4"),
        ({"id": None}, "id", "§4.4"),
        ({"relatedResource": ["https://x.example/ctx"]}, "related-resource", "§5.3"),
        ({"relatedResource": [{"id": "https://x.example/ctx"}]}, "related-resource", "§5.3"),
        ({"name": {"@value": "Dog", "url": "https://x.example"}}, "name-description", "§4.6"),
        ({"issuer": None}, "issuer", "§4.7"),
        ({"issuer": {"id": None}}, "issuer", "§4.7"),
        ({"issuer": "fake-issuer"}, "issuer", "§4.7"),
    ],
)
def test_vc_api_refuses_what_the_data_model_forbids(
    env: Env, changes: dict[str, Any], rule: str, section: str
) -> None:
    before = _issued_count(env)
    response = _issue(env, _credential(**changes))
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["type"].endswith("#malformed-credential")
    assert (problem["rule"], problem["section"]) == (rule, section)
    assert section in problem["detail"]
    assert _issued_count(env) == before  # nothing signed, no status index taken


def test_regression_14_issuer_null_is_refused_not_replaced(env: Env) -> None:
    refused = _issue(env, _credential(issuer=None))
    assert refused.status_code == 400
    absent = _issue(env, _credential())
    assert absent.status_code == 201, absent.text
    assert absent.json()["verifiableCredential"]["issuer"] == ORG_DID
    as_object = _issue(env, _credential(issuer={"id": ORG_DID, "name": "Association"}))
    assert as_object.status_code == 201, as_object.text


def test_regression_14_vocab_null_context_is_400(env: Env) -> None:
    response = _issue(env, _credential(**{"@context": [V2, {"@vocab": None}]}))
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "@vocab" in response.json()["detail"]


def test_vc_api_issues_a_credential_using_the_optional_parts(env: Env) -> None:
    credential = _credential(
        id="urn:uuid:0c07c1ce-57cb-41af-bef2-1b932b986873",
        name=[
            {"@value": "Bénévole", "@language": "fr"},
            {"@value": "Volunteer", "@language": "en"},
        ],
        description="Encadrement",
        validFrom="2026-01-01T00:00:00Z",
        validUntil="2036-01-01T00:00:00+01:00",
        evidence=[{"id": "https://x.example/e/1", "type": ["Evidence"]}],
        termsOfUse={"type": "TrustFrameworkPolicy"},
        credentialSchema={"id": "https://x.example/schema.json", "type": "JsonSchema"},
        relatedResource=[{"id": "https://x.example/img.png", "digestSRI": SRI}],
    )
    before = _issued_count(env)
    response = _issue(env, credential)
    assert response.status_code == 201, response.text
    assert _issued_count(env) == before + 1
    signed = response.json()["verifiableCredential"]
    report = verify_credential(signed, env.verify_ctx())
    assert report.check("format") is not None
    assert report.verified, report.to_json()

"""A browser-based wallet can fetch the verifier's request objects and post its answer
(CORS, any origin, no credentials); the recruiter's API and pages stay same-origin."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.integration.verifier.conftest import auth
from tests.unit.servicekit.test_cors import ORIGIN, preflight


@pytest.mark.parametrize(
    ("path", "method"),
    [
        ("/oid4vp/request/some-key", "GET"),
        ("/oid4vp/response/some-key", "POST"),
        ("/.well-known/did.json", "GET"),
    ],
)
def test_preflight_on_wallet_endpoints(client: TestClient, path: str, method: str) -> None:
    resp = preflight(client, path, method)
    assert resp.status_code == 200, resp.text
    assert resp.headers["access-control-allow-origin"] == "*"
    assert method in resp.headers["access-control-allow-methods"]
    assert "access-control-allow-credentials" not in resp.headers


def test_request_object_and_answer_are_readable_cross_origin(
    client: TestClient, api_key: str
) -> None:
    created = client.post("/oid4vp/requests", json={"template": "any-badge"}, headers=auth(api_key))
    assert created.status_code == 201, created.text
    assert "access-control-allow-origin" not in created.headers  # the recruiter's API
    links = created.json()
    base = "https://verifier.example"
    origin = {"Origin": ORIGIN}
    obj = client.get(links["request_object_uri"].removeprefix(base), headers=origin)
    refused = client.post(links["response_uri"].removeprefix(base), data={}, headers=origin)
    for resp in (obj, refused):
        assert resp.headers["access-control-allow-origin"] == "*"
        assert "access-control-allow-credentials" not in resp.headers
    assert obj.status_code == 200
    assert refused.status_code == 400  # an OAuth error the wallet can read


@pytest.mark.parametrize(
    ("path", "method"),
    [
        ("/oid4vp/requests", "POST"),
        ("/oid4vp/requests/some-id", "GET"),
        ("/oid4vp/templates", "GET"),
        ("/trust/issuers", "GET"),
        ("/requests/new", "GET"),
        ("/login", "POST"),
        ("/", "GET"),
    ],
)
def test_recruiter_routes_get_no_cors_headers(client: TestClient, path: str, method: str) -> None:
    answer = preflight(client, path, method)
    assert "access-control-allow-origin" not in answer.headers
    plain = client.request(method, path, headers={"Origin": ORIGIN})
    assert "access-control-allow-origin" not in plain.headers

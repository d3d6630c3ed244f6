"""Every vector in tests/data gets its expected verdict through POST /verifications."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import data_path
from tests.integration.verifier.conftest import PEERS

VECTORS = PEERS["vectors"]
TOKEN_TYPES = {"vc+jwt": "application/vc+jwt", "dc+sd-jwt": "application/dc+sd-jwt"}


def _post_vector(client: TestClient, vector: dict[str, Any]) -> dict[str, Any]:
    raw = data_path("peers", vector["file"]).read_bytes()
    if vector["format"] == "vc-di":
        resp = client.post(
            "/verifications?store=true",
            content=raw,
            headers={"content-type": "application/json"},
        )
    else:
        resp = client.post(
            "/verifications?store=true",
            content=raw,
            headers={"content-type": TOKEN_TYPES[vector["format"]]},
        )
    assert resp.status_code == 200, resp.text
    answer: dict[str, Any] = resp.json()
    return answer


@pytest.mark.parametrize("vector", VECTORS, ids=[v["file"] for v in VECTORS])
def test_peers_vector_verdict(client: TestClient, vector: dict[str, Any]) -> None:
    report = _post_vector(client, vector)
    assert report["verified"] is (vector["expected"] == "valid"), report


def test_revoked_is_a_failed_status_check(client: TestClient) -> None:
    report = _post_vector(client, {"file": "neg-di-status-revoked.json", "format": "vc-di"})
    status = next(c for c in report["checks"] if c["name"] == "status")
    assert status["status"] == "failed"
    assert "revoked" in status["reason"]
    proof = next(c for c in report["checks"] if c["name"] == "proof")
    assert proof["status"] == "passed"


def test_result_is_stored(client: TestClient) -> None:
    report = _post_vector(client, {"file": "ob3-vc-jwt-eddsa.jwt", "format": "vc+jwt"})
    stored = client.get(f"/verifications/{report['id']}").json()
    assert stored["verified"] is True
    assert stored["checks"] == report["checks"]

"""The 1EdTech validator samples, the vc-di-eddsa and JOSE vectors through POST /verifications.

Files are sent the way a recruiter would: JSON bodies, token bodies, and multipart uploads
for the baked PNG / SVG images. Expectations come from the shared engine's own tests
(tests/unit/shared/verify/test_verify_1edtech.py), so both stay in step.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import data_path
from tests.integration.verifier.conftest import NOW, Served, make_fetcher
from tests.unit.shared.verify.test_verify_1edtech import INVALID, VALID, _controller_documents
from verifier.main import create_app
from verifier.settings import VerifierSettings


@pytest.fixture
def samples_client(settings: VerifierSettings) -> Iterator[TestClient]:
    served = Served()
    for url, doc in _controller_documents().items():
        served.json(url, json.dumps(doc).encode())
    with TestClient(create_app(settings, fetcher=make_fetcher(served), clock=lambda: NOW)) as c:
        yield c


def _send(client: TestClient, path: Path) -> dict[str, Any]:
    raw = path.read_bytes()
    if path.suffix in {".png", ".svg"}:
        kind = "image/png" if path.suffix == ".png" else "image/svg+xml"
        resp = client.post("/verifications", files={"file": (path.name, raw, kind)})
    elif raw.lstrip().startswith(b"{"):
        resp = client.post(
            "/verifications", content=raw, headers={"content-type": "application/json"}
        )
    else:
        resp = client.post("/verifications", content=raw, headers={"content-type": "text/plain"})
    assert resp.status_code == 200, resp.text
    answer: dict[str, Any] = resp.json()
    return answer


def _failed(report: dict[str, Any]) -> set[str]:
    names = {c["name"] for c in report["checks"] if c["status"] == "failed"}
    for sub in report.get("credentials", []):
        names |= _failed(sub)
    return names


@pytest.mark.parametrize("name", VALID)
def test_1edtech_valid_sample(samples_client: TestClient, name: str) -> None:
    report = _send(samples_client, data_path("validator-ob30", name))
    assert report["verified"] is True, report["checks"]


@pytest.mark.parametrize(("name", "check"), INVALID.items(), ids=list(INVALID))
def test_1edtech_invalid_sample(samples_client: TestClient, name: str, check: str) -> None:
    report = _send(samples_client, data_path("validator-ob30", *name.split("/")))
    assert report["verified"] is False
    assert check in _failed(report), report["checks"]


DI_EDDSA = sorted(
    str(p.relative_to(data_path("vc-di-eddsa")))
    for p in data_path("vc-di-eddsa").rglob("signed*.json")
)


@pytest.mark.parametrize("name", DI_EDDSA)
def test_vc_di_eddsa_vectors_do_not_bind_key_to_issuer(
    samples_client: TestClient, name: str
) -> None:
    """The spec vectors sign for issuer https://vc.example/issuers/5678 with an unrelated
    did:key: the signature cannot be tied to the issuer, so the verdict is 'wrong key'."""
    report = _send(samples_client, data_path("vc-di-eddsa", name))
    assert report["verified"] is False
    assert "issuer_key" in _failed(report)


JOSE_VALID = {"peers-ob3-vc-jwt-eddsa.jwt", "peers-ob3-vc-jwt-es256.jwt"}
JOSE = sorted(p.name for p in data_path("jose").iterdir() if p.suffix in {".jwt", ".txt"})


@pytest.mark.parametrize("name", JOSE)
def test_jose_vectors(samples_client: TestClient, name: str) -> None:
    report = _send(samples_client, data_path("jose", name))
    assert report["verified"] is (name in JOSE_VALID), report["checks"]

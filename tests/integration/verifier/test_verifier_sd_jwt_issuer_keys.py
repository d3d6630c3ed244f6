"""The verifier finds SD-JWT VC issuer keys in /.well-known/jwt-vc-issuer (fetched through its
fetcher) and trusts x5c chains only to the anchors it is configured with."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from shared.keys import PrivateKey
from shared.proofs.sd_jwt import issue_sd_jwt
from shared.proofs.sd_jwt_vc import OB3_VCT
from tests.integration.verifier.conftest import NOW, Served, make_fetcher, make_settings
from tests.x509_certs import make_ca, make_leaf, pem, x5c
from verifier.main import create_app

ISS = "https://issuer.example/tenant"
KEY = PrivateKey.generate("P-256")


def token(key: PrivateKey, header: dict[str, Any]) -> str:
    claims = {"vct": OB3_VCT, "iss": ISS, "iat": int(NOW.timestamp()), "name": "Badge"}
    return issue_sd_jwt(claims, issuer_key=key, header=header)


def check(client: TestClient, tok: str, name: str) -> dict[str, Any]:
    resp = client.post("/verifications", json={"credential": tok})
    assert resp.status_code == 200, resp.text
    found = [c for c in resp.json()["checks"] if c["name"] == name]
    assert len(found) == 1, resp.json()["checks"]
    return dict(found[0])


def test_key_from_jwt_vc_issuer_metadata(tmp_path: Path, served: Served) -> None:
    jwk = {**KEY.public_key.to_jwk(), "kid": "k1"}
    metadata = {"issuer": ISS, "jwks": {"keys": [jwk]}}
    url = "https://issuer.example/.well-known/jwt-vc-issuer/tenant"
    served.json(url, json.dumps(metadata).encode())
    app = create_app(make_settings(tmp_path), fetcher=make_fetcher(served), clock=lambda: NOW)
    with TestClient(app) as client:
        assert check(client, token(KEY, {"kid": "k1"}), "issuer_key")["status"] == "passed"
        assert check(client, token(KEY, {"kid": "k1"}), "proof")["status"] == "passed"
        assert check(client, token(KEY, {"kid": "k2"}), "issuer_key")["status"] == "failed"
    assert served.count(url) >= 1


def test_x5c_is_trusted_only_with_a_configured_anchor(tmp_path: Path, served: Served) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    root = make_ca("Root", NOW)
    leaf, key = make_leaf(root, NOW, dns=("issuer.example",))
    tok = token(key, {"x5c": x5c(leaf)})
    bare = create_app(
        make_settings(tmp_path / "a"), fetcher=make_fetcher(served), clock=lambda: NOW
    )
    with TestClient(bare) as client:
        refused = check(client, tok, "issuer_key")
    assert refused["status"] == "failed"
    assert "trust anchor" in refused["reason"]
    anchors = tmp_path / "anchors.pem"
    anchors.write_bytes(pem(root.cert))
    settings = make_settings(tmp_path / "b", x509_trust_anchors=[str(anchors)])
    anchored = create_app(settings, fetcher=make_fetcher(served), clock=lambda: NOW)
    with TestClient(anchored) as client:
        assert check(client, tok, "issuer_key")["status"] == "passed"
        assert check(client, tok, "proof")["status"] == "passed"

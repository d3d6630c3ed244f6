"""The command line the VC-JOSE-COSE suite drives in Musette's image (conformance/jose-cose).

VC-JOSE-COSE §3.1.1: a credential secured with JOSE is a compact JWS whose header has
``typ`` ``vc+jwt`` and ``cty`` ``vc``; the verifier MUST refuse one whose signature does not
verify with the issuer's key. The wrapper reads the suite's verification-method files
(``publicKeyJwk`` / ``secretKeyJwk``) and writes ``{"result": ...}``.
"""

from __future__ import annotations

import base64
import importlib.util
import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from shared.keys.keypair import PrivateKey

WRAPPER = Path(__file__).parents[3] / "conformance" / "jose-cose" / "musette_jose_cose.py"
ISSUER = "https://issuer.example/vc-jose-cose"


def _wrapper() -> ModuleType:
    spec = importlib.util.spec_from_file_location("musette_jose_cose", WRAPPER)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _vm(key: PrivateKey) -> dict[str, Any]:
    return {
        "id": f"{ISSUER}#key-1",
        "type": "JsonWebKey",
        "controller": ISSUER,
        "publicKeyJwk": key.public_key.to_jwk(),
        "secretKeyJwk": key.to_jwk(),
    }


CREDENTIAL = {
    "@context": ["https://www.w3.org/ns/credentials/v2"],
    "type": ["VerifiableCredential"],
    "issuer": ISSUER,
    "validFrom": "2020-01-01T00:00:00Z",
    "credentialSubject": {"id": "did:example:subject"},
}


def _call(tmp_path: Path, fn: str, feature: str, data: str, vm: dict[str, Any]) -> dict[str, Any]:
    (tmp_path / "in").write_text(data)
    (tmp_path / "key.json").write_text(json.dumps(vm))
    out = tmp_path / "out.json"
    args = [fn, "--input", str(tmp_path / "in"), "--key", str(tmp_path / "key.json")]
    assert _wrapper().main([*args, "--feature", feature, "--output", str(out)]) == 0
    result: dict[str, Any] = json.loads(out.read_text())
    return result


@pytest.mark.parametrize("key_type", ["Ed25519", "P-256"])
def test_issues_a_vc_jwt_that_it_then_verifies(tmp_path: Path, key_type: str) -> None:
    vm = _vm(PrivateKey.generate(key_type))
    issued = _call(tmp_path, "issue", "credential_jose", json.dumps(CREDENTIAL), vm)
    assert issued["result"] == "success"
    header = json.loads(base64.urlsafe_b64decode(issued["data"].split(".")[0] + "=="))
    assert (header["typ"], header["cty"]) == ("vc+jwt", "vc")
    verified = _call(tmp_path, "verify", "credential_jose", issued["data"], vm)
    assert verified["result"] == "success", verified


def test_a_token_signed_by_another_key_is_a_failure(tmp_path: Path) -> None:
    signer, other = _vm(PrivateKey.generate("P-256")), _vm(PrivateKey.generate("P-256"))
    issued = _call(tmp_path, "issue", "credential_jose", json.dumps(CREDENTIAL), signer)
    verified = _call(tmp_path, "verify", "credential_jose", issued["data"], other)
    assert verified["result"] == "failure"
    assert "proof" in verified["data"]


@pytest.mark.parametrize("feature", ["credential_cose", "presentation_sdjwt"])
def test_features_musette_does_not_offer_are_errors(tmp_path: Path, feature: str) -> None:
    vm = _vm(PrivateKey.generate("P-256"))
    result = _call(tmp_path, "issue", feature, json.dumps(CREDENTIAL), vm)
    assert result == {"result": "error", "data": f"Musette does not offer {feature}"}


@pytest.mark.parametrize("data", ["", "not.a.jwt", "{}", "a" * 5000, "eyJ.eyJ.x", "\x00\xff"])
def test_hostile_tokens_are_failures_not_crashes(tmp_path: Path, data: str) -> None:
    vm = _vm(PrivateKey.generate("Ed25519"))
    result = _call(tmp_path, "verify", "credential_jose", data, vm)
    assert result["result"] == "failure"


def test_an_unreadable_key_file_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "in").write_text("x")
    (tmp_path / "key.json").write_text("{not json")
    out = tmp_path / "out.json"
    _wrapper().main(
        [
            "verify",
            "--input",
            str(tmp_path / "in"),
            "--key",
            str(tmp_path / "key.json"),
            "--feature",
            "credential_jose",
            "--output",
            str(out),
        ]
    )
    assert json.loads(out.read_text())["result"] == "error"

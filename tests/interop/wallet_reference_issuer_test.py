"""The wallet receives from a REFERENCE OpenID4VCI issuer: the issuer side of
@openid4vc/openid4vci 0.4.x (with @openid4vc/oauth2's authorization server) on Node, over
real HTTP on 127.0.0.1, in jwt_vc_json, dc+sd-jwt and ldp_vc, with and without tx_code. The
ldp_vc credential is an OB 3.0 AchievementCredential signed on Node with Digital Bazaar's
libraries (eddsa-rdfc-2022) by a did:key issuer. The wallet runs as `musette up` runs it
(tests/stack.py) and is driven through its JSON API.
"""

from __future__ import annotations

import contextlib
import json
import select
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx2
import pytest

from shared.verify.credential import verify_credential
from tests.e2e.test_journeys import _verifier_client, _wallet_client

pytestmark = pytest.mark.interop

HERE = Path(__file__).parent
SCRIPT = HERE / "wallet_reference_issuer.mjs"
NODE = shutil.which("node")
HAVE_LIBS = all(
    (HERE / "node_modules" / name).exists()
    for name in (
        "@openid4vc/openid4vci",
        "@openid4vc/oauth2",
        "@sd-jwt/sd-jwt-vc",
        "jose",
        "@digitalbazaar/vc",
        "@digitalbazaar/data-integrity",
        "@digitalbazaar/eddsa-rdfc-2022-cryptosuite",
        "@digitalbazaar/ed25519-multikey",
    )
)
START_TIMEOUT_S = 30
FORMATS = {"badge_jwt": "jwt_vc_json", "badge_sd_jwt": "dc+sd-jwt", "badge_ldp": "ldp_vc"}


@contextlib.contextmanager
def running_reference_issuer(*flags: str) -> Iterator[dict[str, Any]]:
    """Start the Node issuer (``--dpop``, ``--jwt-vc-issuer``); yield what it printed; stop
    it by closing its stdin."""
    if NODE is None or not HAVE_LIBS:
        pytest.skip("node or tests/interop/node_modules missing (cd tests/interop && npm ci)")
    with subprocess.Popen(
        [NODE, str(SCRIPT), *flags],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=HERE,
    ) as proc:
        assert proc.stdin is not None
        assert proc.stdout is not None
        try:
            ready, _, _ = select.select([proc.stdout], [], [], START_TIMEOUT_S)
            line = proc.stdout.readline() if ready else b""
            if not line:
                proc.kill()
                _, err = proc.communicate(timeout=10)
                pytest.fail(f"the reference issuer did not start: {err.decode()[-2000:]}")
            yield json.loads(line)
        finally:
            proc.stdin.close()  # the script exits when its stdin closes
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


@pytest.fixture(scope="module")
def reference_issuer() -> Iterator[dict[str, Any]]:
    with running_reference_issuer() as started:
        yield started


@pytest.fixture(scope="module")
def wallet(stack_config: Any) -> Iterator[httpx2.Client]:
    with _wallet_client(stack_config) as client:
        yield client


@pytest.mark.parametrize("tx", [False, True], ids=["no-tx-code", "tx-code"])
@pytest.mark.parametrize("config", sorted(FORMATS))
def test_wallet_receives_from_the_reference_issuer(
    reference_issuer: dict[str, Any], wallet: httpx2.Client, config: str, tx: bool
) -> None:
    offer = reference_issuer["offers"][config]
    opened = wallet.post("/api/offers", json={"offer": offer["tx" if tx else "plain"]})
    assert opened.status_code == 201, opened.text
    preview = opened.json()
    assert preview["credential_issuer"] == reference_issuer["credential_issuer"]
    assert preview["issuer_name"] == "Émetteur de référence"  # its display, in French
    assert preview["trusted"] is False  # not in the wallet's registry: said, not hidden
    assert (preview["tx_code"] is not None) is tx
    body = {"tx_code": offer["tx_code"]} if tx else {}
    accepted = wallet.post(f"/api/offers/{preview['id']}/accept", json=body)
    assert accepted.status_code == 201, accepted.text
    (cred,) = accepted.json()["credentials"]
    stored = wallet.get(f"/api/credentials/{cred['id']}").json()
    assert stored["format"] == FORMATS[config]
    issuer_did = reference_issuer["ldp_issuer_did" if config == "badge_ldp" else "issuer_did"]
    assert stored["issuer"] == issuer_did
    assert stored["verified_at"]  # verified before it was stored
    assert stored["title"] == "Interop 101"
    assert stored["holder_identity"]  # bound to the key the wallet proved
    assert stored["trusted_issuer"] is False
    if config == "badge_ldp":
        _check_data_integrity(stored, issuer_did)


def _check_data_integrity(stored: dict[str, Any], issuer_did: str) -> None:
    """The stored ldp_vc is the Digital Bazaar-signed AchievementCredential, about the DID
    the wallet proved possession of, and still verifies with the wallet's own verifier."""
    credential = stored["credential"]
    assert credential["type"] == ["VerifiableCredential", "AchievementCredential"]
    assert credential["issuer"]["id"] == issuer_did
    assert issuer_did.startswith("did:key:z6Mk")
    assert credential["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    assert credential["credentialSubject"]["id"] == stored["subject"]
    assert stored["subject"].startswith("did:jwk:")
    assert verify_credential(json.dumps(credential)).verified


def test_wallet_refuses_a_wrong_tx_code_from_the_reference_issuer(
    stack_config: Any, wallet: httpx2.Client
) -> None:
    """A fresh reference issuer (its offers are single use): the wrong PIN is refused by the
    reference authorization server and the wallet stores nothing."""
    with running_reference_issuer() as started:
        offer = started["offers"]["badge_jwt"]
        before = wallet.get("/api/credentials").json()["credentials"]
        opened = wallet.post("/api/offers", json={"offer": offer["tx"]}).json()
        wrong = "0000" if offer["tx_code"] != "0000" else "1111"
        refused = wallet.post(f"/api/offers/{opened['id']}/accept", json={"tx_code": wrong})
        assert refused.status_code >= 400, refused.text
        assert "invalid_grant" in refused.text
        assert wallet.get("/api/credentials").json()["credentials"] == before


@pytest.mark.parametrize(
    ("flags", "config"),
    [(("--dpop",), "badge_sd_jwt"), (("--dpop",), "badge_jwt"), (("--dpop",), "badge_ldp")],
)
def test_wallet_receives_from_a_reference_issuer_that_requires_dpop(
    stack_config: Any, wallet: httpx2.Client, flags: tuple[str, ...], config: str
) -> None:
    """@openid4vc/oauth2's authorization server with DPoP required (RFC 9449): nonces on the
    token and credential endpoints, a DPoP-bound token, ath and key thumbprint checked."""
    with running_reference_issuer(*flags) as started:
        opened = wallet.post("/api/offers", json={"offer": started["offers"][config]["plain"]})
        assert opened.status_code == 201, opened.text
        accepted = wallet.post(f"/api/offers/{opened.json()['id']}/accept", json={})
        assert accepted.status_code == 201, accepted.text
        (cred,) = accepted.json()["credentials"]
        assert accepted.json()["failed"] == []
        stored = wallet.get(f"/api/credentials/{cred['id']}").json()
        assert stored["format"] == FORMATS[config]
        assert stored["verified_at"]


def test_the_dpop_issuer_refuses_a_token_request_without_dpop(
    stack_config: Any, wallet: httpx2.Client
) -> None:
    """Without a DPoP proof the reference server refuses the token request: the wallet's
    proofs are what made the test above pass."""
    with running_reference_issuer("--dpop") as started:
        link = started["offers"]["badge_jwt"]["plain"]
        offer = httpx2.get(parse_qs(urlsplit(link).query)["credential_offer_uri"][0]).json()
        code = offer["grants"]["urn:ietf:params:oauth:grant-type:pre-authorized_code"]
        resp = httpx2.post(
            f"{started['credential_issuer']}/token",
            data={
                "grant_type": "urn:ietf:params:oauth:grant-type:pre-authorized_code",
                "pre-authorized_code": code["pre-authorized_code"],
                "resource": started["credential_issuer"],
            },
        )
        assert resp.status_code == 400
        assert "dpop" in resp.text.lower()


def test_wallet_receives_sd_jwt_vc_keyed_by_jwt_vc_issuer_metadata(
    stack_config: Any, wallet: httpx2.Client
) -> None:
    """The SD-JWT VC's iss is the issuer URL; its key is only in /.well-known/jwt-vc-issuer."""
    with running_reference_issuer("--jwt-vc-issuer") as started:
        opened = wallet.post(
            "/api/offers", json={"offer": started["offers"]["badge_sd_jwt"]["plain"]}
        )
        assert opened.status_code == 201, opened.text
        accepted = wallet.post(f"/api/offers/{opened.json()['id']}/accept", json={})
        assert accepted.status_code == 201, accepted.text
        (cred,) = accepted.json()["credentials"]
        stored = wallet.get(f"/api/credentials/{cred['id']}").json()
        assert stored["format"] == "dc+sd-jwt"
        assert stored["issuer"] == started["credential_issuer"]  # a URL, not a DID
        assert stored["verified_at"]
        # the verifier finds the same key through the same metadata (the engine is shared)
        with _verifier_client(stack_config) as verifier:
            report = verifier.post("/verifications", json={"credential": stored["credential"]})
        assert report.status_code == 200, report.text
        checks = {c["name"]: c for c in report.json()["checks"]}
        assert checks["issuer_key"]["status"] == "passed", checks
        assert "jwt-vc-issuer" in checks["issuer_key"]["reason"]
        assert checks["proof"]["status"] == "passed", checks

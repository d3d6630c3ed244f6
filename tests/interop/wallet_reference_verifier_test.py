"""Our wallet presents to a REFERENCE OpenID4VP verifier: the verifier side of
@openid4vc/openid4vp 0.4.x with the `dcql` package on Node (wallet_reference_verifier.mjs),
over real HTTP on 127.0.0.1.

The wallet runs as `musette up` runs it (tests/e2e/conftest.py), holds badges this
repository's issuer delivered over OpenID4VCI, and is driven through its JSON API. The
reference verifier asks with client_id `redirect_uri:<its response_uri>`, serves the request
object by reference, receives the direct_post answer, and accepts it only when the library,
`dcql` and the signature checks (jose, @sd-jwt, @digitalbazaar/vc) all pass.
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

import httpx2
import pytest

from tests.e2e.test_journeys import Clients, clients

pytestmark = pytest.mark.interop

HERE = Path(__file__).parent
SCRIPT = HERE / "wallet_reference_verifier.mjs"
NODE = shutil.which("node")
HAVE_LIBS = all(
    (HERE / "node_modules" / name).exists()
    for name in ("@openid4vc/openid4vp", "dcql", "@sd-jwt/sd-jwt-vc", "jose", "@digitalbazaar/vc")
)
START_TIMEOUT_S = 30
FORMATS = ("ldp_vc", "jwt_vc_json", "dc+sd-jwt")
QUERY_IDS = {"ldp_vc": "badge_ldp", "jwt_vc_json": "badge_jwt", "dc+sd-jwt": "badge_sd_jwt"}

__all__ = ["clients"]  # the running stack's clients, from tests/e2e


@contextlib.contextmanager
def running_reference_verifier() -> Iterator[str]:
    """Start the Node verifier; yield its base URL; stop it by closing its stdin."""
    if NODE is None or not HAVE_LIBS:
        pytest.skip("node or tests/interop/node_modules missing (cd tests/interop && npm ci)")
    with subprocess.Popen(
        [NODE, str(SCRIPT)],
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
                pytest.fail(f"the reference verifier did not start: {err.decode()[-2000:]}")
            yield str(json.loads(line)["base"])
        finally:
            proc.stdin.close()  # the script exits when its stdin closes
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


@pytest.fixture(scope="module")
def reference_verifier() -> Iterator[httpx2.Client]:
    with running_reference_verifier() as base, httpx2.Client(base_url=base, timeout=60) as http:
        yield http


@pytest.fixture(scope="module")
def held(clients: Clients) -> dict[str, dict[str, Any]]:
    """One badge per format, delivered by this repository's issuer over OpenID4VCI."""
    out = {}
    for fmt in FORMATS:
        (cred,) = clients.receive(clients.offer(fmt)["offer_uri"])
        out[fmt] = clients.wallet_credential(cred["id"])
    return out


def _ask(reference_verifier: httpx2.Client, fmt: str, **extra: Any) -> dict[str, Any]:
    resp = reference_verifier.post("/admin/requests", json={"format": fmt, **extra})
    assert resp.status_code == 201, resp.text
    out: dict[str, Any] = resp.json()
    return out


def _result(reference_verifier: httpx2.Client, request_id: str) -> dict[str, Any]:
    resp = reference_verifier.get(f"/admin/results/{request_id}")
    assert resp.status_code == 200, resp.text
    out: dict[str, Any] = resp.json()
    return out


@pytest.mark.parametrize("fmt", FORMATS)
def test_wallet_presents_to_the_reference_verifier(
    clients: Clients, reference_verifier: httpx2.Client, held: dict[str, Any], fmt: str
) -> None:
    asked = _ask(reference_verifier, fmt)
    assert asked["client_id"].startswith("redirect_uri:http://127.0.0.1:")
    pending = clients.open_request(asked["link"])
    assert pending["verifier"]["client_id"] == asked["client_id"]
    assert pending["verifier"]["name"] == "Reference Verifier"
    assert pending["satisfied"] is True, pending
    (query,) = pending["queries"]
    assert query["id"] == QUERY_IDS[fmt]
    assert held[fmt]["id"] in {o["credential_id"] for o in query["options"]}
    answer = clients.consent(pending["id"], {query["id"]: {"credential_id": held[fmt]["id"]}})
    result = _result(reference_verifier, asked["id"])
    assert answer["status"] == 200, (answer, result)
    assert result["verified"] is True, result
    assert result["expected_nonce"] == asked["nonce"]
    (claims,) = result["claims"][QUERY_IDS[fmt]]
    if fmt == "dc+sd-jwt":
        assert claims["achievement"]["name"] == "Bénévole — encadrement"
        assert "credentialSubject" not in claims  # only what the query asked for
    else:
        assert claims["credentialSubject"]["achievement"]["name"] == "Bénévole — encadrement"
    # the person's history says who was shown what
    history = clients.wallet.get("/api/history", params={"kind": "presented"}).json()
    (entry,) = [e for e in history["entries"] if e["id"] == answer["history_id"]]
    assert entry["verifier"] == asked["client_id"]


def test_wallet_discloses_the_sd_jwt_claims_the_reference_verifier_requires(
    clients: Clients, reference_verifier: httpx2.Client, held: dict[str, Any]
) -> None:
    """A query for the results: the wallet discloses them, and dcql finds them."""
    path = ["credentialSubject", "result", None, "value"]
    asked = _ask(reference_verifier, "dc+sd-jwt", claims=[["achievement", "name"], path])
    pending = clients.open_request(asked["link"])
    assert pending["satisfied"] is True, pending
    cred = held["dc+sd-jwt"]["id"]
    answer = clients.consent(pending["id"], {"badge_sd_jwt": {"credential_id": cred}})
    result = _result(reference_verifier, asked["id"])
    assert answer["status"] == 200, (answer, result)
    assert result["verified"] is True, result
    (claims,) = result["claims"]["badge_sd_jwt"]
    assert [r["value"] for r in claims["credentialSubject"]["result"]] == ["42"]

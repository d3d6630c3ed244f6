"""A reference OpenID4VCI wallet (@openid4vc/openid4vci 0.4.x on Node) receives credentials
from the issuer over real HTTP on 127.0.0.1, in each format, with and without tx_code, and
what it receives verifies (shared.verify over HTTP: did:web and the status list).
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from issuer.demo import seed_demo
from issuer.main import create_app
from issuer.schemas import OfferIn
from issuer.service.oid4vci import create_offer
from issuer.service.orgs import get_org
from issuer.settings import IssuerSettings
from shared.did import DidResolver
from shared.net.fetch import HttpFetcher
from shared.verify.context import VerifyContext
from shared.verify.credential import verify_credential

pytestmark = pytest.mark.interop

HERE = Path(__file__).parent
SCRIPT = HERE / "issuer_wallet.mjs"
NODE = shutil.which("node")
HAVE_LIB = (HERE / "node_modules" / "@openid4vc" / "openid4vci").exists()
NODE_TIMEOUT_S = 60


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    def __init__(self, tmp: Path) -> None:
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.settings = IssuerSettings(
            database_url=f"sqlite:///{tmp / 'issuer.db'}",
            data_dir=str(tmp),
            base_url=self.base,
            wallet_url="http://127.0.0.1:1",
            dev=True,
            argon2_time_cost=1,
            argon2_memory_kib=64,
        )
        seed_demo(self.settings)
        self.app = create_app(self.settings)
        config = uvicorn.Config(self.app, host="127.0.0.1", port=self.port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> Server:
        self.thread.start()
        for _ in range(200):  # wait for the socket, not for a duration
            if self.server.started:
                return self
            time.sleep(0.05)
        raise RuntimeError("uvicorn did not start")

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)

    def offer(self, *, tx_code: bool, formats: list[str]) -> dict[str, Any]:
        res = self.app.state.resources
        with res.sessions.begin() as session:
            org = get_org(session, "demo-association")
            created = create_offer(
                session,
                self.settings,
                res.master_secret,
                org,
                f"{self.base}/orgs/demo-association",
                OfferIn.model_validate(
                    {
                        "achievement": "volunteer",
                        "recipient": {"name": "Camille Martin"},
                        "subject": {"role": "Encadrante", "results": {"hours": "42"}},
                        "formats": formats,
                        "tx_code": tx_code,
                    }
                ),
                actor="interop",
                now=res.clock(),
            )
        return {"offer_uri": created.offer_uri, "tx_code": created.tx_code}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    if NODE is None or not HAVE_LIB:
        pytest.skip("node and tests/interop/node_modules/@openid4vc/openid4vci are needed")
    with Server(tmp_path_factory.mktemp("issuer-interop")) as running:
        yield running


def run_wallet(offer_uri: str, config_id: str, tx_code: str | None) -> dict[str, Any]:
    assert NODE is not None
    args = [NODE, str(SCRIPT), offer_uri, config_id] + ([tx_code] if tx_code else [])
    done = subprocess.run(
        args, capture_output=True, text=True, timeout=NODE_TIMEOUT_S, cwd=HERE, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return dict(json.loads(done.stdout))


FORMATS = [
    ("ldp_vc", "volunteer_ldp_vc"),
    ("jwt_vc_json", "volunteer_jwt_vc_json"),
    ("dc+sd-jwt", "volunteer_sd_jwt"),
]


@pytest.mark.parametrize("tx_code", [False, True], ids=["no-tx-code", "tx-code"])
@pytest.mark.parametrize(("fmt", "config_id"), FORMATS, ids=[f for f, _ in FORMATS])
def test_reference_wallet_receives_and_credential_verifies(
    server: Server, fmt: str, config_id: str, tx_code: bool
) -> None:
    offer = server.offer(tx_code=tx_code, formats=[fmt])
    received = run_wallet(offer["offer_uri"], config_id, offer["tx_code"])
    assert received["credentialIssuer"] == f"{server.base}/orgs/demo-association"
    assert received["authorizationServer"] == received["credentialIssuer"]
    # the library reads us as OpenID4VCI 1.0 (credential_metadata present), not a draft
    assert received["originalDraftVersion"] == "V1"
    credential = received["credential"]
    fetcher = HttpFetcher(allow_loopback=True)
    ctx = VerifyContext(fetcher=fetcher, resolver=DidResolver(fetcher, allow_http=True))
    data = credential if isinstance(credential, str) else json.dumps(credential).encode()
    report = verify_credential(data, ctx)
    assert report.verified, [(c.name, c.reason) for c in report.checks]
    passed = {c.name for c in report.checks if c.status.value == "passed"}
    assert "status" in passed
    if fmt != "dc+sd-jwt":
        assert "schema" in passed


def test_wrong_tx_code_is_refused_to_the_reference_wallet(server: Server) -> None:
    offer = server.offer(tx_code=True, formats=["ldp_vc"])
    assert NODE is not None
    wrong = "000000" if offer["tx_code"] != "000000" else "111111"
    done = subprocess.run(
        [NODE, str(SCRIPT), offer["offer_uri"], "volunteer_ldp_vc", wrong],
        capture_output=True,
        text=True,
        timeout=NODE_TIMEOUT_S,
        cwd=HERE,
        check=False,
    )
    assert done.returncode == 1
    assert "invalid_grant" in done.stdout

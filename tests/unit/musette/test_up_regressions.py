"""Regressions found by running the issuer, wallet and verifier together (tests/e2e)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any, get_args

import pytest
from fastapi.testclient import TestClient

import issuer.deps
import verifier.deps
import wallet.deps
from issuer.service.orgs import org_base_url
from shared.errors import NotFoundError
from tests.integration.verifier.conftest import make_settings
from verifier.main import create_app


def _on_event_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


@pytest.mark.parametrize(
    "deps", [issuer.deps, wallet.deps, verifier.deps], ids=lambda m: m.__name__
)
def test_regression_session_commits_before_the_response_is_sent(deps: Any) -> None:
    """With the default ("request") scope FastAPI runs the session's exit, hence the commit,
    after the response is sent: the wallet answered 201 for a credential that a GET right
    after could not find (e2e journey 1), and a failed commit would follow a 2xx."""
    _, depends = get_args(deps.SessionDep)
    assert depends.scope == "function"


def test_regression_wallet_up_trusts_the_demo_credential_issuer(tmp_path: Path) -> None:
    """`musette up` trusted the issuer's base URL, but offers name the organisation's
    credential issuer (`…/orgs/demo-association`), so the demo issuer showed as untrusted."""
    from wallet import settings_for_up

    base = "http://127.0.0.1:8001"
    settings = settings_for_up(tmp_path, {"issuer": base, "wallet": "http://127.0.0.1:8002"}, True)
    assert org_base_url(base, "demo-association") in settings.trusted_issuers


def test_up_gives_the_verifier_the_musette_wallet_link(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Beside the QR code, the request page links into the wallet `up` runs."""
    from verifier import settings_for_up

    monkeypatch.delenv("MUSETTE_VERIFIER_WALLET_URL", raising=False)
    bases = {"issuer": "http://127.0.0.1:8001", "wallet": "http://127.0.0.1:8002"}
    assert settings_for_up(tmp_path, bases, True).wallet_url == "http://127.0.0.1:8002"
    monkeypatch.setenv("MUSETTE_VERIFIER_WALLET_URL", "https://wallet.example")
    assert settings_for_up(tmp_path, bases, True).wallet_url == "https://wallet.example"


@pytest.fixture
def verifier_client(tmp_path: Path) -> Any:
    with TestClient(create_app(make_settings(tmp_path))) as client:
        yield client


def test_regression_verifier_response_endpoint_verifies_off_the_event_loop(
    verifier_client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The direct_post endpoint verified (fetching DID documents and status lists) on the
    event loop: under `musette up` the three services share one loop, so the verifier's
    fetch to the issuer could never be answered (the wallet's POST timed out)."""
    seen: list[bool] = []

    def verify_response(*args: Any) -> dict[str, Any]:
        seen.append(_on_event_loop())
        raise NotFoundError("no such request")

    monkeypatch.setattr("verifier.service.presentation_requests.verify_response", verify_response)
    answer = verifier_client.post("/oid4vp/response/some-key", data={"vp_token": "{}"})
    assert answer.status_code == 404
    assert seen == [False]


def test_regression_verifications_run_off_the_event_loop(
    verifier_client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[bool] = []

    def run_submission(*args: Any, **kwargs: Any) -> dict[str, Any]:
        seen.append(_on_event_loop())
        return {"verified": False}

    monkeypatch.setattr("verifier.api.verifications.run_submission", run_submission)
    answer = verifier_client.post("/verifications", json={"credential": "a.b.c"})
    assert answer.status_code == 200
    assert seen == [False]


def test_regression_each_service_has_its_own_event_loop() -> None:
    """`musette up` served the three apps on one event loop: a handler that blocks its loop
    while it calls another service (the wallet's consent page posting to the verifier) could
    never be answered. Each server now runs on a loop of its own, as separate processes."""
    import socket

    import httpx2
    import uvicorn
    from fastapi import FastAPI

    from musette.up import serving_in_thread

    def port() -> int:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            return int(sock.getsockname()[1])

    ports = {"a": port(), "b": port()}
    a, b = FastAPI(), FastAPI()

    @a.get("/")
    async def blocking_call() -> dict[str, Any]:  # blocks a's loop while b answers
        answer: dict[str, Any] = httpx2.get(f"http://127.0.0.1:{ports['b']}/", timeout=10).json()
        return answer

    @b.get("/")
    async def pong() -> dict[str, str]:
        return {"from": "b"}

    servers = {
        name: uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=ports[name], log_level="warning")
        )
        for name, app in (("a", a), ("b", b))
    }
    with serving_in_thread(servers):
        answer = httpx2.get(f"http://127.0.0.1:{ports['a']}/", timeout=20)
    assert answer.json() == {"from": "b"}

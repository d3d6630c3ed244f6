"""Wallet test fixtures (helpers live in tests/unit/wallet/testkit.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from shared.net.fetch import HttpFetcher
from tests.unit.wallet.fake_issuer import FakeIssuer
from tests.unit.wallet.fake_verifier import FakeVerifier
from tests.unit.wallet.testkit import Holder, IssuerKit, serve, sign_up, wallet_settings
from wallet.main import create_app


@pytest.fixture
def make_wallet(tmp_path: Path) -> Iterator[Callable[..., TestClient]]:
    """Open a wallet app (several may run side by side); closed at the end of the test."""
    opened: list[TestClient] = []

    def factory(
        name: str = "wallet", fetcher: HttpFetcher | None = None, **changes: Any
    ) -> TestClient:
        app = create_app(wallet_settings(tmp_path / name, **changes), fetcher=fetcher)
        client = TestClient(app)
        client.__enter__()
        opened.append(client)
        return client

    yield factory
    for client in opened:
        client.__exit__(None, None, None)


@pytest.fixture
def wallet(make_wallet: Callable[..., TestClient]) -> TestClient:
    return make_wallet()


@pytest.fixture
def alice(wallet: TestClient) -> Holder:
    return sign_up(wallet, "alice@example.org")


@pytest.fixture
def bob(wallet: TestClient) -> Holder:
    return sign_up(wallet, "bob@example.org")


@pytest.fixture
def verifier() -> Iterator[FakeVerifier]:
    """A small OpenID4VP verifier served over real HTTP on 127.0.0.1."""
    fake = FakeVerifier()
    with serve(fake.app()) as base:
        fake.base = base
        yield fake


@pytest.fixture
def issuer() -> Iterator[FakeIssuer]:
    """A small OpenID4VCI issuer served over real HTTP on 127.0.0.1 (modes: fake_issuer.py)."""
    fake = FakeIssuer()
    with serve(fake.app()) as base:
        fake.base = base
        yield fake


@pytest.fixture
def kit() -> IssuerKit:
    return IssuerKit()

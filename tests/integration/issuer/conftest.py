"""Issuer app in-process: SQLite in tmp_path, a movable clock, a demo organisation, a wallet."""

from __future__ import annotations

import base64
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from issuer.demo import seed_demo
from issuer.main import create_app
from issuer.service.orgs import create_api_key, create_org, get_org
from issuer.settings import IssuerSettings
from shared.did import DidResolver, did_key_from_public
from shared.keys import PrivateKey
from shared.protocols.oid4vci import PRE_AUTHORIZED_GRANT, build_proof_jwt
from shared.verify.context import VerifyContext

BASE = "http://testserver"
MASTER = base64.urlsafe_b64encode(b"k" * 32).decode()


@dataclass
class Clock:
    now: datetime = field(default_factory=lambda: datetime.now(UTC).replace(microsecond=0))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


class AppFetcher:
    """A fetcher that answers from the app itself (did:web documents, status lists)."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.calls: list[str] = []

    def fetch_json(self, url: str) -> Any:
        self.calls.append(url)
        parts = urlsplit(url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        response = self.client.get(path)
        assert response.status_code == 200, (url, response.text)
        return response.json()


def make_settings(tmp_path: Any, **overrides: Any) -> IssuerSettings:
    values: dict[str, Any] = {
        "database_url": f"sqlite:///{tmp_path / 'issuer.db'}",
        "data_dir": str(tmp_path),
        "master_secret": MASTER,
        "base_url": BASE,
        "wallet_url": "http://wallet.test",
        "dev": True,
        "argon2_time_cost": 1,
        "argon2_memory_kib": 64,
    }
    values.update(overrides)
    return IssuerSettings(**values)


@pytest.fixture
def pg_settings(tmp_path: Any) -> Iterator[IssuerSettings]:
    """Issuer settings on a PostgreSQL schema of its own (skipped without the URL)."""
    pg_url = os.environ.get("MUSETTE_TEST_POSTGRES_URL")
    if not pg_url:
        pytest.skip("MUSETTE_TEST_POSTGRES_URL is not set")
    schema = f"issuer_test_{secrets.token_hex(6)}"
    admin = create_engine(pg_url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    joiner = "&" if "?" in pg_url else "?"
    url = f"{pg_url}{joiner}options={quote(f'-csearch_path={schema}')}"
    try:
        yield make_settings(tmp_path, database_url=url)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@dataclass
class Env:
    client: TestClient
    settings: IssuerSettings
    clock: Clock
    api_key: str
    org_base: str = f"{BASE}/orgs/demo-association"

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.api_key}"}

    def verify_ctx(self) -> VerifyContext:
        fetcher = AppFetcher(self.client)
        return VerifyContext(fetcher=fetcher, resolver=DidResolver(fetcher), clock=self.clock)

    def offer(self, **body: Any) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "achievement": "volunteer",
            "recipient": {"name": "Camille Martin", "email": "camille@example.org"},
            "subject": {
                "role": "Encadrante",
                "activity_start_date": "2026-03-01T09:00:00Z",
                "activity_end_date": "2026-06-30T18:00:00Z",
                "results": {"hours": "42"},
                "narrative": "A encadré l'équipe du samedi.",
            },
        }
        payload.update(body)
        response = self.client.post(
            "/admin/orgs/demo-association/offers", json=payload, headers=self.auth
        )
        assert response.status_code == 201, response.text
        return dict(response.json())


@dataclass
class Wallet:
    """A minimal OpenID4VCI wallet over the test client."""

    env: Env
    key: PrivateKey = field(default_factory=lambda: PrivateKey.generate("Ed25519"))
    use_jwk: bool = False

    @property
    def did(self) -> str:
        return did_key_from_public(self.key.public_key)

    @property
    def kid(self) -> str:
        return f"{self.did}#{self.did.removeprefix('did:key:')}"

    def resolve(self, offer_uri: str) -> dict[str, Any]:
        query = parse_qs(urlsplit(offer_uri).query)
        uri = query["credential_offer_uri"][0]
        response = self.env.client.get(urlsplit(uri).path)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("application/json")
        return dict(response.json())

    def token(self, offer: dict[str, Any], tx_code: str | None = None, **extra: str) -> Any:
        grant = offer["grants"][PRE_AUTHORIZED_GRANT]
        form = {
            "grant_type": PRE_AUTHORIZED_GRANT,
            "pre-authorized_code": grant["pre-authorized_code"],
        }
        if tx_code is not None:
            form["tx_code"] = tx_code
        form.update(extra)
        return self.env.client.post("/orgs/demo-association/token", data=form)

    def nonce(self) -> str:
        response = self.env.client.post("/orgs/demo-association/nonce")
        assert response.status_code == 200
        assert response.headers["cache-control"] == "no-store"
        return str(response.json()["c_nonce"])

    def proof(
        self,
        nonce: str | None,
        *,
        audience: str | None = None,
        issued_at: datetime | None = None,
    ) -> str:
        return build_proof_jwt(
            self.key,
            audience=audience or self.env.org_base,
            nonce=nonce,
            issued_at=issued_at or self.env.clock(),
            kid=None if self.use_jwk else self.kid,
        )

    def credential(
        self, access_token: str, config_id: str, proof: str | None = None, **body: Any
    ) -> Any:
        payload: dict[str, Any] = {"credential_configuration_id": config_id}
        payload["proofs"] = {"jwt": [proof or self.proof(self.nonce())]}
        payload.update(body)
        return self.env.client.post(
            "/orgs/demo-association/credential",
            json=payload,
            headers={"Authorization": f"Bearer {access_token}"},
        )

    def receive(self, config_id: str = "volunteer_ldp_vc", **offer_body: Any) -> Any:
        created = self.env.offer(**offer_body)
        offer = self.resolve(created["offer_uri"])
        token = self.token(offer, created.get("tx_code"))
        assert token.status_code == 200, token.text
        response = self.credential(token.json()["access_token"], config_id)
        assert response.status_code == 200, response.text
        return response.json()["credentials"][0]["credential"]


@contextmanager
def demo_issuer(tmp_path: Any, clock: Clock, **overrides: Any) -> Iterator[Env]:
    """The demo issuer in ``tmp_path`` (settings ``overrides``), with an API key."""
    settings = make_settings(tmp_path, **overrides)
    seed_demo(settings)
    app = create_app(settings, clock=clock)
    res = app.state.resources
    with res.sessions.begin() as session:
        org = get_org(session, "demo-association")
        _, api_key = create_api_key(session, org, "tests", "test", clock())
    with TestClient(app) as client:
        yield Env(client, settings, clock, api_key)


@pytest.fixture
def env(tmp_path: Any) -> Iterator[Env]:
    with demo_issuer(tmp_path, Clock()) as env:
        yield env


@pytest.fixture
def other_org_key(env: Env) -> str:
    """An API key of a second organisation, 'other-employer'."""
    res = env.client.app.state.resources  # type: ignore[attr-defined]
    with res.sessions.begin() as session:
        org = create_org(
            session,
            res.key_store(session),
            base_url=BASE,
            slug="other-employer",
            kind="employer",
            name="Other Employer",
            now=env.clock(),
        )
        _, key = create_api_key(session, org, "other", "test", env.clock())
    return key


@pytest.fixture
def wallet(env: Env) -> Wallet:
    return Wallet(env)

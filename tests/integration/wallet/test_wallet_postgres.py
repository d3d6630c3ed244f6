"""The wallet on PostgreSQL behaves as on SQLite: migrations run, an account signs up,
imports a credential file, lists and searches it, exports everything and imports the archive
into a second account, and deleting an account leaves none of its rows behind.

The same test runs on SQLite every time, and on PostgreSQL when MUSETTE_TEST_POSTGRES_URL is
set (CI sets it); each PostgreSQL run uses its own schema, dropped afterwards (as
tests/integration/issuer/test_issuer_postgres.py does).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from tests.unit.wallet.testkit import Holder, sign_up

PG_URL = os.environ.get("MUSETTE_TEST_POSTGRES_URL")
PEER_FILE = Path(__file__).parents[2] / "data" / "peers" / "ob3-di-eddsa-rdfc-2022.json"
ACCOUNT_TABLES = (
    "sessions",
    "api_tokens",
    "identities",
    "credentials",
    "pending",
    "history",
    "shares",
)


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param(
            "postgresql",
            marks=pytest.mark.skipif(not PG_URL, reason="MUSETTE_TEST_POSTGRES_URL is not set"),
        ),
    ]
)
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """(dialect, URL): a fresh SQLite file, or a PostgreSQL URL whose search_path is a
    fresh schema, dropped at the end."""
    if request.param == "sqlite":
        yield "sqlite", f"sqlite:///{tmp_path / 'wallet-sqlite.db'}"
        return
    assert PG_URL is not None
    schema = f"wallet_test_{secrets.token_hex(6)}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    joiner = "&" if "?" in PG_URL else "?"
    try:
        yield "postgresql", f"{PG_URL}{joiner}options={quote(f'-csearch_path={schema}')}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def _count(wallet: TestClient, table: str, account_id: str | None = None) -> int:
    sessions = wallet.app.state.resources.sessions  # type: ignore[attr-defined]
    where = " WHERE account_id = :a" if account_id else ""
    with sessions() as session:
        sql = text(f"SELECT count(*) FROM {table}{where}")  # noqa: S608 (fixed table names)
        return int(session.execute(sql, {"a": account_id} if account_id else {}).scalar_one())


def _snapshot(holder: Holder) -> dict[str, Any]:
    keep = ("format", "sphere", "tags", "title", "issuer", "credential", "source", "subject")
    creds = []
    for listed in holder.get("/api/credentials").json()["credentials"]:
        full = holder.get(f"/api/credentials/{listed['id']}").json()
        creds.append({k: v for k, v in full.items() if k in keep})
    return {
        "credentials": sorted(creds, key=lambda c: str(c["title"])),
        "spheres": holder.get("/api/credentials/spheres").json(),
    }


def test_the_wallet_behaves_the_same_on_each_database(
    database: tuple[str, str], make_wallet: Callable[..., TestClient]
) -> None:
    dialect, url = database
    wallet = make_wallet("db", database_url=url)
    sessions = wallet.app.state.resources.sessions  # type: ignore[attr-defined]
    with sessions() as session:
        assert session.get_bind().dialect.name == dialect
        assert session.execute(text("SELECT version_num FROM alembic_version")).scalar_one()

    alice = sign_up(wallet, "alice@example.org")
    upload = alice.post(
        "/api/credentials/upload",
        files={"file": (PEER_FILE.name, PEER_FILE.read_bytes(), "application/json")},
        data={"sphere": "Association", "tags": "interop,bénévolat"},
    )
    assert upload.status_code == 201, upload.text
    stored = upload.json()
    assert stored["format"] == "ldp_vc"
    assert stored["title"] == "Interop 101"
    assert stored["verified_at"]
    assert stored["sphere"] == "association"
    assert stored["tags"] == ["interop", "bénévolat"]

    listing = alice.get("/api/credentials").json()["credentials"]
    assert [c["id"] for c in listing] == [stored["id"]]
    for params in (
        {"q": "interop"},
        {"q": "INTEROP 101"},
        {"sphere": "association"},
        {"tag": "bénévolat"},
    ):
        found = alice.get("/api/credentials", params=params).json()["credentials"]
        assert [c["id"] for c in found] == [stored["id"]], params
    for params in ({"q": "absent"}, {"sphere": "work"}, {"tag": "python"}):
        assert alice.get("/api/credentials", params=params).json()["credentials"] == [], params
    raw = alice.get(f"/api/credentials/{stored['id']}/raw")
    assert raw.status_code == 200
    assert raw.json()["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    before = _snapshot(alice)

    archive = alice.get("/api/export")
    assert archive.status_code == 200
    bob = sign_up(wallet, "bob@example.org")
    imported = bob.post(
        "/api/import", files={"file": ("musette-wallet.zip", archive.content, "application/zip")}
    )
    assert imported.status_code == 200, imported.text
    assert imported.json()["refused"] == []
    assert _snapshot(bob) == before

    assert wallet.delete("/api/me", headers=alice.auth).status_code == 204
    assert alice.get("/api/credentials").status_code == 401
    for table in ACCOUNT_TABLES:
        assert _count(wallet, table, alice.account_id) == 0, table
    assert _count(wallet, "accounts") == 1
    assert _snapshot(bob) == before  # bob's copy does not depend on alice's

    assert wallet.delete("/api/me", headers=bob.auth).status_code == 204
    for table in ("accounts", *ACCOUNT_TABLES):
        assert _count(wallet, table) == 0, table

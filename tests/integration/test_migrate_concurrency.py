"""``musette migrate`` from many places at once on PostgreSQL: the advisory lock serialises them.

Two processes migrate the three services' empty databases at the same moment: both exit 0
and every schema is at head. And a process that finds the lock taken waits for it (seen in
``pg_locks``) without touching the schema, then finishes once it is released.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from musette.serve import PARTS, SERVICES
from servicekit.migrations import advisory_key, schema_state
from tests.databases import PG_URL, database_url

pytestmark = pytest.mark.skipif(not PG_URL, reason="MUSETTE_TEST_POSTGRES_URL is not set")
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def urls(tmp_path: Path) -> Iterator[dict[str, str]]:
    with ExitStack() as stack:
        yield {
            name: stack.enter_context(database_url("postgresql", tmp_path, name))
            for name in SERVICES
        }


def environment(urls: dict[str, str], tmp_path: Path) -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MUSETTE_DEV": "1"}
    for name, url in urls.items():
        env[f"MUSETTE_{name.upper()}_DATABASE_URL"] = url
        env[f"MUSETTE_{name.upper()}_DATA_DIR"] = str(tmp_path / name)
    return env


def migrate(env: dict[str, str], *services: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "musette.cli", "migrate", *services],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def at_head(name: str, url: str) -> bool:
    parts = PARTS[name]
    engine = parts.make_engine(url)
    try:
        return schema_state(engine, parts.migrations_path()).at_head
    finally:
        engine.dispose()


def test_two_migrations_at_once_both_succeed(urls: dict[str, str], tmp_path: Path) -> None:
    env = environment(urls, tmp_path)
    first, second = migrate(env), migrate(env)
    errors = [p.communicate(timeout=300)[1] for p in (first, second)]
    assert [first.returncode, second.returncode] == [0, 0], errors
    for name, url in urls.items():
        assert at_head(name, url), name


def test_a_migration_waits_for_the_advisory_lock(urls: dict[str, str], tmp_path: Path) -> None:
    env = environment(urls, tmp_path)
    assert PG_URL is not None
    holder = create_engine(PG_URL)
    try:
        with holder.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": advisory_key("issuer")})
            conn.commit()
            process = migrate(env, "issuer")
            try:
                deadline = time.monotonic() + 120
                while not waiting_on_advisory_lock(conn):
                    assert process.poll() is None, process.communicate()
                    assert time.monotonic() < deadline, "the migration never asked for the lock"
                    time.sleep(0.2)
                assert not at_head("issuer", urls["issuer"])  # blocked before any change
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": advisory_key("issuer")})
                conn.commit()
            _, err = process.communicate(timeout=300)
            assert process.returncode == 0, err
        assert at_head("issuer", urls["issuer"])
    finally:
        holder.dispose()


def waiting_on_advisory_lock(conn: object) -> bool:
    """True once another session waits for an advisory lock in this database."""
    rows = conn.execute(  # type: ignore[attr-defined]
        text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")
    ).scalar_one()
    conn.commit()  # type: ignore[attr-defined]
    return bool(rows)

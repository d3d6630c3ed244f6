"""Pooled PostgreSQL connections are pinged before use only after sitting idle, and a dead
idle one is replaced instead of failing the request (servicekit.db.ping_when_idle)."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine.interfaces import DBAPIConnection

from servicekit import db

URL = os.environ.get("MUSETTE_TEST_POSTGRES_URL", "")
pytestmark = pytest.mark.skipif(not URL, reason="needs MUSETTE_TEST_POSTGRES_URL")


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(time, "monotonic", fake)  # the clock servicekit.db reads
    return fake


@pytest.fixture
def engine(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Engine, list[int]]]:
    made = db.make_engine(URL, pool_size=1, max_overflow=0)
    pings: list[int] = []
    real = made.dialect.do_ping

    def counting(dbapi_conn: DBAPIConnection) -> bool:
        pings.append(1)
        return real(dbapi_conn)

    monkeypatch.setattr(made.dialect, "do_ping", counting)
    yield made, pings
    made.dispose()


def _backend_pid(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT pg_backend_pid()")).scalar_one())


def test_a_connection_reused_at_once_is_not_pinged(
    engine: tuple[Engine, list[int]], clock: Clock
) -> None:
    made, pings = engine
    first = _backend_pid(made)
    clock.now += db.PING_AFTER_IDLE_SECONDS / 2
    assert _backend_pid(made) == first  # the same pooled connection
    assert pings == []


def test_an_idle_connection_is_pinged(engine: tuple[Engine, list[int]], clock: Clock) -> None:
    made, pings = engine
    first = _backend_pid(made)
    clock.now += db.PING_AFTER_IDLE_SECONDS + 1
    assert _backend_pid(made) == first
    assert pings == [1]


def test_a_dead_idle_connection_is_replaced(engine: tuple[Engine, list[int]], clock: Clock) -> None:
    made, pings = engine
    first = _backend_pid(made)
    other = db.make_engine(URL)
    try:
        with other.connect() as conn:
            conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first})
    finally:
        other.dispose()
    clock.now += db.PING_AFTER_IDLE_SECONDS + 1
    assert _backend_pid(made) != first  # a fresh connection, no error for the caller
    assert pings == [1]

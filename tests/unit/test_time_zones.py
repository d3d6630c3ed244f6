"""Time zones: every service's database layer (servicekit's ``UtcDateTime``) reads naive datetimes as UTC.

Regression ("Time zones"): ``UtcDateTime`` used ``astimezone`` on naive values,
which Python reads in the host's local zone, so a process running with ``TZ`` set elsewhere
than UTC shifted every naive timestamp by its offset.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from types import ModuleType

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, create_engine, insert, select, text

import issuer.db.base as issuer_base
import verifier.db.base as verifier_base
import wallet.db.base as wallet_base

MODULES = [
    pytest.param(issuer_base, id="issuer"),
    pytest.param(wallet_base, id="wallet"),
    pytest.param(verifier_base, id="verifier"),
]


@pytest.fixture
def new_york() -> Iterator[None]:
    """The process runs in America/New_York (UTC-5 in January) for the test."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = "America/New_York"
    time.tzset()
    try:
        # the zone really is in force: a naive value's astimezone is not UTC here
        assert datetime(2026, 1, 15, 12).astimezone(UTC).hour == 17
        yield
    finally:
        if before is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = before
        time.tzset()


@pytest.mark.usefixtures("new_york")
@pytest.mark.parametrize("base", MODULES)
def test_time_zones_naive_datetimes_read_as_utc(base: ModuleType) -> None:
    engine = create_engine("sqlite://")
    table = Table(
        "stamps",
        MetaData(),
        Column("id", Integer, primary_key=True),
        Column("at", base.UtcDateTime()),
    )
    table.metadata.create_all(engine)
    naive = datetime(2026, 1, 15, 12, 0)
    paris = datetime(2026, 1, 15, 12, 0, tzinfo=timezone(timedelta(hours=1)))
    with engine.begin() as conn:
        conn.execute(insert(table), [{"id": 1, "at": naive}, {"id": 2, "at": paris}])
        # a row written by another tool: naive text in the database
        conn.execute(text("INSERT INTO stamps (id, at) VALUES (3, '2026-01-15 12:00:00')"))
    with engine.connect() as conn:
        stored: dict[int, str] = dict(conn.execute(text("SELECT id, at FROM stamps")).all())
        read = dict(conn.execute(select(table.c.id, table.c.at)).all())
    # what is stored is UTC wall time, not New York's
    assert stored[1].startswith("2026-01-15 12:00:00")
    assert stored[2].startswith("2026-01-15 11:00:00")
    assert read[1] == datetime(2026, 1, 15, 12, tzinfo=UTC)
    assert read[2] == datetime(2026, 1, 15, 11, tzinfo=UTC)
    assert read[3] == datetime(2026, 1, 15, 12, tzinfo=UTC)
    assert all(value.utcoffset() == timedelta(0) for value in read.values())


@pytest.mark.usefixtures("new_york")
@pytest.mark.parametrize("base", MODULES)
def test_time_zones_aware_value_from_the_driver_is_converted(base: ModuleType) -> None:
    """A driver that answers with a zone (PostgreSQL timestamptz) is converted, not relabelled."""
    column = base.UtcDateTime()
    plus_two = datetime(2026, 7, 1, 12, tzinfo=timezone(timedelta(hours=2)))
    assert column.process_result_value(plus_two, None) == datetime(2026, 7, 1, 10, tzinfo=UTC)

"""Declarative base, engine and migrations."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import DateTime, Engine, create_engine, event
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

from servicekit.migrations import upgrade_to_head

MIGRATIONS = Path(__file__).parent / "migrations"


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite keeps no zone).

    A naive datetime, written or read, is UTC: never the host's local time (``astimezone``
    on a naive value would read it in the process's TZ).
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else as_utc(value).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else as_utc(value)


def as_utc(value: datetime) -> datetime:
    """``value`` in UTC; a naive value is taken to be UTC already."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    pass


def make_engine(url: str) -> Engine:
    """An engine; SQLite gets foreign keys on and a busy timeout."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        return engine
    # a fixed pool: overflow connections were opened and closed per request under load
    # (a PostgreSQL backend started each time: issue #16's profile); threads wait instead
    return create_engine(url, pool_size=10, max_overflow=0, pool_timeout=30, pool_pre_ping=True)


def run_migrations(engine: Engine) -> None:
    """Upgrade the database to the newest Alembic revision (locked across processes and hosts)."""
    upgrade_to_head(engine, MIGRATIONS, "verifier")

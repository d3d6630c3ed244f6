"""The database glue every service uses: a UTC datetime column, engines, the Alembic ``env.py``.

Each service keeps its own declarative ``Base`` (its own metadata) and its own migrations folder;
what is the same everywhere lives here.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from alembic import context
from sqlalchemy import DateTime, Engine, MetaData, create_engine, event
from sqlalchemy.types import TypeDecorator


def as_utc(value: datetime) -> datetime:
    """``value`` in UTC; a naive value is taken to be UTC already (never the host's zone)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


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


def make_engine(
    url: str,
    *,
    sqlite_wal: bool = False,
    pool_size: int | None = None,
    max_overflow: int = 10,
    pool_timeout: float = 30,
) -> Engine:
    """An engine; SQLite gets foreign keys on, a busy timeout and (``sqlite_wal``) WAL on files.

    ``pool_size`` sizes a PostgreSQL pool (SQLAlchemy's default of 5 when ``None``). A fixed
    pool (``max_overflow=0``) makes threads wait rather than open and close a connection per
    request under load (a PostgreSQL backend started each time: issue #16's profile).
    """
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            if sqlite_wal and ":memory:" not in url:
                cursor.execute("PRAGMA journal_mode=WAL")
            cursor.close()

        return engine
    if pool_size is None:
        return create_engine(url, pool_pre_ping=True)
    return create_engine(
        url,
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_timeout=pool_timeout,
        pool_pre_ping=True,
    )


def run_alembic_env(metadata: MetaData, service: str) -> None:
    """The body of a service's Alembic ``env.py``: migrate the connection handed over.

    The connection comes from :func:`servicekit.migrations.upgrade_to_head` (through
    ``config.attributes``); Alembic run any other way has none and is refused.
    """
    connection = context.config.attributes.get("connection")
    if connection is None:
        raise RuntimeError(f"run {service} migrations through `musette migrate {service}`")
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()

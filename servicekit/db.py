"""The database glue every service uses: a UTC datetime column, engines, the Alembic ``env.py``.

Each service keeps its own declarative ``Base`` (its own metadata) and its own migrations folder;
what is the same everywhere lives here.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, Final, TypeVar

from alembic import context
from sqlalchemy import Connection, DateTime, Engine, MetaData, create_engine, event, exc
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.orm.instrumentation import manager_of_class
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


_Mapped = TypeVar("_Mapped")


def values_object(entity: type[_Mapped], values: Iterable[tuple[str, Any]]) -> _Mapped:
    """An object of the mapped class ``entity`` holding ``values`` (column key, value), built
    as the ORM's loading builds one (the instance, its state, the values in its dict) but
    with no session, identity map or change events (``entity(**values)`` fires one per
    attribute): a transient object, read for its values, that no session tracks."""
    instance = manager_of_class(entity).new_instance()
    instance.__dict__.update(values)
    return instance


def insert_for(bind: Session | Connection, table: Any) -> Any:
    """An ``INSERT`` into ``table`` in the dialect of ``bind`` (PostgreSQL or SQLite), which
    has ``ON CONFLICT`` (``on_conflict_do_nothing``/``_do_update``, with ``RETURNING``): a
    duplicate key is handled inside the statement, with no SAVEPOINT round trips around it
    and no aborted transaction."""
    dialect = (bind.get_bind() if isinstance(bind, Session) else bind).dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


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
    request under load (a PostgreSQL backend started each time, in the `make bench-http`
    profiles).
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
        engine = create_engine(url)
    else:
        engine = create_engine(
            url, pool_size=pool_size, max_overflow=max_overflow, pool_timeout=pool_timeout
        )
    ping_when_idle(engine)
    return engine


#: a pooled connection idle longer than this is pinged before use
#: (docs/decisions/pool-ping-when-idle.md)
PING_AFTER_IDLE_SECONDS: Final = 5.0


def ping_when_idle(engine: Engine, idle_seconds: float = PING_AFTER_IDLE_SECONDS) -> None:
    """Ping a pooled connection before use only when it sat idle ``idle_seconds`` or more.

    ``pool_pre_ping`` sent a ``SELECT 1`` round trip at every checkout, doubling the round
    trips of a one-query request (a status list 304). A connection used again within a few
    seconds was just working; one idle longer (a database restart, a dropped idle link) is
    pinged, and a dead one is replaced (SQLAlchemy's pessimistic disconnect handling: raising
    DisconnectionError on checkout makes the pool retry with a new connection)."""

    @event.listens_for(engine, "checkin")
    def _checked_in(_dbapi_conn: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get("idle_since")
        if since is None or time.monotonic() - since < idle_seconds:
            return  # a new connection, or one just returned
        try:
            engine.dialect.do_ping(dbapi_conn)
        except Exception as err:
            raise exc.DisconnectionError(f"stale pooled connection ({type(err).__name__})") from err


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

"""Alembic to head behind a lock every instance honours, and the schema-current check.

Many instances may run ``musette migrate`` at once (a compose job, a rolling deploy, two
replicas of a service that still migrate at start-up). On PostgreSQL a session-level advisory
lock (``pg_advisory_lock``) serialises them across hosts: the first upgrades, the others wait,
then find the schema at head and do nothing. On SQLite (one host) an exclusive ``flock`` on a
file next to the database does the same across processes. In every case the in-process lock
of :mod:`shared.process_locks` is held too: Alembic keeps its context in module globals.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, text

from shared import process_locks

try:  # POSIX; elsewhere the in-process lock is all there is (one process per database)
    import fcntl
except ImportError:  # pragma: no cover (Windows)
    fcntl = None  # type: ignore[assignment]


def alembic_config(script_location: Path) -> Config:
    """An Alembic configuration without alembic.ini: the scripts folder is all it needs."""
    config = Config()
    config.set_main_option("script_location", str(script_location))
    return config


def advisory_key(service: str) -> int:
    """The signed 64-bit advisory-lock key of one service's migrations (stable across runs)."""
    digest = hashlib.sha256(f"musette-migrate:{service}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


@contextlib.contextmanager
def _postgres_lock(connection: Connection, key: int) -> Iterator[None]:
    connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": key})
    connection.commit()
    try:
        yield
    finally:
        connection.rollback()  # a failed upgrade leaves an aborted transaction behind
        connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
        connection.commit()


@contextlib.contextmanager
def _file_lock(engine: Engine) -> Iterator[None]:
    database = engine.url.database
    if fcntl is None or not database or database == ":memory:" or database.startswith("file:"):
        yield
        return
    path = Path(database).with_name(Path(database).name + ".migrate-lock")
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


@contextlib.contextmanager
def _sqlite_foreign_keys_off(connection: Connection) -> Iterator[None]:
    """Foreign keys off while batch migrations rebuild tables (Alembic's advice for SQLite).

    A batch ``ALTER`` copies a table, drops the old one and renames the copy: with
    ``foreign_keys=ON`` dropping a table other rows point at fails, so an upgrade of a
    database *with data* would stop half-way. The pragma is a no-op inside a transaction,
    hence set before it; ``foreign_key_check`` proves nothing was left dangling.
    """
    if connection.dialect.name != "sqlite":
        yield
        return
    connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
    connection.commit()
    try:
        yield
        dangling = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        connection.commit()
        if dangling:
            raise RuntimeError(f"the upgrade left rows pointing nowhere: {dangling[:5]}")
    finally:
        connection.rollback()
        connection.exec_driver_sql("PRAGMA foreign_keys=ON")
        connection.commit()


def upgrade_to_head(engine: Engine, script_location: Path, service: str) -> None:
    """Upgrade ``engine``'s database to the newest revision, whoever else is doing the same.

    The service's ``env.py`` takes the connection from ``config.attributes["connection"]``.
    """
    config = alembic_config(script_location)
    with process_locks.MIGRATIONS:
        if engine.dialect.name == "postgresql":
            key = advisory_key(service)
            with (
                engine.connect() as connection,
                _postgres_lock(connection, key),
                connection.begin(),
            ):
                config.attributes["connection"] = connection
                command.upgrade(config, "head")
            return
        with (
            _file_lock(engine),
            engine.connect() as connection,
            _sqlite_foreign_keys_off(connection),
            connection.begin(),
        ):
            config.attributes["connection"] = connection
            command.upgrade(config, "head")


@dataclass(frozen=True)
class SchemaState:
    """Where a database stands against the migration scripts."""

    current: tuple[str, ...]
    heads: tuple[str, ...]

    @property
    def at_head(self) -> bool:
        """True when the database is exactly at the newest revision(s)."""
        return bool(self.current) and set(self.current) == set(self.heads)

    def describe(self) -> str:
        """``at 0004, not 0005 (head)``; ``empty (no migration applied)``."""
        if not self.current:
            return "empty (no migration applied)"
        return f"at {', '.join(self.current)}, not {', '.join(self.heads)} (head)"


@functools.cache
def script_heads(script_location: Path) -> tuple[str, ...]:
    """The head revision(s) of a scripts folder (read once per process: scripts do not move)."""
    return tuple(ScriptDirectory.from_config(alembic_config(script_location)).get_heads())


def current_revisions(engine: Engine) -> tuple[str, ...]:
    """The revision(s) the database is at (empty before any migration); opens a connection."""
    with engine.connect() as connection:
        return tuple(MigrationContext.configure(connection).get_current_heads())


def schema_state(
    engine: Engine, script_location: Path, heads: tuple[str, ...] | None = None
) -> SchemaState:
    """Compare the database's revision with the scripts' head (``heads`` may be cached)."""
    return SchemaState(
        current=current_revisions(engine),
        heads=heads if heads is not None else script_heads(script_location),
    )


class SchemaOutdatedError(RuntimeError):
    """The database is not at the newest revision: a server must not start on it."""

    def __init__(self, service: str, state: SchemaState) -> None:
        self.service = service
        self.state = state
        super().__init__(
            f"the {service} database schema is {state.describe()}: "
            f"run `musette migrate {service}` first (`musette serve` never migrates)"
        )


def require_current_schema(engine: Engine, script_location: Path, service: str) -> None:
    """Raise :class:`SchemaOutdatedError` unless the database is at head."""
    state = schema_state(engine, script_location)
    if not state.at_head:
        raise SchemaOutdatedError(service, state)

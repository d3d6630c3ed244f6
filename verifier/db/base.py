"""Declarative base of the verifier's tables, engine and migrations (the glue is servicekit's)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import DeclarativeBase

from servicekit import db
from servicekit.db import UtcDateTime
from servicekit.migrations import upgrade_to_head

__all__ = ["MIGRATIONS", "Base", "UtcDateTime", "make_engine", "run_migrations"]

MIGRATIONS = Path(__file__).parent / "migrations"


class Base(DeclarativeBase):
    """Base of every verifier table."""


def make_engine(url: str) -> Engine:
    """An engine; SQLite gets foreign keys and a busy timeout; PostgreSQL a fixed pool of 10."""
    return db.make_engine(url, pool_size=10, max_overflow=0)


def run_migrations(engine: Engine) -> None:
    """Upgrade the database to the newest Alembic revision (locked across processes and hosts)."""
    upgrade_to_head(engine, MIGRATIONS, "verifier")

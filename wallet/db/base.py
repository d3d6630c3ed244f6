"""Declarative base of the wallet's tables, engine and migrations (the glue is servicekit's)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import DeclarativeBase

from servicekit.db import UtcDateTime, make_engine
from servicekit.migrations import upgrade_to_head

__all__ = ["MIGRATIONS", "Base", "UtcDateTime", "make_engine", "run_migrations"]

MIGRATIONS = Path(__file__).parent / "migrations"


class Base(DeclarativeBase):
    """Base of every wallet table."""


def run_migrations(engine: Engine) -> None:
    """Upgrade the database to the newest Alembic revision (locked across processes and hosts)."""
    upgrade_to_head(engine, MIGRATIONS, "wallet")

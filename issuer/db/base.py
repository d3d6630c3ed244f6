"""Declarative base of the issuer's tables; the column type and engine come from servicekit."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlalchemy.orm import DeclarativeBase

from servicekit import db
from servicekit.db import UtcDateTime

__all__ = ["Base", "UtcDateTime", "make_engine"]


class Base(DeclarativeBase):
    """Base of every issuer table."""


#: PostgreSQL connections per process (``IssuerSettings.database_pool_connections``)
DEFAULT_POOL_SIZE = 10


def make_engine(url: str, pool_size: int = DEFAULT_POOL_SIZE) -> Engine:
    """An engine; SQLite gets WAL, a busy timeout and foreign keys; PostgreSQL a fixed pool."""
    return db.make_engine(url, sqlite_wal=True, pool_size=pool_size, max_overflow=0)

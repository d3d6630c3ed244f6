"""The same test on SQLite every time, and on PostgreSQL when MUSETTE_TEST_POSTGRES_URL is
set: ``database_urls`` yields a fresh database URL for each (a schema of its own on
PostgreSQL, dropped at the end)."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import create_engine, text

PG_URL = os.environ.get("MUSETTE_TEST_POSTGRES_URL")
DIALECTS = ("sqlite", "postgresql")


@contextmanager
def database_url(dialect: str, tmp_path: Path, name: str) -> Iterator[str]:
    """A fresh SQLite file, or a PostgreSQL URL whose search_path is a fresh schema."""
    if dialect == "sqlite":
        yield f"sqlite:///{tmp_path / f'{name}.db'}"
        return
    if not PG_URL:
        pytest.skip("MUSETTE_TEST_POSTGRES_URL is not set")
    schema = f"{name}_test_{secrets.token_hex(6)}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    joiner = "&" if "?" in PG_URL else "?"
    try:
        yield f"{PG_URL}{joiner}options={quote(f'-csearch_path={schema}')}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()

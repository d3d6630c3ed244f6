"""Run the issuer's Alembic migrations programmatically (no alembic.ini needed)."""

from __future__ import annotations

from pathlib import Path

from alembic.config import Config
from sqlalchemy import Engine

from servicekit import migrations

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config() -> Config:
    return migrations.alembic_config(MIGRATIONS)


def run_migrations(engine: Engine) -> None:
    """Upgrade the database to the latest revision (locked across processes and hosts)."""
    migrations.upgrade_to_head(engine, MIGRATIONS, "issuer")

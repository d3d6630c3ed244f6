"""Run the issuer's Alembic migrations programmatically (no alembic.ini needed)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

from shared import process_locks

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def run_migrations(engine: Engine) -> None:
    """Upgrade the database to the latest revision."""
    config = alembic_config()
    with process_locks.MIGRATIONS, engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")

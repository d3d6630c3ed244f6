"""Alembic environment: the connection comes from ``wallet.db.base.run_migrations``."""

from __future__ import annotations

from alembic import context

from wallet.db import models  # noqa: F401  (registers the tables)
from wallet.db.base import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run wallet migrations through wallet.db.base.run_migrations")
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()

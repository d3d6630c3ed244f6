"""Alembic environment: the connection comes from ``verifier.db.base.run_migrations``."""

from __future__ import annotations

from alembic import context

from verifier.db import models  # noqa: F401  (registers the tables)
from verifier.db.base import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run verifier migrations through verifier.db.base.run_migrations")
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()

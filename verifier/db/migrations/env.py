"""Alembic environment: the connection comes from ``verifier.db.base.run_migrations``."""

from servicekit.db import run_alembic_env
from verifier.db import models  # noqa: F401  (registers the tables)
from verifier.db.base import Base

run_alembic_env(Base.metadata, "verifier")

"""Alembic environment: the connection comes from ``wallet.db.base.run_migrations``."""

from servicekit.db import run_alembic_env
from wallet.db import models  # noqa: F401  (registers the tables)
from wallet.db.base import Base

run_alembic_env(Base.metadata, "wallet")

"""Alembic environment: the connection comes from ``issuer.db.migrate.run_migrations``."""

from issuer.db import models  # noqa: F401  (registers the tables)
from issuer.db.base import Base
from servicekit.db import run_alembic_env

run_alembic_env(Base.metadata, "issuer")

"""Verifier storage: SQLAlchemy models, repository functions, Alembic migrations."""

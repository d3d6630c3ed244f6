"""Wallet storage: SQLAlchemy models, migrations and repository functions."""

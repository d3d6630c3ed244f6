"""End-to-end tests use the session-wide `stack` fixtures from tests/stack.py (see tests/conftest.py)."""

from tests.stack import free_port

__all__ = ["free_port"]

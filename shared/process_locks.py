"""Locks for libraries whose state is process-global, shared by the services in one process.

``musette up`` and the end-to-end tests run the issuer, wallet and verifier in one process.
Alembic keeps its migration context in module globals, so two services migrating at the same
time in two threads break each other (``KeyError: 'config'``); they take this lock.
"""

from __future__ import annotations

import threading

MIGRATIONS = threading.RLock()

__all__ = ["MIGRATIONS"]

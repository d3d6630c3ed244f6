"""Rate-limit counters shared by every instance (servicekit.ratelimit).

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from servicekit.ratelimit import create_rate_limit_table as upgrade
from servicekit.ratelimit import drop_rate_limit_table as downgrade

__all__ = ["downgrade", "upgrade"]

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

"""Rate-limit counters shared by every instance (servicekit.ratelimit).

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

from servicekit.ratelimit import create_rate_limit_table as upgrade
from servicekit.ratelimit import drop_rate_limit_table as downgrade

__all__ = ["downgrade", "upgrade"]

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

"""Anonymous API results are stored only on request, and carry the moment they are deleted.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from verifier.db.base import UtcDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("verifications") as batch:
        batch.add_column(sa.Column("expires_at", UtcDateTime(), nullable=True))
        batch.create_index("ix_verifications_expires_at", ["expires_at"])


def downgrade() -> None:
    with op.batch_alter_table("verifications") as batch:
        batch.drop_index("ix_verifications_expires_at")
        batch.drop_column("expires_at")

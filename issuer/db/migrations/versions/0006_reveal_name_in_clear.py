"""Offers: the recipient's name in clear, or salted and hashed (the default,
docs/decisions/reveal-less.md)

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("offers") as batch:
        batch.add_column(
            sa.Column("name_in_clear", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("offers") as batch:
        batch.drop_column("name_in_clear")

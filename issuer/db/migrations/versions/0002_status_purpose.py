"""status purpose per offer and per issued credential

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("offers") as batch:
        batch.add_column(
            sa.Column(
                "status_purpose", sa.String(length=16), nullable=False, server_default="revocation"
            )
        )
    with op.batch_alter_table("issued_credentials") as batch:
        batch.add_column(sa.Column("status_purposes", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("issued_credentials") as batch:
        batch.drop_column("status_purposes")
    with op.batch_alter_table("offers") as batch:
        batch.drop_column("status_purpose")

"""Trust registry entries say what kind of issuer they are (association, platform...).

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("trusted_issuers") as batch:
        batch.add_column(sa.Column("issuer_kind", sa.String(16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("trusted_issuers") as batch:
        batch.drop_column("issuer_kind")

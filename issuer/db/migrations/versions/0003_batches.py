"""CSV batches: the batches table, and each offer's batch and line

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "batches",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("achievement_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=True),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.Column("tx_code", sa.Boolean(), nullable=False),
        sa.Column("confirm_token", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(["achievement_id"], ["achievements.id"]),
        sa.ForeignKeyConstraint(["org_id"], ["organisations.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("confirm_token"),
    )
    with op.batch_alter_table("batches") as batch:
        batch.create_index(batch.f("ix_batches_org_id"), ["org_id"], unique=False)
    with op.batch_alter_table("offers") as batch:
        batch.add_column(sa.Column("batch_id", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("batch_line", sa.Integer(), nullable=True))
        batch.create_index(batch.f("ix_offers_batch_id"), ["batch_id"], unique=False)
        batch.create_foreign_key("fk_offers_batch_id", "batches", ["batch_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("offers") as batch:
        batch.drop_constraint("fk_offers_batch_id", type_="foreignkey")
        batch.drop_index(batch.f("ix_offers_batch_id"))
        batch.drop_column("batch_line")
        batch.drop_column("batch_id")
    with op.batch_alter_table("batches") as batch:
        batch.drop_index(batch.f("ix_batches_org_id"))
    op.drop_table("batches")

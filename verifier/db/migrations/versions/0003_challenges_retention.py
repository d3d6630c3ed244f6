"""Challenges handed out by ``POST /challenges``; verification summaries apart from contents.

Existing results move whole to ``full_report`` and keep only their summary in ``report``;
the retention purge then deletes them (or strips anonymous ones) like any new result.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

from verifier.db.base import UtcDateTime
from verifier.service.retention import summary_of

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "challenges",
        sa.Column("challenge", sa.String(64), primary_key=True),
        sa.Column("domain", sa.String(2000), nullable=False),
        sa.Column(
            "account_id",
            sa.String(32),
            sa.ForeignKey("accounts.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("created_at", UtcDateTime(), nullable=False, index=True),
        sa.Column("expires_at", UtcDateTime(), nullable=False),
        sa.Column("used_at", UtcDateTime(), nullable=True),
    )
    with op.batch_alter_table("verifications") as batch:
        batch.add_column(sa.Column("full_report", sa.Text(), nullable=True))
    table = sa.table(
        "verifications",
        sa.column("id", sa.String),
        sa.column("report", sa.Text),
        sa.column("full_report", sa.Text),
    )
    conn = op.get_bind()
    for row in conn.execute(sa.select(table.c.id, table.c.report)).all():
        try:
            summary = json.dumps(summary_of(json.loads(row.report)), ensure_ascii=False)
        except ValueError:
            continue
        conn.execute(
            table.update()
            .where(table.c.id == row.id)
            .values(report=summary, full_report=row.report)
        )


def downgrade() -> None:
    table = sa.table(
        "verifications",
        sa.column("report", sa.Text),
        sa.column("full_report", sa.Text),
    )
    op.execute(
        table.update().where(table.c.full_report.is_not(None)).values(report=table.c.full_report)
    )
    with op.batch_alter_table("verifications") as batch:
        batch.drop_column("full_report")
    op.drop_table("challenges")

"""Count what waits in each account's inbox, so a signed-in request reads the inbox only when
something waits (``accounts.inbox_pending``, raised by a delivery, lowered by the drain).

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
    with op.batch_alter_table("accounts") as batch:
        batch.add_column(
            sa.Column("inbox_pending", sa.Integer(), nullable=False, server_default="0")
        )
    # what already waits is counted, so it still lands at the person's next request
    op.execute(
        "UPDATE accounts SET inbox_pending = "
        "(SELECT COUNT(*) FROM inbox WHERE inbox.account_id = accounts.id)"
    )


def downgrade() -> None:
    with op.batch_alter_table("accounts") as batch:
        batch.drop_column("inbox_pending")

"""Person-held keys: password and recovery wrappings, session copies, inbox, check value.

Every new column is nullable: an account made before keeps its master-wrapped data key until
its next sign-in (docs/decisions/person-held-keys.md).

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from wallet.db.base import UtcDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

ACCOUNT_COLUMNS = (
    ("kek_salt", sa.LargeBinary()),
    ("kek_params", sa.String(64)),
    ("password_wrapped_key", sa.LargeBinary()),
    ("recovery_wrapped_key", sa.LargeBinary()),
    ("inbox_public_key", sa.LargeBinary()),
    ("inbox_private_ct", sa.LargeBinary()),
)


def upgrade() -> None:
    with op.batch_alter_table("accounts") as batch:
        batch.alter_column("wrapped_key", existing_type=sa.LargeBinary(), nullable=True)
        for name, kind in ACCOUNT_COLUMNS:
            batch.add_column(sa.Column(name, kind, nullable=True))
    op.add_column("sessions", sa.Column("key_ct", sa.LargeBinary(), nullable=True))
    op.add_column("api_tokens", sa.Column("key_ct", sa.LargeBinary(), nullable=True))
    op.create_table(
        "inbox",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column(
            "account_id",
            sa.String(32),
            sa.ForeignKey("accounts.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("ct", sa.LargeBinary(), nullable=False),
    )
    op.create_table(
        "vault_checks",
        sa.Column("name", sa.String(32), primary_key=True),
        sa.Column("value", sa.LargeBinary(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("vault_checks")
    op.drop_table("inbox")
    op.drop_column("api_tokens", "key_ct")
    op.drop_column("sessions", "key_ct")
    with op.batch_alter_table("accounts") as batch:
        for name, _kind in reversed(ACCOUNT_COLUMNS):
            batch.drop_column(name)

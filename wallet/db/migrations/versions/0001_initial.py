"""Wallet tables: accounts, sessions, tokens, identities, credentials, history, shares.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from wallet.db.base import UtcDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _account_fk() -> sa.ForeignKey:
    return sa.ForeignKey("accounts.id", ondelete="CASCADE")


def upgrade() -> None:
    op.create_table(
        "accounts",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("email", sa.String(320), nullable=False, unique=True),
        sa.Column("password_hash", sa.String(200), nullable=False),
        sa.Column("wrapped_key", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
    )
    op.create_table(
        "sessions",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("account_id", sa.String(32), _account_fk(), nullable=False, index=True),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("expires_at", UtcDateTime(), nullable=False),
    )
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("account_id", sa.String(32), _account_fk(), nullable=False, index=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
    )
    op.create_table(
        "identities",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("account_id", sa.String(32), _account_fk(), nullable=False, index=True),
        sa.Column("did", sa.Text(), nullable=False),
        sa.Column("key_type", sa.String(16), nullable=False),
        sa.Column("label", sa.String(200), nullable=False),
        sa.Column("pairwise_tag", sa.String(64), nullable=True, index=True),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        sa.Column("key_ct", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
    )
    op.create_table(
        "credentials",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("account_id", sa.String(32), _account_fk(), nullable=False),
        sa.Column("format", sa.String(32), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("summary_ct", sa.LargeBinary(), nullable=False),
        sa.Column("content_ct", sa.LargeBinary(), nullable=False),
    )
    op.create_index("ix_credentials_account_created", "credentials", ["account_id", "created_at"])
    op.create_table(
        "pending",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("account_id", sa.String(32), _account_fk(), nullable=False, index=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("ct", sa.LargeBinary(), nullable=False),
    )
    op.create_table(
        "history",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("account_id", sa.String(32), _account_fk(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("ct", sa.LargeBinary(), nullable=False),
    )
    op.create_index("ix_history_account_created", "history", ["account_id", "created_at"])
    op.create_table(
        "shares",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("account_id", sa.String(32), _account_fk(), nullable=False, index=True),
        sa.Column(
            "credential_id",
            sa.String(32),
            sa.ForeignKey("credentials.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("ct", sa.LargeBinary(), nullable=False),
    )
    op.create_table(
        "trusted_issuers",
        sa.Column("identifier", sa.String(500), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
    )


def downgrade() -> None:
    for table in (
        "trusted_issuers",
        "shares",
        "history",
        "pending",
        "credentials",
        "identities",
        "api_tokens",
        "sessions",
        "accounts",
    ):
        op.drop_table(table)

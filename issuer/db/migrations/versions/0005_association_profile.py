"""Association profile for the CEC: RNA, SIREN/SIRET, declaration date, field, valideur

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_COLUMNS = (
    ("rna", sa.String(length=10)),
    ("siren", sa.String(length=14)),
    ("declared_on", sa.Date()),
    ("activity_field", sa.String(length=32)),
    ("valideur_name", sa.String(length=200)),
    ("valideur_email", sa.String(length=200)),
)


def upgrade() -> None:
    with op.batch_alter_table("organisations") as batch:
        for name, kind in _COLUMNS:
            batch.add_column(sa.Column(name, kind, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("organisations") as batch:
        for name, _ in reversed(_COLUMNS):
            batch.drop_column(name)

"""wins: how the reply sounded, so a run of flops can be answered with a word about support

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 08:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Wins from before are of no known tone: null, never guessed.
    with op.batch_alter_table("win") as table:
        table.add_column(sa.Column("tone", sa.String(length=24), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("win") as table:
        table.drop_column("tone")

"""the member's anniversary (DATE), so prompts can mark it in the days before

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 07:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("subscriber") as table:
        table.add_column(sa.Column("anniversary_month", sa.SmallInteger(), nullable=True))
        table.add_column(sa.Column("anniversary_day", sa.SmallInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("subscriber") as table:
        table.drop_column("anniversary_day")
        table.drop_column("anniversary_month")

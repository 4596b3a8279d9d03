"""subscriber language, and the zones a number could be in until the subscriber names one

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 04:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("subscriber") as table:
        table.add_column(
            sa.Column("language", sa.String(length=8), nullable=False, server_default="en")
        )
        table.add_column(sa.Column("candidate_zones", sa.Text(), nullable=True))
        table.add_column(
            sa.Column("zone_confirmed", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("subscriber") as table:
        table.drop_column("zone_confirmed")
        table.drop_column("candidate_zones")
        table.drop_column("language")

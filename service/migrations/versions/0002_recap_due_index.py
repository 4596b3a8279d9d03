"""index the weekly recap's due time, so a claim never scans every subscriber

The dispatcher finds who is due with two index range scans that stop at `now`: prompts on
ix_subscriber_due (status, next_prompt_at) and recaps on this one (status, next_recap_at).
Without it, the recap half of the search reads the whole subscriber table on every tick.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 02:00:00.000000
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_subscriber_recap_due", "subscriber", ["status", "next_recap_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_subscriber_recap_due", table_name="subscriber")

"""drop the index on outbound_message.prompt_id, which no query used and every send paid for

No statement looks an outbound message up by prompt_id: the prompt history reads by
subscriber (ix_outbound_subscriber_created) and the catalog figures group every sent prompt,
a full read either way. Each outbound row is written three times per prompt (claimed,
sending, its outcome), and on PostgreSQL each of those writes added an entry to this index.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 10:00:00.000000
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_outbound_message_prompt_id", table_name="outbound_message")


def downgrade() -> None:
    op.create_index(
        "ix_outbound_message_prompt_id", "outbound_message", ["prompt_id"], unique=False
    )

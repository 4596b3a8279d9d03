"""check-ins: members' 1-5 answers to the monthly closeness question

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 09:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "check_in",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subscriber_id", sa.Integer(), nullable=False),
        sa.Column("member_key", sa.String(length=16), nullable=False),
        sa.Column("outbound_id", sa.Integer(), nullable=False),
        sa.Column("inbound_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("programme_month", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("score BETWEEN 1 AND 5", name="ck_check_in_score"),
        sa.ForeignKeyConstraint(["subscriber_id"], ["subscriber.id"]),
        sa.ForeignKeyConstraint(["outbound_id"], ["outbound_message.id"]),
        sa.ForeignKeyConstraint(["inbound_id"], ["inbound_message.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("outbound_id"),
        sa.UniqueConstraint("inbound_id"),
    )
    op.create_index("ix_check_in_subscriber_id", "check_in", ["subscriber_id"])


def downgrade() -> None:
    op.drop_index("ix_check_in_subscriber_id", table_name="check_in")
    op.drop_table("check_in")

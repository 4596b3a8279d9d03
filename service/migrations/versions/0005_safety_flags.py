"""safety flags, one per concerning text, and the audit log of operators reading them

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06 02:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "safety_flag",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subscriber_id", sa.Integer(), nullable=True),
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("message_sid", sa.String(length=64), nullable=False),
        sa.Column("families", sa.String(length=200), nullable=False),
        sa.Column("matched", sa.String(length=1000), nullable=False),
        sa.Column("imminent", sa.Boolean(), nullable=False),
        sa.Column("resources_sent", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reviewed_by", sa.String(length=64), nullable=True),
        sa.Column("review_note", sa.String(length=1000), nullable=True),
        sa.ForeignKeyConstraint(["subscriber_id"], ["subscriber.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_safety_flag_subscriber_id", "safety_flag", ["subscriber_id"])
    op.create_index("ix_safety_flag_phone_created", "safety_flag", ["phone", "created_at"])
    op.create_table(
        "safety_audit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=24), nullable=False),
        sa.Column("flag_id", sa.Integer(), nullable=True),
        sa.Column("subscriber_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.String(length=1000), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    op.drop_table("safety_audit")
    op.drop_index("ix_safety_flag_phone_created", table_name="safety_flag")
    op.drop_index("ix_safety_flag_subscriber_id", table_name="safety_flag")
    op.drop_table("safety_flag")

"""couples: pairs, pairing codes, wrong codes tried, a pending member's code

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 05:55:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pair",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("first_id", sa.Integer(), sa.ForeignKey("subscriber.id"), nullable=False),
        sa.Column("second_id", sa.Integer(), sa.ForeignKey("subscriber.id"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_pair_first_open", "pair", ["first_id", "ended_at"])
    op.create_index("ix_pair_second_open", "pair", ["second_id", "ended_at"])
    op.create_table(
        "pair_code",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("code", sa.String(length=6), nullable=False),
        sa.Column("owner_id", sa.Integer(), sa.ForeignKey("subscriber.id"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_pair_code_code", "pair_code", ["code"])
    op.create_index("ix_pair_code_owner_id", "pair_code", ["owner_id"])
    op.create_table(
        "failed_pair_code",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_failed_pair_code_phone_at", "failed_pair_code", ["phone", "at"])
    with op.batch_alter_table("subscriber") as table:
        table.add_column(sa.Column("pending_pair_code", sa.String(length=6), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("subscriber") as table:
        table.drop_column("pending_pair_code")
    op.drop_table("failed_pair_code")
    op.drop_table("pair_code")
    op.drop_table("pair")

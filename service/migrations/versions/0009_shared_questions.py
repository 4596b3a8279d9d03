"""couples: shared questions and the answers that wait for both partners

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 06:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "shared_question",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("pair_id", sa.Integer(), sa.ForeignKey("pair.id"), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closes_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("first_sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("second_sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("first_answer", sa.String(length=1600), nullable=True),
        sa.Column("second_answer", sa.String(length=1600), nullable=True),
        sa.Column("revealed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("first_reminded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("second_reminded_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_shared_question_pair", "shared_question", ["pair_id", "created_at"])


def downgrade() -> None:
    op.drop_table("shared_question")

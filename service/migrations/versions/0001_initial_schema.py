"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-22 01:05:33.726175
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "subscriber",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("preferred_time", sa.Time(), nullable=False),
        sa.Column("prompts_per_week", sa.Integer(), nullable=False),
        sa.Column("next_prompt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("next_recap_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("paused_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("partner_name", sa.String(length=40), nullable=True),
        sa.Column("love_language", sa.String(length=8), nullable=True),
        sa.Column("recap_weekday", sa.Integer(), nullable=False),
        sa.Column("onboarding_question_pending", sa.Boolean(), nullable=False),
        sa.Column("last_acknowledgement", sa.String(length=200), nullable=True),
        sa.Column("safety_flagged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("undeliverable_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("phone"),
    )
    with op.batch_alter_table("subscriber", schema=None) as batch_op:
        batch_op.create_index("ix_subscriber_due", ["status", "next_prompt_at"], unique=False)

    op.create_table(
        "consent_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subscriber_id", sa.Integer(), nullable=True),
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("method", sa.String(length=24), nullable=False),
        sa.Column("message_sid", sa.String(length=64), nullable=True),
        sa.Column("text", sa.String(), nullable=True),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["subscriber_id"],
            ["subscriber.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("consent_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_consent_event_phone"), ["phone"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_consent_event_subscriber_id"), ["subscriber_id"], unique=False
        )

    op.create_table(
        "inbound_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_sid", sa.String(length=64), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("to_number", sa.String(length=32), nullable=True),
        sa.Column("body", sa.String(), nullable=False),
        sa.Column("opt_out_type", sa.String(length=16), nullable=True),
        sa.Column("subscriber_id", sa.Integer(), nullable=True),
        sa.Column("intent", sa.String(length=24), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["subscriber_id"],
            ["subscriber.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("message_sid"),
    )
    with op.batch_alter_table("inbound_message", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_inbound_message_phone"), ["phone"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_inbound_message_subscriber_id"), ["subscriber_id"], unique=False
        )

    op.create_table(
        "outbound_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subscriber_id", sa.Integer(), nullable=True),
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("prompt_id", sa.String(length=64), nullable=True),
        sa.Column("category", sa.String(length=32), nullable=True),
        sa.Column("slot_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("body", sa.String(), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("twilio_sid", sa.String(length=64), nullable=True),
        sa.Column("error_code", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["subscriber_id"],
            ["subscriber.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("subscriber_id", "kind", "slot_at", name="uq_outbound_slot"),
        sa.UniqueConstraint("twilio_sid"),
    )
    with op.batch_alter_table("outbound_message", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_outbound_message_prompt_id"), ["prompt_id"], unique=False
        )
        batch_op.create_index("ix_outbound_pending", ["status", "lease_until"], unique=False)
        batch_op.create_index(
            "ix_outbound_subscriber_created", ["subscriber_id", "created_at"], unique=False
        )

    op.create_table(
        "win",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subscriber_id", sa.Integer(), nullable=False),
        sa.Column("inbound_id", sa.Integer(), nullable=False),
        sa.Column("outbound_id", sa.Integer(), nullable=True),
        sa.Column("prompt_id", sa.String(length=64), nullable=True),
        sa.Column("category", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["inbound_id"],
            ["inbound_message.id"],
        ),
        sa.ForeignKeyConstraint(
            ["outbound_id"],
            ["outbound_message.id"],
        ),
        sa.ForeignKeyConstraint(
            ["subscriber_id"],
            ["subscriber.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("inbound_id"),
    )
    with op.batch_alter_table("win", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_win_subscriber_id"), ["subscriber_id"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("win", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_win_subscriber_id"))

    op.drop_table("win")
    with op.batch_alter_table("outbound_message", schema=None) as batch_op:
        batch_op.drop_index("ix_outbound_subscriber_created")
        batch_op.drop_index("ix_outbound_pending")
        batch_op.drop_index(batch_op.f("ix_outbound_message_prompt_id"))

    op.drop_table("outbound_message")
    with op.batch_alter_table("inbound_message", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inbound_message_subscriber_id"))
        batch_op.drop_index(batch_op.f("ix_inbound_message_phone"))

    op.drop_table("inbound_message")
    with op.batch_alter_table("consent_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consent_event_subscriber_id"))
        batch_op.drop_index(batch_op.f("ix_consent_event_phone"))

    op.drop_table("consent_event")
    with op.batch_alter_table("subscriber", schema=None) as batch_op:
        batch_op.drop_index("ix_subscriber_due")

    op.drop_table("subscriber")

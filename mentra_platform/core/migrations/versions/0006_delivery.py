"""delivery: users' time zone and channel preferences, notification attempts and leases,
the read mark of the in-app list, day-before preparation reminders

Revision ID: 0006_delivery
Revises: 0005_coordination
Create Date: 2026-11-26 19:10:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_delivery"
down_revision: str | None = "0005_coordination"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMN, not batch mode: on SQLite a batch rebuild drops and re-creates the
    # table, and with foreign keys on, dropping ``users`` would cascade into every table
    # that references it (mentor profiles, ...).
    op.add_column("users", sa.Column("timezone", sa.String(length=64), nullable=True))
    op.add_column(
        "users", sa.Column("notify_email", sa.Boolean(), server_default=sa.true(), nullable=False)
    )
    op.add_column(
        "users", sa.Column("notify_in_app", sa.Boolean(), server_default=sa.true(), nullable=False)
    )
    op.add_column("users", sa.Column("webhook_url", sa.String(length=500), nullable=True))
    op.add_column("users", sa.Column("webhook_secret", sa.String(length=128), nullable=True))
    op.add_column(
        "notifications", sa.Column("attempts", sa.Integer(), server_default="0", nullable=False)
    )
    op.add_column(
        "notifications", sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.add_column("notifications", sa.Column("read_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "notification_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("notification_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("error", sa.String(length=500), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["notification_id"],
            ["notifications.id"],
            name=op.f("fk_notification_attempts_notification_id_notifications"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification_attempts")),
    )
    with op.batch_alter_table("notification_attempts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_notification_attempts_notification_id"),
            ["notification_id"],
            unique=False,
        )
    op.create_table(
        "preparation_reminders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("council_id", sa.Integer(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("queued_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["council_id"],
            ["council_sessions.id"],
            name=op.f("fk_preparation_reminders_council_id_council_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_preparation_reminders")),
        sa.UniqueConstraint(
            "council_id", "sequence", name=op.f("uq_preparation_reminders_council_id_sequence")
        ),
    )
    with op.batch_alter_table("preparation_reminders", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_preparation_reminders_council_id"), ["council_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("preparation_reminders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_preparation_reminders_council_id"))
    op.drop_table("preparation_reminders")
    with op.batch_alter_table("notification_attempts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notification_attempts_notification_id"))
    op.drop_table("notification_attempts")
    # Plain DROP COLUMN (SQLite 3.35+), for the same reason as the upgrade.
    for column in ("read_at", "next_attempt_at", "attempts"):
        op.drop_column("notifications", column)
    for column in ("webhook_secret", "webhook_url", "notify_in_app", "notify_email", "timezone"):
        op.drop_column("users", column)

"""coordination automation: alerts, reminder steps, invite sequence, collection round

Revision ID: 0005_coordination
Revises: 0004_process_heartbeats
Create Date: 2026-11-28 12:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_coordination"
down_revision: str | None = "0004_process_heartbeats"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("council_sessions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("invite_sequence", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(
            sa.Column("collection_round", sa.Integer(), server_default="0", nullable=False)
        )
    op.create_table(
        "alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("council_id", sa.Integer(), nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("dedupe_key", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["acknowledged_by_id"], ["users.id"], name=op.f("fk_alerts_acknowledged_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["council_id"],
            ["council_sessions.id"],
            name=op.f("fk_alerts_council_id_council_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alerts")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_alerts_dedupe_key")),
    )
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.create_index(
            "ix_alerts_acknowledged_at_id", ["acknowledged_at", "id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_alerts_council_id"), ["council_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_alerts_kind"), ["kind"], unique=False)
    op.create_table(
        "reminder_steps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("council_id", sa.Integer(), nullable=False),
        sa.Column("mentor_id", sa.Integer(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("step", sa.String(length=32), nullable=False),
        sa.Column("notification_id", sa.Integer(), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["council_id"],
            ["council_sessions.id"],
            name=op.f("fk_reminder_steps_council_id_council_sessions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["mentor_id"], ["users.id"], name=op.f("fk_reminder_steps_mentor_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminder_steps")),
        sa.UniqueConstraint(
            "council_id",
            "mentor_id",
            "round",
            "step",
            name=op.f("uq_reminder_steps_council_id_mentor_id_round_step"),
        ),
    )
    with op.batch_alter_table("reminder_steps", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_reminder_steps_council_id"), ["council_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("reminder_steps", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reminder_steps_council_id"))
    op.drop_table("reminder_steps")
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_alerts_kind"))
        batch_op.drop_index(batch_op.f("ix_alerts_council_id"))
        batch_op.drop_index("ix_alerts_acknowledged_at_id")
    op.drop_table("alerts")
    with op.batch_alter_table("council_sessions", schema=None) as batch_op:
        batch_op.drop_column("collection_round")
        batch_op.drop_column("invite_sequence")

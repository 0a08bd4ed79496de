"""calendars: mentors' calendar connections (encrypted secrets), their busy ranges, and the
source of a pre-filled answer

Revision ID: 0007_calendars
Revises: 0006_delivery
Create Date: 2026-11-26 20:40:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_calendars"
down_revision: str | None = "0006_delivery"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "calendar_connections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mentor_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("secret", sa.LargeBinary(), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("external_user", sa.String(length=500), nullable=True),
        sa.Column("etag", sa.String(length=500), nullable=True),
        sa.Column("last_modified", sa.String(length=100), nullable=True),
        sa.Column("availability", sa.JSON(), nullable=True),
        sa.Column("last_refresh_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("next_refresh_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("error_since", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["mentor_id"],
            ["users.id"],
            name=op.f("fk_calendar_connections_mentor_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_connections")),
    )
    with op.batch_alter_table("calendar_connections", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_calendar_connections_mentor_id"), ["mentor_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_calendar_connections_next_refresh_at"),
            ["next_refresh_at"],
            unique=False,
        )
    op.create_table(
        "calendar_busy",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("connection_id", sa.Integer(), nullable=False),
        sa.Column("mentor_id", sa.Integer(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["connection_id"],
            ["calendar_connections.id"],
            name=op.f("fk_calendar_busy_connection_id_calendar_connections"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["mentor_id"],
            ["users.id"],
            name=op.f("fk_calendar_busy_mentor_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_busy")),
    )
    with op.batch_alter_table("calendar_busy", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_calendar_busy_connection_id"), ["connection_id"], unique=False
        )
        batch_op.create_index(
            "ix_calendar_busy_mentor_id_starts_at", ["mentor_id", "starts_at"], unique=False
        )
    # Plain ADD COLUMN (see 0006: a batch rebuild on SQLite would cascade deletes).
    op.add_column("council_slot_answers", sa.Column("source", sa.String(length=16), nullable=True))


def downgrade() -> None:
    op.drop_column("council_slot_answers", "source")
    with op.batch_alter_table("calendar_busy", schema=None) as batch_op:
        batch_op.drop_index("ix_calendar_busy_mentor_id_starts_at")
        batch_op.drop_index(batch_op.f("ix_calendar_busy_connection_id"))
    op.drop_table("calendar_busy")
    with op.batch_alter_table("calendar_connections", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_calendar_connections_next_refresh_at"))
        batch_op.drop_index(batch_op.f("ix_calendar_connections_mentor_id"))
    op.drop_table("calendar_connections")

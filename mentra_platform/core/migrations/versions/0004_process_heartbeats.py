"""process heartbeats, idempotency claim owners, failed logins by client

Revision ID: 0004_process_heartbeats
Revises: 0003_engine_inputs
Create Date: 2026-11-27 12:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_process_heartbeats"
down_revision: str | None = "0003_engine_inputs"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "api_processes",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("hostname", sa.String(length=255), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_processes")),
    )
    with op.batch_alter_table("api_processes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_api_processes_heartbeat_at"), ["heartbeat_at"], unique=False
        )
    with op.batch_alter_table("idempotency_records", schema=None) as batch_op:
        batch_op.add_column(sa.Column("owner", sa.String(length=32), nullable=True))
    with op.batch_alter_table("login_failures", schema=None) as batch_op:
        batch_op.create_index("ix_login_failures_client_at", ["client", "at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("login_failures", schema=None) as batch_op:
        batch_op.drop_index("ix_login_failures_client_at")
    with op.batch_alter_table("idempotency_records", schema=None) as batch_op:
        batch_op.drop_column("owner")
    with op.batch_alter_table("api_processes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_processes_heartbeat_at"))
    op.drop_table("api_processes")

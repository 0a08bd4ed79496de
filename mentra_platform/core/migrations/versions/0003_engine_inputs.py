"""engine inputs: mentors' working days, each seat's expertise match, attending-seat index

Revision ID: 0003_engine_inputs
Revises: 0002_login_failures
Create Date: 2026-11-27 09:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_engine_inputs"
down_revision: str | None = "0002_login_failures"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Existing profiles work Monday to Friday, the one default; the server default only
    # fills existing rows and is dropped again so the schema matches the models.
    with op.batch_alter_table("mentor_profiles", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("working_days", sa.JSON(), nullable=False, server_default="[1, 2, 3, 4, 5]")
        )
    with op.batch_alter_table("mentor_profiles", schema=None) as batch_op:
        batch_op.alter_column("working_days", server_default=None)
    with op.batch_alter_table("council_mentors", schema=None) as batch_op:
        batch_op.add_column(sa.Column("expertise_match", sa.Float(), nullable=True))
        batch_op.create_index(
            "ix_council_mentors_mentor_id_attending", ["mentor_id", "attending"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("council_mentors", schema=None) as batch_op:
        batch_op.drop_index("ix_council_mentors_mentor_id_attending")
        batch_op.drop_column("expertise_match")
    with op.batch_alter_table("mentor_profiles", schema=None) as batch_op:
        batch_op.drop_column("working_days")

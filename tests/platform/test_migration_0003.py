"""Migration 0003 on existing rows: profiles get the default working days, seats no match."""

from __future__ import annotations

import json

from alembic import command
from sqlalchemy import create_engine, text

from mentra_platform.core.migrate import alembic_config, upgrade


def test_existing_profiles_work_monday_to_friday(empty_database_url: str) -> None:
    command.upgrade(alembic_config(empty_database_url), "0002_login_failures")
    engine = create_engine(empty_database_url)
    try:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO users (id, email, full_name, password_hash, role, is_active, "
                    "created_at) VALUES (10, 'm@example.com', 'M', 'x', 'mentor', true, "
                    "CURRENT_TIMESTAMP)"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO mentor_profiles (user_id, headline, expertise, seniority, "
                    "timezone, work_start, work_end, active) "
                    "VALUES (10, '', '[]', 3, 'UTC', '09:00', '17:00', true)"
                )
            )
        upgrade(empty_database_url)
        with engine.connect() as conn:
            days = conn.execute(text("SELECT working_days FROM mentor_profiles")).scalar_one()
        assert (json.loads(days) if isinstance(days, str) else days) == [1, 2, 3, 4, 5]
    finally:
        engine.dispose()

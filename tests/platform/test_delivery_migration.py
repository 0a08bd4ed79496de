"""Migration 0006_delivery keeps every row: on SQLite a batch rebuild of ``users`` would
have cascaded into mentor profiles (test_migration_0003 failed that way before)."""

from __future__ import annotations

from alembic import command
from sqlalchemy import create_engine, text

from mentra_platform.core.migrate import alembic_config, upgrade


def test_0006_keeps_users_profiles_and_notifications(empty_database_url: str) -> None:
    command.upgrade(alembic_config(empty_database_url), "0005_coordination")
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
                    "timezone, work_start, work_end, working_days, active) "
                    "VALUES (10, '', '[]', 3, 'Europe/Berlin', '09:00', '17:00', '[1]', true)"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO notifications (kind, recipient_id, subject, body, status, "
                    "created_at) VALUES ('custom', 10, 's', 'b', 'queued', CURRENT_TIMESTAMP)"
                )
            )
        upgrade(empty_database_url)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT timezone FROM mentor_profiles")).scalar_one() == (
                "Europe/Berlin"
            )
            row = conn.execute(
                text("SELECT notify_email, notify_in_app, timezone FROM users")
            ).one()
            assert bool(row[0]) and bool(row[1]) and row[2] is None
            assert conn.execute(text("SELECT attempts FROM notifications")).scalar_one() == 0
        command.downgrade(alembic_config(empty_database_url), "0005_coordination")
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM mentor_profiles")).scalar_one() == 1
            assert conn.execute(text("SELECT count(*) FROM notifications")).scalar_one() == 1
    finally:
        engine.dispose()

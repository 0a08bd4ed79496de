"""Demo seed: the promised accounts, spread of mentors and phases, determinism, CLI."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mentra_desktop.models import (
    AuditLog,
    CoordinationStatus,
    CouncilMentor,
    CouncilSession,
    CouncilSlot,
    CouncilSlotAnswer,
    MentorProfile,
    Notification,
    Registration,
    Role,
    User,
)
from mentra_platform.cli import main as cli_main
from mentra_platform.core.config import Settings
from mentra_platform.core.db import make_database
from mentra_platform.core.migrate import upgrade
from mentra_platform.core.security import password_hasher
from mentra_platform.seed import seed_demo


def test_seeded_accounts_and_spread(live_server: Any) -> None:
    with live_server.session() as s:
        council_user = s.get(User, 9)
        assert council_user is not None
        assert council_user.email == "council@example.com"
        assert council_user.plan is not None and council_user.plan.code == "council"
        assert council_user.plan.price_cents == 9900
        assert (council_user.plan.ai_messages, council_user.plan.human_sessions) == (500, 5)
        assert council_user.has_council_access
        first = {u.id: u for u in s.scalars(select(User).where(User.id < 9))}
        assert set(first) == set(range(1, 9))
        assert first[1].role == Role.ADMIN and first[2].role == Role.COORDINATOR
        assert (
            not s.scalars(select(User).where(User.email == "starter@example.com"))
            .one()
            .has_council_access
        )

        profiles = s.scalars(select(MentorProfile)).all()
        assert len(profiles) == 40
        assert len({p.timezone for p in profiles}) >= 6
        assert all(1 <= p.seniority <= 5 and p.expertise for p in profiles)

        phases = dict(
            s.execute(
                select(CouncilSession.coordination_status, func.count()).group_by(
                    CouncilSession.coordination_status
                )
            ).all()
        )
        assert set(phases) == set(CoordinationStatus)
        assert sum(phases.values()) == 60
        per_council = s.execute(
            select(CouncilSlot.council_id, func.count()).group_by(CouncilSlot.council_id)
        ).all()
        assert all(3 <= n <= 5 for _, n in per_council)
        seats = s.execute(
            select(CouncilMentor.council_id, func.count()).group_by(CouncilMentor.council_id)
        ).all()
        assert all(3 <= n <= 5 for _, n in seats)
        assert s.scalar(
            select(func.count())
            .select_from(CouncilSlotAnswer)
            .where(CouncilSlotAnswer.answer == "tentative")
        )
        assert s.scalar(
            select(func.count())
            .select_from(CouncilMentor)
            .where(CouncilMentor.conflict_notes != "")
        )
        alternatives = s.scalars(select(CouncilMentor.alternative_proposals)).all()
        assert any(alternatives)
        for model in (Registration, Notification, AuditLog):
            assert s.scalar(select(func.count()).select_from(model)), model
        confirmed = s.scalars(
            select(CouncilSession).where(CouncilSession.coordination_status == "confirmed")
        ).all()
        assert all(c.final_time_confirmed and c.final_slot_id and c.video_link for c in confirmed)


def _signature(session: Session) -> list[tuple[Any, ...]]:
    rows = session.execute(
        select(
            CouncilSession.topic,
            CouncilSession.coordination_status,
            CouncilSession.mentee_id,
            CouncilSession.lead_mentor_id,
            CouncilSession.final_slot_id,
        ).order_by(CouncilSession.id)
    ).all()
    return [tuple(r) for r in rows]


def _settings(url: str) -> Settings:
    return Settings(
        database_url=url,
        secret_key="k",
        argon2_time_cost=1,
        argon2_memory_cost=8,
        argon2_parallelism=1,
    )


def test_seed_is_deterministic(tmp_path: Path) -> None:
    now = datetime(2026, 11, 26, 12, tzinfo=UTC)
    signatures = []
    for name in ("a", "b"):
        settings = _settings(f"sqlite:///{tmp_path / name}.db")
        upgrade(settings.database_url)
        db = make_database(settings)
        try:
            with db.write() as session:
                seed_demo(session, password_hasher(settings), now=now)
                signatures.append(_signature(session))
                with pytest.raises(RuntimeError, match="empty database"):
                    seed_demo(session, password_hasher(settings), now=now)
        finally:
            db.dispose()
    assert signatures[0] == signatures[1]
    assert len(signatures[0]) == 60


def test_cli_seed_demo(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("MENTRA_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setattr("mentra_platform.core.config._settings", None)
    monkeypatch.setattr(
        "mentra_platform.core.security.password_hasher",
        lambda _settings: password_hasher(_settings_low()),
    )
    assert cli_main(["seed", "--demo"]) == 0
    assert "60 councils" in capsys.readouterr().out
    assert (tmp_path / "mentra.db").exists()
    secret = tmp_path / "secret_key"
    assert secret.stat().st_mode & 0o777 == 0o600
    assert cli_main(["seed", "--demo"]) == 1


def _settings_low() -> Settings:
    return _settings("sqlite://")

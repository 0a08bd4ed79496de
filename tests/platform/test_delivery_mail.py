"""Delivery by e-mail to a real SMTP server (aiosmtpd on 127.0.0.1), read back and parsed;
the one-click links in the mail work against the live server; retries, backoff, the
attempt log and the alert for an undeliverable message; ``.eml`` files without SMTP."""

from __future__ import annotations

import re
import stat
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import httpx
from delivery_helpers import free_port, smtp_server, text_part, with_smtp
from p2_helpers import COORD, MENTOR_IDS, invited_council, mentor_email
from sqlalchemy import select, update

from mentra_desktop.models import (
    CouncilMentor,
    Notification,
    NotificationKind,
    NotificationStatus,
    User,
    utcnow,
)
from mentra_platform.core.tables import Alert, AlertKind, NotificationAttempt
from mentra_platform.notifications.delivery import deliver_pending

LINK = re.compile(r"https?://\S+?(/r/[A-Za-z0-9._~-]+)")


def _council_notes(live_server: object, council_id: int) -> list[Notification]:
    with live_server.session() as s:  # type: ignore[attr-defined]
        return list(
            s.scalars(
                select(Notification)
                .where(Notification.council_id == council_id)
                .order_by(Notification.id)
            )
        )


def test_invitation_mail_arrives_and_its_links_work(
    live_server: object,
    client: httpx.Client,
    login: Callable[..., dict[str, str]],
    make_slots: Callable[..., list[dict[str, str]]],
) -> None:
    coord = login(client, COORD)
    council = invited_council(client, coord, make_slots())
    mentor = MENTOR_IDS[0]
    with smtp_server() as (inbox, port):
        settings = with_smtp(live_server.settings, port)  # type: ignore[attr-defined]
        report = deliver_pending(live_server.sessionmaker, settings, utcnow(), limit=10_000)  # type: ignore[attr-defined]
        assert report.sent >= 3 and report.failed == 0 and report.retried == 0
        mails = [m for m in inbox.to(mentor_email(mentor)) if "invitation" in m["Subject"].lower()]
    assert len(mails) == 1
    msg = mails[0]
    assert msg["From"] == "Mentra Councils <councils@mentra.example>"
    assert msg.get_content_type() == "multipart/alternative"
    note = next(
        n
        for n in _council_notes(live_server, council["id"])
        if n.recipient_id == mentor and n.kind == NotificationKind.INVITATION
    )
    assert msg["Message-ID"] == f"<notification-{note.id}@mentra.example>"
    assert note.status == NotificationStatus.SENT and note.sent_at is not None
    plain, html = text_part(msg), text_part(msg, "html")
    assert "UTC" in plain and "Proposed times" in plain
    paths = LINK.findall(plain)
    assert len(paths) == 6  # three slots, two answers each
    assert f'href="{live_server.settings.public_base_url}{paths[0]}"' in html  # type: ignore[attr-defined]
    # The first link ("I can make it" for the first slot) works against the live server.
    assert client.get(paths[0]).status_code == 200
    assert client.post(paths[0]).status_code == 200
    assert client.post(paths[0]).status_code == 410  # single use
    with live_server.session() as s:  # type: ignore[attr-defined]
        seat = s.scalars(
            select(CouncilMentor).where(
                CouncilMentor.council_id == council["id"], CouncilMentor.mentor_id == mentor
            )
        ).one()
        assert seat.slot_answers and seat.slot_answers[0].answer.value == "available"
        attempts = s.scalars(
            select(NotificationAttempt).where(NotificationAttempt.notification_id == note.id)
        ).all()
        assert {(a.channel, a.ok) for a in attempts} == {("email", True), ("in_app", True)}


def test_smtp_down_is_retried_with_backoff_then_failed_and_alerted(
    live_server: object,
    client: httpx.Client,
    login: Callable[..., dict[str, str]],
    make_slots: Callable[..., list[dict[str, str]]],
) -> None:
    coord = login(client, COORD)
    council = invited_council(client, coord, make_slots())
    with live_server.session() as s:  # type: ignore[attr-defined]
        # Only this council's messages are due; everything the seed queued is sent already.
        s.execute(
            update(Notification)
            .where(Notification.council_id != council["id"])
            .values(status=NotificationStatus.SENT)
        )
        s.commit()
    port = free_port()  # nothing listens: connection refused
    settings = with_smtp(live_server.settings, port, delivery_max_attempts=3)  # type: ignore[attr-defined]
    factory = live_server.sessionmaker  # type: ignore[attr-defined]
    t0 = utcnow()
    first = deliver_pending(factory, settings, t0)
    assert first.claimed == 3 and first.retried == 3 and first.sent == 0
    # Not due again before the backoff (60 s), due after it.
    assert deliver_pending(factory, settings, t0 + timedelta(seconds=59)).claimed == 0
    assert deliver_pending(factory, settings, t0 + timedelta(seconds=61)).retried == 3
    assert deliver_pending(factory, settings, t0 + timedelta(seconds=61 + 119)).claimed == 0
    # The third attempt fails too: the messages are given up on, with one alert each.
    last = deliver_pending(factory, settings, t0 + timedelta(seconds=61 + 121))
    assert last.failed == 3
    notes = _council_notes(live_server, council["id"])
    assert {n.status for n in notes} == {NotificationStatus.FAILED}
    assert {n.attempts for n in notes} == {3}
    with live_server.session() as s:  # type: ignore[attr-defined]
        ids = [n.id for n in notes]
        email_attempts = s.scalars(
            select(NotificationAttempt).where(
                NotificationAttempt.notification_id.in_(ids), NotificationAttempt.channel == "email"
            )
        ).all()
        assert len(email_attempts) == 9 and not any(a.ok for a in email_attempts)
        assert all("ConnectionRefused" in a.error for a in email_attempts)
        # in-app worked on the first attempt and was not repeated
        in_app = s.scalars(
            select(NotificationAttempt).where(
                NotificationAttempt.notification_id.in_(ids),
                NotificationAttempt.channel == "in_app",
            )
        ).all()
        assert len(in_app) == 3 and all(a.ok for a in in_app)
        alerts = s.scalars(
            select(Alert).where(Alert.kind == AlertKind.UNDELIVERABLE_NOTIFICATION)
        ).all()
        assert sorted(a.details["notificationId"] for a in alerts) == sorted(ids)
        assert all(a.council_id == council["id"] for a in alerts)
    # A further pass changes nothing: failed rows are not retried, the alert not repeated.
    assert deliver_pending(factory, settings, t0 + timedelta(days=1)).claimed == 0


def test_retry_succeeds_when_smtp_comes_back(
    live_server: object,
    client: httpx.Client,
    login: Callable[..., dict[str, str]],
    make_slots: Callable[..., list[dict[str, str]]],
) -> None:
    coord = login(client, COORD)
    council = invited_council(client, coord, make_slots())
    port = free_port()
    settings = with_smtp(live_server.settings, port)  # type: ignore[attr-defined]
    factory = live_server.sessionmaker  # type: ignore[attr-defined]
    t0 = utcnow()
    assert deliver_pending(factory, settings, t0, limit=10_000).sent == 0
    with smtp_server(port) as (inbox, _port):
        again = deliver_pending(factory, settings, t0 + timedelta(minutes=2), limit=10_000)
        assert again.sent == again.claimed > 0
        ours = [
            m for m in inbox.to(mentor_email(MENTOR_IDS[1])) if "invitation" in m["Subject"].lower()
        ]
    assert len(ours) == 1
    assert all(
        n.status == NotificationStatus.SENT for n in _council_notes(live_server, council["id"])
    )


def test_without_smtp_host_mail_is_written_as_private_eml_files(
    live_server: object,
    client: httpx.Client,
    login: Callable[..., dict[str, str]],
    make_slots: Callable[..., list[dict[str, str]]],
    tmp_path: Path,
) -> None:
    import email
    import email.policy

    coord = login(client, COORD)
    council = invited_council(client, coord, make_slots())
    folder = tmp_path / "data" / "mail"
    settings = replace(live_server.settings, smtp_host="", mail_dir=str(folder))  # type: ignore[attr-defined]
    deliver_pending(live_server.sessionmaker, settings, utcnow(), limit=10_000)  # type: ignore[attr-defined]
    note = next(
        n for n in _council_notes(live_server, council["id"]) if n.recipient_id == MENTOR_IDS[2]
    )
    path = folder / f"{note.id:08d}.eml"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert msg["To"].addresses[0].addr_spec == mentor_email(MENTOR_IDS[2])
    assert LINK.findall(text_part(msg))  # type: ignore[arg-type]


def test_channel_preferences_in_app_only_and_nothing_dropped(
    live_server: object,
    client: httpx.Client,
    login: Callable[..., dict[str, str]],
    make_slots: Callable[..., list[dict[str, str]]],
) -> None:
    coord = login(client, COORD)
    with live_server.session() as s:  # type: ignore[attr-defined]
        s.execute(update(User).where(User.id == MENTOR_IDS[0]).values(notify_email=False))
        s.execute(
            update(User)
            .where(User.id == MENTOR_IDS[1])
            .values(notify_email=False, notify_in_app=False)
        )
        s.commit()
    council = invited_council(client, coord, make_slots())
    with smtp_server() as (inbox, port):
        settings = with_smtp(live_server.settings, port)  # type: ignore[attr-defined]
        deliver_pending(live_server.sessionmaker, settings, utcnow(), limit=10_000)  # type: ignore[attr-defined]
        assert not inbox.to(mentor_email(MENTOR_IDS[0]))
        assert not inbox.to(mentor_email(MENTOR_IDS[1]))
        assert inbox.to(mentor_email(MENTOR_IDS[2]))
    notes = {n.recipient_id: n for n in _council_notes(live_server, council["id"])}
    assert all(n.status == NotificationStatus.SENT for n in notes.values())
    with live_server.session() as s:  # type: ignore[attr-defined]
        for mid in MENTOR_IDS[:2]:  # both still get the in-app copy
            channels = s.scalars(
                select(NotificationAttempt.channel).where(
                    NotificationAttempt.notification_id == notes[mid].id
                )
            ).all()
            assert channels == ["in_app"]


def test_concurrent_workers_send_each_message_once(
    live_server: object,
    client: httpx.Client,
    login: Callable[..., dict[str, str]],
    make_slots: Callable[..., list[dict[str, str]]],
) -> None:
    from collections import Counter
    from concurrent.futures import ThreadPoolExecutor

    from mentra_platform.core.db import make_database

    coord = login(client, COORD)
    for days in (5, 9, 13):
        invited_council(client, coord, make_slots(days=days))
    with live_server.session() as s:  # type: ignore[attr-defined]
        queued = s.scalars(
            select(Notification.id).where(Notification.status == NotificationStatus.QUEUED)
        ).all()
    with smtp_server() as (inbox, port):
        settings = with_smtp(live_server.settings, port)  # type: ignore[attr-defined]
        dbs = [make_database(settings) for _ in range(3)]
        now = utcnow()
        try:
            with ThreadPoolExecutor(3) as pool:
                reports = list(
                    pool.map(lambda d: deliver_pending(d.write, settings, now, limit=10_000), dbs)
                )
        finally:
            for d in dbs:
                d.dispose()
        ids = Counter(m["Message-ID"] for _f, _r, m in inbox.messages)
    assert sum(r.claimed for r in reports) == len(queued)
    assert max(ids.values()) == 1
    with live_server.session() as s:  # type: ignore[attr-defined]
        assert not s.scalars(
            select(Notification.id).where(Notification.status == NotificationStatus.QUEUED)
        ).all()

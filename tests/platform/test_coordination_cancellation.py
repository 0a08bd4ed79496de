"""Cancelling a council tells everyone who knew of it: after a confirmation the attendees,
the lead and the mentee, whose mail carries the invite's ``METHOD:CANCEL`` (same UID,
higher SEQUENCE), read back from a real SMTP server; before it every invited mentor and
the mentee, with no invite. SQLite and PostgreSQL."""

from __future__ import annotations

import re
from datetime import timedelta
from email.message import EmailMessage

from coordination_helpers import T0, council, make_council, notes, settings_for
from delivery_helpers import Inbox, calendar_part, smtp_server, text_part, with_smtp
from sqlalchemy import select

from mentra_desktop.models import CoordinationStatus, Notification, User
from mentra_platform.coordination.worker import run_pass
from mentra_platform.core.db import Database
from mentra_platform.councils import service as councils
from mentra_platform.notifications.delivery import deliver_pending

P = CoordinationStatus
A, U = "available", "unavailable"


def _cancel(db: Database, cid: int, reason: str, at: object) -> None:
    with db.write() as s:
        tag = f'"{council(db, cid).version}"'
        councils.cancel(s, s.get_one(User, 2), cid, reason, tag, at)  # type: ignore[arg-type]
        s.commit()


def _email(db: Database, uid: int) -> str:
    with db.read() as s:
        return s.scalars(select(User.email).where(User.id == uid)).one()


def _mails(db: Database, inbox: Inbox, cid: int, uid: int, kind: str) -> list[EmailMessage]:
    """The mail of this council's ``kind`` notifications to ``uid`` (by Message-ID)."""
    with db.read() as s:
        ids = s.scalars(
            select(Notification.id).where(
                Notification.council_id == cid,
                Notification.recipient_id == uid,
                Notification.kind == kind,
            )
        ).all()
    wanted = {f"<notification-{i}@mentra.example>" for i in ids}
    return [m for m in inbox.to(_email(db, uid)) if m["Message-ID"] in wanted]


def _ics_field(ics: str, name: str) -> str:
    found = re.search(rf"^{name}[:;](.*)$", ics.replace("\r\n ", ""), re.MULTILINE)
    assert found, f"no {name} in the invite"
    return found.group(1).strip()


def test_cancelling_a_confirmed_council_sends_method_cancel_to_attendees_lead_and_mentee(
    db: Database, database_url: str
) -> None:
    settings = settings_for(database_url)
    deadline = T0 + timedelta(hours=48)
    with db.write() as s:
        cid, slots = make_council(
            s,
            [10, 11, 12, 13],
            start=T0 + timedelta(days=40),
            deadline=deadline,
            lead=10,
            answers={10: [A, U, U], 11: [A, U, U], 12: [A, U, U], 13: [U, U, U]},
        )
        s.commit()
    run_pass(db, settings, deadline, deliver_messages=False)
    c = council(db, cid)
    assert c.coordination_status == P.CONFIRMED and c.final_slot_id == slots[0]
    assert c.invite_sequence == 1
    assert notes(db, cid, "cancellation") == []
    with smtp_server() as (inbox, port):
        smtp = with_smtp(settings, port)
        # The confirmation (METHOD:REQUEST) is delivered while the council is confirmed.
        assert deliver_pending(db.write, smtp, deadline, limit=10_000).failed == 0
        _cancel(db, cid, "the mentee asked", deadline + timedelta(hours=1))
        assert council(db, cid).invite_sequence == 2
        # Mentor 13 never attended: no cancellation for them.
        assert notes(db, cid, "cancellation") == [9, 10, 11, 12]
        report = deliver_pending(db.write, smtp, deadline + timedelta(hours=1), limit=10_000)
        assert report.failed == 0 and report.sent >= 4
        for uid in (9, 10, 11, 12):
            confirmed = _mails(db, inbox, cid, uid, "confirmation")
            cancelled = _mails(db, inbox, cid, uid, "cancellation")
            assert len(confirmed) == 1 and len(cancelled) == 1, uid
            assert "the mentee asked" in text_part(cancelled[0])
            assert "UTC" in text_part(cancelled[0])
            request, cancel = calendar_part(confirmed[0]), calendar_part(cancelled[0])
            assert request is not None and cancel is not None
            assert cancel.get_param("method") == "CANCEL"
            ics = cancel.get_content()
            ics = ics if isinstance(ics, str) else ics.decode()
            first = request.get_content()
            first = first if isinstance(first, str) else first.decode()
            assert _ics_field(ics, "METHOD") == "CANCEL"
            assert _ics_field(ics, "SEQUENCE") == "2"
            assert _ics_field(first, "SEQUENCE") == "1"
            assert _ics_field(ics, "UID") == _ics_field(first, "UID")
        assert not _mails(db, inbox, cid, 13, "cancellation")


def test_cancelling_while_collecting_tells_every_invited_mentor_without_an_invite(
    db: Database, database_url: str
) -> None:
    settings = settings_for(database_url)
    deadline = T0 + timedelta(hours=48)
    with db.write() as s:
        cid, _ = make_council(
            s, [10, 11, 12], start=T0 + timedelta(days=40), deadline=deadline, lead=10
        )
        s.commit()
    _cancel(db, cid, "", T0 + timedelta(hours=1))
    assert notes(db, cid, "cancellation") == [9, 10, 11, 12]
    with smtp_server() as (inbox, port):
        deliver_pending(db.write, with_smtp(settings, port), T0 + timedelta(hours=1), limit=10_000)
        mails = _mails(db, inbox, cid, 11, "cancellation")
    assert len(mails) == 1 and calendar_part(mails[0]) is None
    run_pass(db, settings, deadline + timedelta(hours=1), deliver_messages=False)
    assert council(db, cid).coordination_status == P.CANCELLED

"""The worker's set-based deadline pass decides as the council document does, and never
books one mentor twice, also between councils of one batch. SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from coordination_helpers import T0, make_council, settings_for
from sqlalchemy import func, select, text, update

from mentra_desktop.models import (
    ChangeEvent,
    CoordinationStatus,
    CouncilMentor,
    CouncilSession,
    CouncilSlot,
    CouncilSlotAnswer,
    MentorProfile,
)
from mentra_desktop.scheduling.selection import select as engine_select
from mentra_platform.coordination.batch_inputs import (
    BusyIndex,
    batch_busy,
    engine_request,
    load_batch,
)
from mentra_platform.coordination.engine import decide
from mentra_platform.coordination.service import OPEN, confirm_slot, notice
from mentra_platform.coordination.worker import PassReport, decide_deadlines, run_pass
from mentra_platform.core.db import Database, make_database
from mentra_platform.councils.phases import Trigger

P = CoordinationStatus
A, T, U = "available", "tentative", "unavailable"


def test_a_batch_decides_every_kind_of_input_as_the_council_document(
    db: Database, database_url: str
) -> None:
    """Partial ranges, alternative proposals, a mentor without a profile, a busy mentor (a
    confirmed council over a slot), pending answers, a lead: the batch's engine request
    gives the same decision, ranking, explanation and alternatives as the rendered
    document (``GET /councils/{id}/decision``'s input)."""
    settings = settings_for(database_url)
    deadline = T0 + timedelta(hours=48)
    start = T0 + timedelta(days=20)
    now = deadline + timedelta(minutes=1)
    with db.write() as s:
        booked, _ = make_council(
            s,
            [10, 11, 12],
            start=start,
            deadline=T0 + timedelta(hours=1),
            answers={m: [A, U, U] for m in (10, 11, 12)},
        )
        s.commit()
    run_pass(db, settings, T0 + timedelta(hours=2), deliver_messages=False)
    with db.write() as s:
        assert s.get_one(CouncilSession, booked).coordination_status == P.CONFIRMED
        ids = [
            make_council(
                s,
                [10, 13, 14, 15],
                start=start,
                deadline=deadline,
                lead=10,
                answers={10: [A, A, U], 13: [A, T, A], 14: [T, A, A], 15: [A, U, A]},
            )[0],
            make_council(
                s,
                [16, 17, 18],
                start=start + timedelta(days=1),
                deadline=deadline,
                lead=17,
                answers={16: [U, U, U], 17: [U, U, T], 18: [U, A, U]},
            )[0],
            make_council(
                s,
                [19, 20, 21, 22],
                start=start + timedelta(days=2),
                deadline=deadline,
                answers={19: [A, A, A], 20: [T, A, A]},
            )[0],
        ]
        seats = {
            (cm.council_id, cm.mentor_id): cm
            for cm in s.scalars(select(CouncilMentor).where(CouncilMentor.council_id.in_(ids)))
        }
        slots = {
            sl.council_id: sl
            for sl in s.scalars(
                select(CouncilSlot).where(
                    CouncilSlot.council_id.in_(ids), CouncilSlot.position == 1
                )
            )
        }
        # A tentative answer with a partial range inside slot 1, and alternative proposals.
        s.execute(
            update(CouncilSlotAnswer)
            .where(
                CouncilSlotAnswer.council_mentor_id == seats[(ids[0], 13)].id,
                CouncilSlotAnswer.slot_id == slots[ids[0]].id,
            )
            .values(
                partial_ranges=[
                    [
                        slots[ids[0]].starts_at.isoformat(),
                        (slots[ids[0]].starts_at + timedelta(minutes=30)).isoformat(),
                    ]
                ]
            )
        )
        seats[(ids[1], 16)].alternative_proposals = [
            [(now + timedelta(days=3)).isoformat(), (now + timedelta(days=3, hours=3)).isoformat()]
        ]
        s.execute(
            update(MentorProfile).where(MentorProfile.user_id == 21).values(timezone="Asia/Kolkata")
        )
        s.delete(s.get_one(MentorProfile, 22))
        s.commit()
    wait = notice(settings)
    with db.read() as s:
        reference = decide(s, ids, now, wait)
        batch = load_batch(s, ids)
        index = BusyIndex(batch_busy(s, batch.values(), now))
        for cid in ids:
            council = batch[cid]
            got = engine_select(engine_request(council, index.for_council(council, now), now, wait))
            want = reference[cid].decision
            assert want is not None
            assert got == want, cid
    # Mentor 10 attends the confirmed council's first slot, which is this one's first too.
    first = reference[ids[0]].decision
    slot0 = str(batch[ids[0]].slots[0].id)
    assert first is not None
    assert "10" in next(r for r in first.explanation.rows if r.slot_id == slot0).busy
    assert first.slot != slot0
    needs = reference[ids[1]].decision
    assert needs is not None and needs.status.value == "needs_alternatives" and needs.alternatives


def test_councils_of_one_batch_never_book_a_mentor_twice(db: Database, database_url: str) -> None:
    """Three councils with the same mentors and the same times, everyone available: the
    first takes the first slot, the second the next free one, the third has none left that
    reaches its minimum. Nobody is in two overlapping confirmed sessions."""
    settings = settings_for(database_url)
    deadline = T0 + timedelta(hours=48)
    start = T0 + timedelta(days=30)
    with db.write() as s:
        ids = [
            make_council(
                s,
                [10, 11, 12],
                start=start,
                deadline=deadline,
                answers={m: answers for m in (10, 11, 12)},
            )[0]
            for answers in ([A, A, U], [A, A, U], [A, A, U])
        ]
        s.commit()
        before = {
            c.id: c.version
            for c in s.scalars(select(CouncilSession).where(CouncilSession.id.in_(ids)))
        }
    report = run_pass(db, settings, deadline + timedelta(minutes=1), deliver_messages=False)
    assert report.errors == 0
    with db.read() as s:
        councils = [s.get_one(CouncilSession, cid) for cid in ids]
        # Sync, SSE and ETags see the bulk confirmation: the council's cursor is its
        # council.confirmed event, its version moved.
        for c in councils[:2]:
            event = s.scalar(
                select(func.max(ChangeEvent.seq)).where(
                    ChangeEvent.council_id == c.id, ChangeEvent.kind == "council.confirmed"
                )
            )
            assert c.change_seq == event and c.version > before[c.id]
        finals = [next((sl for sl in c.slots if sl.id == c.final_slot_id), None) for c in councils]
        assert [c.coordination_status for c in councils[:2]] == [P.CONFIRMED, P.CONFIRMED]
        assert finals[0] is not None and finals[1] is not None
        assert (finals[0].position, finals[1].position) == (0, 1)
        assert councils[2].coordination_status != P.CONFIRMED
        sessions = [
            (cm.mentor_id, sl.starts_at, sl.ends_at)
            for c, sl in zip(councils, finals, strict=True)
            if sl is not None
            for cm in c.mentors
            if cm.attending
        ]
    for i, (m, s1, e1) in enumerate(sessions):
        for m2, s2, e2 in sessions[i + 1 :]:
            assert not (m == m2 and s1 < e2 and s2 < e1), "double-booked"


def test_concurrent_workers_never_book_a_mentor_twice(db: Database, database_url: str) -> None:
    """Sixteen councils with the same three mentors at the same three times, everyone
    available, two workers at once in batches of four: whichever plans first, exactly three
    councils are confirmed, one per time, and the rest are not. On PostgreSQL the second
    worker finds the first one's bookings when it takes the mentors' locks and plans
    again."""
    settings = settings_for(database_url)
    deadline = T0 + timedelta(hours=48)
    start = T0 + timedelta(days=30)
    with db.write() as s:
        ids = [
            make_council(
                s,
                [10, 11, 12],
                start=start,
                deadline=deadline,
                answers={m: [A, A, A] for m in (10, 11, 12)},
            )[0]
            for _ in range(16)
        ]
        s.commit()
    barrier = threading.Barrier(2)
    errors: list[int] = []

    def work() -> None:
        own = make_database(settings)
        try:
            barrier.wait()
            report = PassReport()
            decide_deadlines(own, settings, deadline + timedelta(minutes=1), report, batch=4)
            errors.append(report.errors)
        finally:
            own.dispose()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == [0, 0]
    with db.read() as s:
        confirmed = s.execute(
            select(CouncilSession.id, CouncilSlot.position)
            .join(CouncilSlot, CouncilSlot.id == CouncilSession.final_slot_id)
            .where(
                CouncilSession.id.in_(ids),
                CouncilSession.coordination_status == P.CONFIRMED,
            )
        ).all()
        open_left = s.scalar(
            select(func.count()).where(
                CouncilSession.id.in_(ids), CouncilSession.coordination_status.in_(OPEN)
            )
        )
    assert sorted(pos for _, pos in confirmed) == [0, 1, 2]
    assert open_left == 16 - 3  # the others went on to alternatives (rescheduling)


def test_a_booking_committed_while_a_batch_plans_makes_it_plan_again(
    db: Database, database_url: str
) -> None:
    """PostgreSQL: a coordinator's confirmation holds the mentors' locks while a worker
    plans its batch on what was committed before. The worker's plan takes the same time;
    when it gets the locks it finds the new booking, plans again and takes the next time."""
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite's write lock keeps the worker out from its first read")
    settings = settings_for(database_url)
    deadline = T0 + timedelta(hours=48)
    start = T0 + timedelta(days=30)
    now = deadline + timedelta(minutes=1)
    with db.write() as s:
        booked, booked_slots = make_council(
            s, [10, 11, 12], start=start, deadline=deadline + timedelta(days=1)
        )
        batch, _ = make_council(
            s,
            [10, 11, 12],
            start=start,
            deadline=deadline,
            answers={m: [A, A, U] for m in (10, 11, 12)},
        )
        s.commit()
    done: list[PassReport] = []

    def work() -> None:
        own = make_database(settings)
        try:
            report = PassReport()
            decide_deadlines(own, settings, now, report)
            done.append(report)
        finally:
            own.dispose()

    worker = threading.Thread(target=work)
    with db.write() as s:
        council = s.get_one(CouncilSession, booked)
        confirm_slot(s, council, booked_slots[0], [10, 11, 12], Trigger.CONFIRM, "by hand", now)
        worker.start()
        waiting = 0
        for _ in range(400):  # until the worker waits for the mentors' locks (≤ 20 s)
            with db.probe_engine.connect() as probe:  # its own snapshot of the activity
                waiting = probe.scalar(
                    text(
                        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                        "AND datname = current_database()"
                    )
                )
            if waiting:
                break
            worker.join(timeout=0.05)
        assert waiting, "the worker never waited for the mentors"
        s.commit()
    worker.join(timeout=60)
    assert done and done[0].errors == 0
    with db.read() as s:
        c = s.get_one(CouncilSession, batch)
        final = next(sl for sl in c.slots if sl.id == c.final_slot_id)
    assert c.coordination_status == P.CONFIRMED and final.position == 1

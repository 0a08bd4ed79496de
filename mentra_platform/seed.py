"""Deterministic demo data (``mentra-platform seed --demo``), relative to "now".

Users 1–8: admin, coordinator and six mentees (three without the Council plan);
user 9 is **council@example.com / password123** on the Council plan; users 10–49 are
mentor1…mentor40@example.com across ten IANA time zones. ~60 councils cover every
coordination phase with slots, per-slot answers (some partial), alternatives, conflict
notes, registrations, notifications and audit rows. Every account's password is
``password123`` (the demo accounts share one argon2 hash, which keeps seeding fast).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from mentra_desktop.models import (
    AuditLog,
    AvailabilityResponse,
    CoordinationStatus,
    CouncilMentor,
    CouncilSession,
    CouncilSlot,
    CouncilSlotAnswer,
    MentorProfile,
    Notification,
    NotificationKind,
    NotificationStatus,
    Plan,
    Registration,
    Role,
    SlotAnswerValue,
    User,
    utcnow,
)
from mentra_platform.assignment.matching import topic_match
from mentra_platform.core.changes import record_change

DEMO_PASSWORD = "password123"
SEED = 20261126

PLANS = [
    # id, code, name, price_cents, ai_messages, human_sessions, council_access
    (1, "free", "Free", 0, 20, 0, False),
    (2, "starter", "Starter", 1900, 100, 1, False),
    (3, "pro", "Pro", 4900, 300, 2, False),
    (4, "council", "Council", 9900, 500, 5, True),
]

STAFF_AND_MENTEES = [
    # id, email, name, role, plan code
    (1, "admin@example.com", "Ada Admin", Role.ADMIN, None),
    (2, "coordinator@example.com", "Cora Coordinator", Role.COORDINATOR, None),
    (3, "starter@example.com", "Sam Starter", Role.MENTEE, "starter"),
    (4, "free@example.com", "Fran Free", Role.MENTEE, "free"),
    (5, "pro@example.com", "Pat Pro", Role.MENTEE, "pro"),
    (6, "amara.okafor@example.com", "Amara Okafor", Role.MENTEE, "council"),
    (7, "lucas.meyer@example.com", "Lucas Meyer", Role.MENTEE, "council"),
    (8, "priya.nair@example.com", "Priya Nair", Role.MENTEE, "council"),
    (9, "council@example.com", "Casey Council", Role.MENTEE, "council"),
]
COUNCIL_MENTEES = [9, 9, 9, 6, 7, 8]
MENTEE_ZONES = {6: "Africa/Lagos", 7: "Europe/Berlin", 8: "Asia/Kolkata"}
"""Mentees who set their time zone (Casey Council, user 9, never did: shown in yours)."""

MON_FRI, MON_SAT = [1, 2, 3, 4, 5], [1, 2, 3, 4, 5, 6]
TIMEZONES = [
    # zone, work start, work end (at or before the start: overnight), ISO working days
    ("America/Los_Angeles", "08:00", "16:00", MON_FRI),
    ("America/New_York", "09:00", "17:00", MON_FRI),
    ("America/Sao_Paulo", "09:00", "18:00", MON_FRI),
    ("Europe/London", "09:00", "17:30", MON_FRI),
    ("Europe/Berlin", "08:30", "17:00", MON_FRI),
    ("Africa/Lagos", "09:00", "17:00", MON_FRI),
    ("Asia/Kolkata", "10:00", "19:00", MON_SAT),
    ("Asia/Singapore", "09:00", "18:00", MON_FRI),
    ("Asia/Tokyo", "09:30", "18:30", MON_FRI),
    ("Australia/Sydney", "08:00", "16:30", MON_FRI),
]
NIGHT_OWL = (40, "20:00", "04:00", [7, 1, 2, 3, 4])
"""mentor40 works Sydney nights, Sunday to Thursday: the overnight case in the demo data."""

FIRST = [
    "Maya", "Noah", "Ines", "Kenji", "Olu", "Sofia", "Arjun", "Lena", "Mateo", "Hana",
    "Tomas", "Zara", "Felix", "Aiko", "Diego", "Nia", "Oskar", "Leila", "Ravi", "Chloe",
]  # fmt: skip
LAST = [
    "Alvarez", "Brennan", "Chen", "Dubois", "Eze", "Fischer", "Gupta", "Haddad", "Ito",
    "Jansen", "Kowalski", "Larsen", "Moreau", "Nakamura", "Osei", "Petrov", "Quinn", "Rossi",
]  # fmt: skip


def _headline_words(tag: str) -> str:
    """A demo headline's first words: 'ux design' reads "UX design", 'devops' "DevOps"."""
    spelled = {"ux": "UX", "devops": "DevOps"}
    words = [spelled.get(w, w) for w in tag.split()]
    return " ".join([words[0][:1].upper() + words[0][1:], *words[1:]])


EXPERTISE = [
    "product management", "fundraising", "machine learning", "data engineering",
    "go-to-market", "marketing", "sales", "ux design", "leadership", "career change",
    "python", "cloud architecture", "security", "finance", "hiring", "negotiation",
    "public speaking", "startups", "mobile", "devops",
]  # fmt: skip

TOPICS = [
    ("Raising a seed round for a B2B SaaS", "fundraising startups finance"),
    ("From engineer to engineering manager", "leadership hiring career change"),
    ("Pricing strategy for a developer tool", "go-to-market sales product management"),
    ("Scaling a data platform past 10 TB", "data engineering cloud architecture"),
    ("Launching an ML feature responsibly", "machine learning product management security"),
    ("Career change into UX design", "ux design career change"),
    ("Building a first sales team", "sales hiring leadership"),
    ("Negotiating a senior offer", "negotiation career change"),
    ("Zero-trust security for a startup", "security cloud architecture devops"),
    ("Mobile app retention playbook", "mobile marketing product management"),
    ("Speaking at your first conference", "public speaking marketing"),
    ("Python service performance review", "python devops cloud architecture"),
    ("Board meetings for first-time founders", "startups leadership finance"),
    ("Hiring your first ten engineers", "hiring leadership startups"),
    ("Product-led growth experiments", "go-to-market product management marketing"),
]

PHASES = (
    [CoordinationStatus.DRAFT] * 6
    + [CoordinationStatus.COLLECTING] * 16
    + [CoordinationStatus.SELECTING] * 8
    + [CoordinationStatus.CONFIRMED] * 14
    + [CoordinationStatus.NEEDS_ALTERNATIVES] * 6
    + [CoordinationStatus.RESCHEDULING] * 5
    + [CoordinationStatus.CANCELLED] * 5
)


@dataclass(frozen=True)
class SeedSummary:
    users: int
    mentors: int
    councils: int


def is_empty(session: Session) -> bool:
    return not session.scalar(select(func.count(User.id)))


def _fix_sequences(session: Session) -> None:
    """Explicit ids do not advance PostgreSQL sequences; move them past the max."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for table in ("plans", "users"):
        session.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
            )
        )


def seed_demo(session: Session, hasher: PasswordHasher, now: datetime | None = None) -> SeedSummary:
    """Fill an empty database with the demo data and commit. Refuses a non-empty one."""
    if not is_empty(session):
        raise RuntimeError("database already has users; demo seed needs an empty database")
    now = (now or utcnow()).replace(minute=0, second=0, microsecond=0)
    rng = random.Random(SEED)
    password_hash = hasher.hash(DEMO_PASSWORD)

    plans = {}
    for pid, code, name, price, ai, human, council in PLANS:
        plans[code] = Plan(
            id=pid,
            code=code,
            name=name,
            price_cents=price,
            ai_messages=ai,
            human_sessions=human,
            council_access=council,
        )
        session.add(plans[code])
    for uid, email, name, role, plan_code in STAFF_AND_MENTEES:
        session.add(
            User(
                id=uid,
                email=email,
                full_name=name,
                role=role,
                password_hash=password_hash,
                plan=plans[plan_code] if plan_code else None,
                timezone=MENTEE_ZONES.get(uid),
                created_at=now - timedelta(days=200 - uid),
            )
        )
    mentor_ids: list[int] = []
    profiles: dict[int, MentorProfile] = {}
    for n in range(1, 41):
        uid = 9 + n
        tz, start, end, days = TIMEZONES[(n - 1) % len(TIMEZONES)]
        if n == NIGHT_OWL[0]:
            start, end, days = NIGHT_OWL[1:]
        name = f"{FIRST[(n * 7) % len(FIRST)]} {LAST[(n * 5) % len(LAST)]}"
        session.add(
            User(
                id=uid,
                email=f"mentor{n}@example.com",
                full_name=name,
                role=Role.MENTOR,
                password_hash=password_hash,
                created_at=now - timedelta(days=300 - n),
            )
        )
        tags = rng.sample(EXPERTISE, k=rng.randint(2, 4))
        profiles[uid] = MentorProfile(
            user_id=uid,
            headline=f"{_headline_words(tags[0])} mentor",
            expertise=tags,
            seniority=rng.randint(1, 5),
            timezone=tz,
            work_start=start,
            work_end=end,
            working_days=list(days),
            active=n % 13 != 0,
        )
        session.add(profiles[uid])
        mentor_ids.append(uid)
    session.flush()
    _fix_sequences(session)

    phases = list(PHASES)
    rng.shuffle(phases)
    booked: dict[int, list[tuple[datetime, datetime]]] = {}
    for index, phase in enumerate(phases):
        _seed_council(session, rng, now, index, phase, mentor_ids, profiles, booked)
    session.commit()
    return SeedSummary(users=9 + len(mentor_ids), mentors=len(mentor_ids), councils=len(phases))


def _unbooked(
    chosen: list[int],
    ranked: list[int],
    slot: CouncilSlot,
    booked: dict[int, list[tuple[datetime, datetime]]],
) -> list[int]:
    """``chosen`` with every mentor already booked over ``slot`` replaced by the next free
    one in ``ranked``; books the result."""

    def free(mentor_id: int) -> bool:
        return all(
            not (a < slot.ends_at and slot.starts_at < b) for a, b in booked.get(mentor_id, [])
        )

    spares = iter(m for m in ranked if m not in chosen and free(m))
    result = [m if free(m) else next(spares) for m in chosen]
    for mentor_id in result:
        booked.setdefault(mentor_id, []).append((slot.starts_at, slot.ends_at))
    return result


def _seed_council(
    session: Session,
    rng: random.Random,
    now: datetime,
    index: int,
    phase: CoordinationStatus,
    mentor_ids: list[int],
    profiles: dict[int, MentorProfile],
    booked: dict[int, list[tuple[datetime, datetime]]],
) -> None:
    """One council; ``booked`` holds each mentor's confirmed sessions, never double-booked."""
    topic, keywords = TOPICS[index % len(TOPICS)]
    mentee_id = COUNCIL_MENTEES[index % len(COUNCIL_MENTEES)]
    created = now - timedelta(days=rng.randint(3, 20), hours=rng.randint(0, 23))
    past = phase in (CoordinationStatus.CONFIRMED, CoordinationStatus.CANCELLED) and index % 3 == 0
    base_day = now + timedelta(days=(-rng.randint(2, 10) if past else rng.randint(3, 21)))
    if past:  # created, invited, answered and confirmed (or cancelled) before its slots
        created = min(created, base_day - timedelta(days=6))
    n_slots = rng.randint(3, 5)
    hours = sorted(rng.sample(range(6, 20), n_slots))
    slots = [
        CouncilSlot(
            position=i + 1,
            starts_at=base_day.replace(hour=h),
            ends_at=base_day.replace(hour=h) + timedelta(hours=1),
            priority_score=round(rng.uniform(0.2, 1.0), 2),
        )
        for i, h in enumerate(hours)
    ]
    minimum = rng.choice([3, 3, 3, 4])
    maximum = rng.choice([m for m in (3, 4, 5) if m >= minimum])
    council = CouncilSession(
        topic=topic if index < len(TOPICS) else f"{topic} (cohort {index // len(TOPICS) + 1})",
        description=f"Mentee wants a council on: {keywords}.",
        mentee_id=mentee_id,
        created_by_id=2 if index % 4 else 1,
        mentor_minimum=minimum,
        mentor_maximum=maximum,
        coordination_status=phase,
        created_at=created,
        updated_at=created,
        slots=slots,
    )
    session.add(council)
    session.flush()

    wanted = set(keywords.split())
    ranked = sorted(
        mentor_ids,
        key=lambda m: (
            -len(wanted & set(" ".join(profiles[m].expertise).split())),
            rng.random(),
        ),
    )
    chosen = [] if phase == CoordinationStatus.DRAFT else ranked[: rng.randint(minimum, maximum)]
    if chosen:
        council.lead_mentor_id = chosen[0]
        council.mark_invitations_sent(created + timedelta(hours=2))
        if phase == CoordinationStatus.COLLECTING:
            council.mentor_response_deadline = now + timedelta(hours=rng.randint(6, 70))
        elif phase in (CoordinationStatus.SELECTING, CoordinationStatus.NEEDS_ALTERNATIVES):
            deadline = council.mentor_response_deadline  # passed: that is why it moved on
            assert deadline is not None
            council.mentor_response_deadline = min(deadline, now - timedelta(hours=2))
    if phase == CoordinationStatus.DRAFT:
        council.coordinator_notes = "Waiting for mentor assignment."

    final_slot = slots[rng.randrange(len(slots))]
    if phase == CoordinationStatus.CONFIRMED:
        chosen = _unbooked(chosen, ranked, final_slot, booked)
        council.lead_mentor_id = chosen[0]
    for pos, mentor_id in enumerate(chosen):
        cm = CouncilMentor(
            mentor_id=mentor_id,
            is_lead=pos == 0,
            expertise_match=topic_match(council.topic, profiles[mentor_id].expertise),
            notification_sent=True,
            created_at=created + timedelta(hours=2),
        )
        council.mentors.append(cm)
        session.flush()
        answered = phase != CoordinationStatus.COLLECTING or rng.random() < 0.55
        if not answered:
            cm.reminder_count = rng.randint(0, 2)
            if cm.reminder_count:
                cm.last_reminder_sent = now - timedelta(hours=rng.randint(1, 20))
            for slot in slots:
                session.add(CouncilSlotAnswer(council_mentor_id=cm.id, slot_id=slot.id))
            continue
        cm.response_date = created + timedelta(hours=rng.randint(3, 60))
        answers = []
        for slot in slots:
            if phase == CoordinationStatus.NEEDS_ALTERNATIVES:
                value = rng.choice([SlotAnswerValue.UNAVAILABLE] * 3 + [SlotAnswerValue.TENTATIVE])
            elif slot is final_slot and phase in (
                CoordinationStatus.CONFIRMED,
                CoordinationStatus.RESCHEDULING,
            ):
                value = SlotAnswerValue.AVAILABLE
            else:
                value = rng.choice(
                    [SlotAnswerValue.AVAILABLE] * 3
                    + [SlotAnswerValue.TENTATIVE, SlotAnswerValue.UNAVAILABLE]
                )
            partial: list[list[str]] = []
            if value == SlotAnswerValue.TENTATIVE:
                partial = [
                    [
                        slot.starts_at.isoformat(),
                        (slot.starts_at + timedelta(minutes=30)).isoformat(),
                    ]
                ]
                cm.available_time_slots = {**cm.available_time_slots, str(slot.id): partial}
            answers.append(value)
            session.add(
                CouncilSlotAnswer(
                    council_mentor_id=cm.id,
                    slot_id=slot.id,
                    answer=value,
                    partial_ranges=partial,
                    answered_at=cm.response_date,
                )
            )
        if all(a == SlotAnswerValue.UNAVAILABLE for a in answers):
            cm.availability_response = AvailabilityResponse.UNAVAILABLE
            cm.conflict_notes = rng.choice(
                ["Travelling that week.", "Quarter-end close.", "Conference keynote."]
            )
        elif SlotAnswerValue.AVAILABLE in answers:
            cm.availability_response = AvailabilityResponse.AVAILABLE
        else:
            cm.availability_response = AvailabilityResponse.TENTATIVE
        if phase == CoordinationStatus.NEEDS_ALTERNATIVES or rng.random() < 0.1:
            alt = base_day + timedelta(days=rng.randint(1, 4), hours=rng.randint(0, 3))
            cm.alternative_proposals = [[alt.isoformat(), (alt + timedelta(hours=1)).isoformat()]]
        if phase == CoordinationStatus.CONFIRMED:
            cm.attending = True

    if phase in (CoordinationStatus.CONFIRMED, CoordinationStatus.RESCHEDULING):
        council.final_slot_id = final_slot.id
        council.final_time_confirmed = phase == CoordinationStatus.CONFIRMED
        council.video_link = f"https://meet.example.com/council-{council.id}"
        if phase == CoordinationStatus.RESCHEDULING:
            council.coordinator_notes = "Lead mentor had an emergency; collecting new times."
    if phase == CoordinationStatus.NEEDS_ALTERNATIVES:
        council.coordinator_notes = "Fewer than the minimum available; review alternatives."
    _seed_history(session, council, phase, index, now)

    if phase != CoordinationStatus.DRAFT:
        session.add(
            Registration(
                council_id=council.id,
                user_id=mentee_id,
                goals="Get concrete next steps on " + topic.lower() + ".",
                questions="What would you do in my first 90 days?",
                created_at=created + timedelta(hours=1),
            )
        )
    for cm in council.mentors:
        session.add(
            Notification(
                kind=NotificationKind.INVITATION,
                recipient_id=cm.mentor_id,
                council_id=council.id,
                subject=f"Council invitation: {council.topic}",
                body="Please answer for each proposed slot.",
                status=NotificationStatus.SENT,
                created_at=created + timedelta(hours=2),
                sent_at=created + timedelta(hours=2, minutes=1),
            )
        )
        if cm.reminder_count:
            session.add(
                Notification(
                    kind=NotificationKind.REMINDER,
                    recipient_id=cm.mentor_id,
                    council_id=council.id,
                    subject=f"Reminder: {council.topic}",
                    body="We still need your availability.",
                    status=NotificationStatus.QUEUED,
                    created_at=now - timedelta(hours=1),
                )
            )
    if phase == CoordinationStatus.CONFIRMED:
        session.add(
            Notification(
                kind=NotificationKind.CONFIRMATION,
                recipient_id=mentee_id,
                council_id=council.id,
                subject=f"Confirmed: {council.topic}",
                body=f"Your council is at {final_slot.starts_at.isoformat()}.",
                status=NotificationStatus.SENT,
                created_at=created + timedelta(days=2),
                sent_at=created + timedelta(days=2),
            )
        )
    session.flush()
    record_change(session, council_id=council.id, kind="council.created")


def _move(
    session: Session,
    council: CouncilSession,
    source: str,
    target: str,
    at: datetime,
    cause: str,
) -> None:
    """Audit one phase move as the platform does (the council document's ``phaseHistory``)."""
    action, actor, reason = {
        "invitations": ("council.invitations_sent", 2, ""),
        "deadline": ("council.phase_changed", None, "the response deadline passed"),
        "answer": ("council.phase_changed", None, "every mentor answered: confirmed at once"),
        "confirm": ("council.confirmed", 2, "Most mentors available, lead included."),
        "override": ("council.overridden", 1, "Lead mentor unavailable after confirmation."),
        "cancel": ("council.cancelled", 2, "Mentee asked to cancel."),
    }[cause]
    after: dict[str, object] = {"coordinationStatus": target}
    if action == "council.phase_changed" or action == "council.invitations_sent":
        after["trigger"] = cause
    if target == CoordinationStatus.CONFIRMED:
        after["finalSlotId"] = council.final_slot_id
    session.add(
        AuditLog(
            actor_id=actor,
            action=action,
            council_id=council.id,
            reason=reason,
            before={"coordinationStatus": source},
            after=after,
            at=at,
        )
    )


def _seed_history(
    session: Session, council: CouncilSession, phase: CoordinationStatus, index: int, now: datetime
) -> None:
    """The audited phase moves that brought ``council`` to ``phase``, back-dated between its
    invitation and an hour ago: the invitations, the deadline (selecting, then
    needs_alternatives when nothing works), a confirmation (half at once on the last
    answer, half by the coordinator after the deadline), the override that reopened a
    rescheduling council, a cancellation a day after the invitations."""
    invited = council.invitations_sent_at
    if phase == CoordinationStatus.DRAFT or invited is None:
        return
    latest = now - timedelta(hours=1)
    _move(session, council, "draft", "collecting", invited, "invitations")
    deadline = min(council.mentor_response_deadline or latest, latest - timedelta(hours=2))
    if phase in (CoordinationStatus.SELECTING, CoordinationStatus.NEEDS_ALTERNATIVES):
        _move(session, council, "collecting", "selecting", deadline, "deadline")
        if phase == CoordinationStatus.NEEDS_ALTERNATIVES:
            _move(session, council, "selecting", "needs_alternatives", deadline, "deadline")
    elif phase == CoordinationStatus.CANCELLED:
        _move(session, council, "collecting", "cancelled", invited + timedelta(days=1), "cancel")
    elif phase in (CoordinationStatus.CONFIRMED, CoordinationStatus.RESCHEDULING):
        answers = [cm.response_date for cm in council.mentors if cm.response_date is not None]
        last = max(answers, default=invited)
        if index % 2 and last < deadline:
            _move(session, council, "collecting", "selecting", deadline, "deadline")
            confirmed = deadline + timedelta(hours=1)
            _move(session, council, "selecting", "confirmed", confirmed, "confirm")
        else:
            confirmed = min(last, latest)
            _move(session, council, "collecting", "confirmed", confirmed, "answer")
        if phase == CoordinationStatus.RESCHEDULING:
            rescheduled = min(confirmed + timedelta(days=1), now - timedelta(minutes=30))
            _move(session, council, "confirmed", "rescheduling", rescheduled, "override")

"""Council documents rendered as JSON by the database itself.

A sync page carries up to 1,000 councils, each with its slots, mentors and 25 per-slot
answers: tens of thousands of rows. Turning those rows into Python objects and back into
JSON costs far more than the query, so the database builds each council's JSON text
(SQLite's JSON1 ``json_object``/``json_group_array``, PostgreSQL's
``json_build_object``/``json_agg``) and the API joins the texts into a page. This module
is the one definition of the council document (``CouncilOut``); :func:`council_dicts`
parses it for the routes that need Python values.

``menteeTimezone`` is the mentee's own IANA zone (``users.timezone``; null when they never
set one), so a reader can show the mentee's local day.

``phaseHistory`` is the council's audited phase moves, oldest first: ``{from, status,
at, cause}`` for every ``audit_log`` entry whose ``before`` and ``after`` name two different
``coordinationStatus`` values (:data:`PHASE_MOVES`). ``status`` is the phase entered
(``from`` the one left),
``cause`` the :class:`~mentra_platform.councils.phases.Trigger` that moved it (``override``
for an admin's override). Before its first move a council was in that move's source
phase since ``createdAt`` (a draft, for councils created through the API). Mentees read it
empty (:func:`mentra_platform.councils.queries.for_reader`).

Instants are rendered as ISO 8601 UTC with a ``Z`` and microseconds only when non-zero,
booleans as JSON booleans, JSON columns embedded (``[]``/``{}`` when NULL).

The document carries everything the scheduling engine needs, so a reader holding only the
document (the desktop cache) decides exactly as the platform does
(:mod:`mentra_desktop.models.engine_bridge`). Per mentor: the profile's time zone,
seniority, working hours and days (``null`` without a profile), the seat's expertise
match, and ``busy``: the ``[start, end]`` of the final slot of every *other* confirmed
council the mentor attends that ends after this council was created and starts before
:data:`BUSY_HORIZON` after this council's last slot — every instant this council's slots
and alternatives (at most 14 days after the decision) can be compared with. Only
instants: no council ids, so a reader learns nothing else about those councils.

The document also carries what the platform's calendar invite of the council says beyond
its times (:func:`mentra_platform.notifications.rendering.invite_facts`), so an exported
event equals the mailed one: ``inviteUid`` (``council-<id>@<host of PUBLIC_BASE_URL>``),
``inviteSequence``, ``organizer`` (``MAIL_FROM`` as ``{name, address}``), ``menteeEmail``
and ``registrants`` (``{userId, name, email}`` of each registered mentee, by registration).
The deployment's part comes from the session's settings (:func:`_invite_params`); staff
only (:func:`mentra_platform.councils.queries.for_reader` blanks them for everyone else).
"""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Integer, bindparam, text
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import TextClause

from mentra_desktop.models import CoordinationStatus
from mentra_desktop.models.base import UTCDateTime
from mentra_desktop.models.calendar_invite import organizer_parts, uid_domain
from mentra_platform.core.config import Settings
from mentra_platform.core.db import SETTINGS_INFO

BUSY_HORIZON_DAYS = 14
"""Busy ranges reach this many days past a council's last slot (the alternatives' horizon)."""
_CONFIRMED = CoordinationStatus.CONFIRMED.value
DOCUMENT_WORK_MEM = "16MB"
"""PostgreSQL's ``work_mem`` while it renders documents: a 1,000-council page sorts in
memory (its sorts and hashes need a few MB each, at most one page's rows)."""

BUSY_TIME = (
    "SELECT cm2.mentor_id AS mentor_id, cm2.council_id AS council_id, "
    "s2.starts_at AS starts_at, s2.ends_at AS ends_at "
    "FROM council_mentors cm2 "
    "JOIN council_sessions c2 ON c2.id = cm2.council_id "
    f"AND c2.coordination_status = '{_CONFIRMED}' "
    "JOIN council_slots s2 ON s2.id = c2.final_slot_id AND s2.council_id = c2.id "
    "WHERE cm2.attending = TRUE "
    "UNION ALL SELECT cb.mentor_id, CAST(NULL AS INTEGER), cb.starts_at, cb.ends_at "
    "FROM calendar_busy cb"
)
"""The one definition of when a mentor is busy, as SQL rows ``(mentor_id, council_id,
starts_at, ends_at)``: the final slot of every confirmed council the mentor attends, and
every busy range of the mentor's connected calendars (``calendar_busy``,
:mod:`mentra_platform.calendars`; ``council_id`` NULL).
``council_id`` names the council the range comes from (NULL for a range that belongs to
no council, e.g. calendar busy time added here with ``UNION ALL``), so a council never
counts its own session. Both council documents (SQLite and PostgreSQL) and
:func:`busy_ranges` (the worker's batches) read busy time from this relation only."""


_CAUSE = (
    "COALESCE({trigger}, CASE al.action WHEN 'council.confirmed' THEN 'confirm' "
    "WHEN 'council.overridden' THEN 'override' WHEN 'council.cancelled' THEN 'cancel' "
    "WHEN 'council.status_changed' THEN 'patch' ELSE al.action END)"
)
PHASE_MOVES = {
    "sqlite": (
        "FROM audit_log al WHERE al.council_id = c.id "
        "AND json_extract(al.\"before\", '$.coordinationStatus') "
        "<> json_extract(al.\"after\", '$.coordinationStatus')"
    ),
    "postgresql": (
        "FROM audit_log al WHERE al.council_id = c.id "
        "AND al.\"before\"->>'coordinationStatus' <> al.\"after\"->>'coordinationStatus'"
    ),
}
"""The audit entries that are phase moves, per dialect: both sides name a phase and they
differ (a withdrawal that keeps the council confirmed names none before; its move back
to collecting, when there is one, is audited on its own). Every move is audited with its
cause: :func:`mentra_platform.coordination.service.advance`, the invitations, confirm,
cancel and override endpoints, a PATCH of ``coordinationStatus``.

Both read one council ``c``'s entries through ``ix_audit_log_council_id``, so a page costs
its own councils' audit rows whatever the size of the audit log: SQLite as a correlated
subquery, PostgreSQL as a ``LATERAL`` subquery per page council (a join against the page
let the planner hash the whole table once the log outgrew the page)."""


def _sqlite_time(col: str) -> str:
    return (
        f"CASE WHEN {col} IS NULL THEN NULL ELSE substr({col}, 1, 10) || 'T' || "
        f"substr({col}, 12, 8) || CASE WHEN substr({col}, 20) IN ('', '.000000') THEN '' "
        f"ELSE substr({col}, 20) END || 'Z' END"
    )


def _pg_time(col: str) -> str:
    """One ``to_char`` per instant (NULL stays NULL): microseconds only when non-zero."""
    utc = f"({col} AT TIME ZONE 'UTC')"
    return (
        f"to_char({utc}, CASE WHEN date_trunc('second', {utc}) = {utc} "
        'THEN \'YYYY-MM-DD"T"HH24:MI:SS"Z"\' ELSE \'YYYY-MM-DD"T"HH24:MI:SS.US"Z"\' END)'
    )


def _sqlite_bool(col: str, nullable: bool = False) -> str:
    null = f"WHEN {col} IS NULL THEN 'null' " if nullable else ""
    return f"json(CASE {null}WHEN {col} THEN 'true' ELSE 'false' END)"


_ORGANIZER = (
    "CASE WHEN CAST(:organizer_address AS TEXT) IS NULL THEN NULL ELSE "
    "{obj}('name', CAST(:organizer_name AS TEXT), 'address', CAST(:organizer_address AS TEXT)) "
    "END"
)
_REGISTRANTS = "FROM registrations r JOIN users ru ON ru.id = r.user_id "

Field = tuple[str, str, str]
"""One member of a document object: ``(key, SQL expression, kind)``. Kinds: ``num``
(integer), ``float``, ``str``, ``bool``, ``bool?`` (nullable), ``time`` (an instant),
``json``/``json[]``/``json{}`` (a JSON column, null/``[]``/``{}`` when NULL), ``doc`` (a
JSON value the statement built, e.g. a nested array)."""


def _fields() -> dict[str, list[Field]]:
    """The document's objects, by level: the one definition both dialects render."""
    return {
        "answer": [
            ("slotId", "a.slot_id", "num"),
            ("answer", "a.answer", "str"),
            ("partialRanges", "a.partial_ranges", "json[]"),
            ("answeredAt", "a.answered_at", "time"),
            ("source", "a.source", "str"),
        ],
        "mentor": [
            ("id", "cm.id", "num"),
            ("mentorId", "cm.mentor_id", "num"),
            ("name", "u.full_name", "str"),
            ("email", "u.email", "str"),
            ("timezone", "mp.timezone", "str"),
            ("isLead", "cm.is_lead", "bool"),
            ("availabilityResponse", "cm.availability_response", "str"),
            ("responseDate", "cm.response_date", "time"),
            ("conflictNotes", "cm.conflict_notes", "str"),
            ("alternativeProposals", "cm.alternative_proposals", "json[]"),
            ("availableTimeSlots", "cm.available_time_slots", "json{}"),
            ("notificationSent", "cm.notification_sent", "bool"),
            ("lastReminderSent", "cm.last_reminder_sent", "time"),
            ("reminderCount", "cm.reminder_count", "num"),
            ("attending", "cm.attending", "bool?"),
            ("expertiseMatch", "cm.expertise_match", "float"),
            ("seniority", "mp.seniority", "num"),
            ("workStart", "mp.work_start", "str"),
            ("workEnd", "mp.work_end", "str"),
            ("workingDays", "mp.working_days", "json"),
        ],
        "slot": [
            ("id", "s.id", "num"),
            ("position", "s.position", "num"),
            ("start", "s.starts_at", "time"),
            ("end", "s.ends_at", "time"),
            ("priorityScore", "s.priority_score", "float"),
        ],
        "council": [
            ("id", "c.id", "num"),
            ("topic", "c.topic", "str"),
            ("description", "c.description", "str"),
            ("menteeId", "c.mentee_id", "num"),
            ("menteeName", "mu.full_name", "str"),
            ("menteeTimezone", "mu.timezone", "str"),
            ("leadMentorId", "c.lead_mentor_id", "num"),
        ],
        "council_rest": [
            ("mentorResponseDeadline", "c.mentor_response_deadline", "time"),
            ("finalTimeConfirmed", "c.final_time_confirmed", "bool"),
            ("finalSlotId", "c.final_slot_id", "num"),
            ("coordinatorNotes", "c.coordinator_notes", "str"),
            ("mentorMinimum", "c.mentor_minimum", "num"),
            ("mentorMaximum", "c.mentor_maximum", "num"),
            ("coordinationStatus", "c.coordination_status", "str"),
            ("videoLink", "c.video_link", "str"),
            ("invitationsSentAt", "c.invitations_sent_at", "time"),
            ("version", "c.version", "num"),
            ("createdAt", "c.created_at", "time"),
            ("updatedAt", "c.updated_at", "time"),
            ("changeSeq", "c.change_seq", "num"),
        ],
        # The calendar invite as the platform mails it (staff only: queries.for_reader).
        "invite": [
            ("inviteUid", "'council-' || c.id || '@' || CAST(:uid_domain AS TEXT)", "str"),
            ("inviteSequence", "c.invite_sequence", "num"),
            ("organizer", "{organizer}", "json"),
            ("menteeEmail", "mu.email", "str"),
        ],
        "registrant": [
            ("userId", "ru.id", "num"),
            ("name", "ru.full_name", "str"),
            ("email", "ru.email", "str"),
        ],
    }


def _move(before: str, after: str, trigger: str) -> list[Field]:
    """A phase move of ``phaseHistory``, given the dialect's reads of the audit entry."""
    return [
        ("from", before, "str"),
        ("status", after, "str"),
        ("at", "al.at", "time"),
        ("cause", _CAUSE.format(trigger=trigger), "str"),
    ]


def _invite(obj: str) -> list[Field]:
    """The invite members, with the dialect's JSON object function for the organizer."""
    organizer = _ORGANIZER.format(obj=obj)
    return [(k, organizer if e == "{organizer}" else e, kind) for k, e, kind in _fields()["invite"]]


def _sqlite_value(expr: str, kind: str) -> str:
    """A member's value as SQLite's ``json_object`` takes it."""
    if kind == "time":
        return _sqlite_time(expr)
    if kind in ("bool", "bool?"):
        return _sqlite_bool(expr, nullable=kind == "bool?")
    if kind == "json":
        return f"json({expr})"
    if kind in ("json[]", "json{}"):
        return f"json(COALESCE({expr}, '{kind[4:]}'))"
    return expr


def _sqlite_members(fields: list[Field]) -> str:
    return ", ".join(f"'{key}', {_sqlite_value(expr, kind)}" for key, expr, kind in fields)


def _pg_value(expr: str, kind: str) -> str:
    """A member's value as the JSON text PostgreSQL's ``json_build_object`` writes for it.

    Strings through ``to_json`` (its escaping), floats too (``"NaN"`` is quoted); integers
    and booleans print as JSON already; an instant needs no escaping."""
    if kind == "time":
        return f"COALESCE('\"' || {_pg_time(expr)} || '\"', 'null')"
    if kind in ("str", "float"):
        cast = "::text" if kind == "str" else ""
        return f"COALESCE(to_json(({expr}){cast})::text, 'null')"
    if kind in ("json[]", "json{}"):
        return f"COALESCE(({expr})::text, '{kind[4:]}')"
    if kind == "doc":
        return expr
    return f"COALESCE(({expr})::text, 'null')"  # num, bool, bool?, json


def _pg_object(fields: list[Field]) -> str:
    """One object as JSON text, byte for byte what ``json_build_object`` of the same
    members writes (``{"key" : value, …}``), without its per-row, per-argument type
    lookups and without the ``json`` input parse a nested value would need: a sync page
    builds 25,000 answers and 5,000 mentors."""
    parts: list[str] = []
    for i, (key, expr, kind) in enumerate(fields):
        parts.append("'" + ("{" if i == 0 else ", ") + f'"{key}" : \'')
        parts.append(_pg_value(expr, kind))
    return f"concat({', '.join(parts)}, '}}')"


_MENTOR_JOINS = (
    "FROM council_mentors cm JOIN users u ON u.id = cm.mentor_id "
    "LEFT JOIN mentor_profiles mp ON mp.user_id = cm.mentor_id "
)


def _build_sqlite() -> str:
    """Correlated subqueries: SQLite runs them in-process over its indexes, cheaply.

    SQLite 3.40 has no ORDER BY inside aggregates, so each array aggregates an ordered
    subquery; ``json()`` restores the JSON subtype a value loses passing through a column.
    """
    f = _fields()

    def obj(level: str, *extra: str) -> str:
        return f"json_object({', '.join((_sqlite_members(f[level]), *extra))})"

    def array(inner: str, source: str, order: str) -> str:
        return (
            f"(SELECT json_group_array(json(doc)) FROM (SELECT {inner} AS doc {source} "
            f"ORDER BY {order}))"
        )

    answers = array(
        obj("answer"), "FROM council_slot_answers a WHERE a.council_mentor_id = cm.id", "a.slot_id"
    )
    # Text comparison of stored instants ('YYYY-MM-DD HH:MM:SS.ffffff'); the horizon (to the
    # millisecond) is computed once per council in the FROM clause, not per mentor.
    horizon = (
        f"(SELECT s3.council_id AS id, strftime('%Y-%m-%d %H:%M:%f', max(s3.ends_at), "
        f"'+{BUSY_HORIZON_DAYS} days') AS hi FROM council_slots s3 "
        "WHERE s3.council_id IN :ids GROUP BY s3.council_id)"
    )
    busy = array(
        f"json_array({_sqlite_time('b.starts_at')}, {_sqlite_time('b.ends_at')})",
        f"FROM ({BUSY_TIME}) b WHERE b.mentor_id = cm.mentor_id "
        "AND (b.council_id IS NULL OR b.council_id <> c.id) "
        "AND b.ends_at > c.created_at AND b.starts_at < h.hi",
        "b.starts_at, b.ends_at",
    )
    mentors = array(
        obj("mentor", f"'slotAnswers', {answers}", f"'busy', {busy}"),
        _MENTOR_JOINS + "WHERE cm.council_id = c.id",
        "cm.id",
    )
    slots = array(obj("slot"), "FROM council_slots s WHERE s.council_id = c.id", "s.position")
    registrants = array(obj("registrant"), _REGISTRANTS + "WHERE r.council_id = c.id", "r.id")
    move = _move(
        before="json_extract(al.\"before\", '$.coordinationStatus')",
        after="json_extract(al.\"after\", '$.coordinationStatus')",
        trigger="json_extract(al.\"after\", '$.trigger')",
    )
    history = array(f"json_object({_sqlite_members(move)})", PHASE_MOVES["sqlite"], "al.at, al.id")
    invite = _sqlite_members(_invite("json_object"))
    return (
        f"SELECT c.id, json_object({_sqlite_members(f['council'])}, "
        f"'proposedTimeSlots', {slots}, {_sqlite_members(f['council_rest'])}, "
        "'registrationCount', (SELECT count(*) FROM registrations r "
        f"WHERE r.council_id = c.id), {invite}, 'registrants', {registrants}, "
        f"'phaseHistory', {history}, 'mentors', {mentors}) "
        "FROM council_sessions c LEFT JOIN users mu ON mu.id = c.mentee_id "
        f"LEFT JOIN {horizon} h ON h.id = c.id WHERE c.id IN :ids"
    )


def _build_postgresql() -> str:
    """Set-wise aggregation (hash joins over the page), far cheaper on PostgreSQL than
    thousands of correlated subqueries; each object written as JSON text
    (:func:`_pg_object`), each array as ``string_agg`` of its objects — the same bytes as
    ``json_build_object``/``json_agg``, without their per-value costs. A page's 25,000
    answers are aggregated from one subquery sorted by mentor and slot (a sorted subquery
    is never flattened, so ``string_agg`` takes its rows in that order) rather than one
    sort per mentor."""
    f = _fields()

    def agg(obj: str, order: str) -> str:
        return f"'[' || string_agg({obj}, ', ' ORDER BY {order}) || ']'"

    def doc(key: str, expr: str, empty: str = "[]") -> Field:
        return (key, f"COALESCE({expr}, '{empty}')", "doc")

    move = _pg_object(
        _move(
            before="al.\"before\"->>'coordinationStatus'",
            after="al.\"after\"->>'coordinationStatus'",
            trigger="al.\"after\"->>'trigger'",
        )
    )
    busy_doc = f"concat('[\"', {_pg_time('b.starts_at')}, '\", \"', {_pg_time('b.ends_at')}, '\"]')"
    mentor = _pg_object([*f["mentor"], doc("slotAnswers", "answers.doc"), doc("busy", "busy.doc")])
    invite = _invite("json_build_object")
    council = _pg_object(
        [
            *f["council"],
            doc("proposedTimeSlots", "slots.doc"),
            *f["council_rest"],
            ("registrationCount", "COALESCE(regs.n, 0)", "num"),
            *invite,
            doc("registrants", "registrants.doc"),
            doc("phaseHistory", "history.doc"),
            doc("mentors", "mentors.doc"),
        ]
    )
    return f"""
WITH page AS (SELECT id FROM council_sessions WHERE id IN :ids),
seats AS MATERIALIZED (
    SELECT cm.id, cm.council_id, cm.mentor_id, c.created_at AS lo, (SELECT max(s.ends_at)
        FROM council_slots s WHERE s.council_id = c.id) + interval '{BUSY_HORIZON_DAYS} days' AS hi
    FROM council_sessions c JOIN council_mentors cm ON cm.council_id = c.id
    WHERE c.id IN :ids),
bookings AS MATERIALIZED (
    SELECT b.mentor_id, b.council_id, b.starts_at, b.ends_at, {busy_doc} AS doc
    FROM ({BUSY_TIME}) b
    WHERE b.mentor_id IN (SELECT DISTINCT mentor_id FROM seats)
        AND b.ends_at > (SELECT min(lo) FROM seats)
        AND b.starts_at < (SELECT max(hi) FROM seats)),
busy AS (
    SELECT seats.id, {agg("b.doc", "b.starts_at, b.ends_at")} AS doc
    FROM seats JOIN bookings b ON b.mentor_id = seats.mentor_id
        AND (b.council_id IS NULL OR b.council_id <> seats.council_id)
        AND b.ends_at > seats.lo AND b.starts_at < seats.hi
    GROUP BY seats.id),
answers AS (
    SELECT q.id, '[' || string_agg(q.doc, ', ') || ']' AS doc FROM (
        SELECT a.council_mentor_id AS id, {_pg_object(f["answer"])} AS doc
        FROM council_slot_answers a JOIN council_mentors cm ON cm.id = a.council_mentor_id
        WHERE cm.council_id IN :ids ORDER BY a.council_mentor_id, a.slot_id) q GROUP BY q.id),
mentors AS (
    SELECT cm.council_id AS id, {agg(mentor, "cm.id")} AS doc
    {_MENTOR_JOINS} LEFT JOIN answers ON answers.id = cm.id LEFT JOIN busy ON busy.id = cm.id
    WHERE cm.council_id IN (SELECT id FROM page) GROUP BY cm.council_id),
slots AS (
    SELECT s.council_id AS id, {agg(_pg_object(f["slot"]), "s.position")} AS doc
    FROM council_slots s WHERE s.council_id IN (SELECT id FROM page) GROUP BY s.council_id),
regs AS (
    SELECT r.council_id AS id, count(*) AS n FROM registrations r
    WHERE r.council_id IN (SELECT id FROM page) GROUP BY r.council_id),
registrants AS (
    SELECT r.council_id AS id, {agg(_pg_object(f["registrant"]), "r.id")} AS doc
    {_REGISTRANTS}WHERE r.council_id IN (SELECT id FROM page) GROUP BY r.council_id),
history AS (
    SELECT c.id, moves.doc FROM page c CROSS JOIN LATERAL (
        SELECT {agg(move, "al.at, al.id")} AS doc
        {PHASE_MOVES["postgresql"]}) moves)
SELECT c.id, {council}
FROM council_sessions c LEFT JOIN users mu ON mu.id = c.mentee_id
LEFT JOIN slots ON slots.id = c.id LEFT JOIN mentors ON mentors.id = c.id
LEFT JOIN regs ON regs.id = c.id LEFT JOIN registrants ON registrants.id = c.id
LEFT JOIN history ON history.id = c.id
WHERE c.id IN :ids
"""


def _build(dialect: str) -> str:
    """The SELECT for one dialect; ``:ids`` is an expanding list of council ids."""
    return _build_postgresql() if dialect == "postgresql" else _build_sqlite()


_STATEMENTS: dict[str, TextClause] = {}


def _statement(dialect: str) -> TextClause:
    stmt = _STATEMENTS.get(dialect)
    if stmt is None:
        stmt = text(_build(dialect)).bindparams(bindparam("ids", expanding=True))
        _STATEMENTS[dialect] = stmt
    return stmt


def _invite_params(session: Session) -> dict[str, str | None]:
    """The deployment's invite addressing, from the settings the session was made with
    (:data:`~mentra_platform.core.db.SETTINGS_INFO`): the UID domain and the organizer,
    exactly as :mod:`mentra_platform.notifications.rendering` addresses the invites. A
    session made without settings renders ``inviteUid`` and ``organizer`` as null."""
    settings = session.info.get(SETTINGS_INFO)
    if not isinstance(settings, Settings):
        return {"uid_domain": None, "organizer_name": None, "organizer_address": None}
    name, address = organizer_parts(settings.mail_from)
    return {
        "uid_domain": uid_domain(settings.public_base_url),
        "organizer_name": name,
        "organizer_address": address,
    }


def council_documents(session: Session, ids: Sequence[int]) -> list[str]:
    """The JSON text of each council in ``ids``, in that order (missing ids skipped)."""
    if not ids:
        return []
    conn = session.connection()
    params = {"ids": list(ids), **_invite_params(session)}
    if conn.dialect.name != "postgresql":
        rows = conn.execute(_statement(conn.dialect.name), params).all()
    else:
        # The planner prices the per-council audit lookups (PHASE_MOVES) by the log's
        # average entries per council, so a long log pushes the estimate over
        # jit_above_cost; compiling then costs more than the page (85 ms of 270 measured
        # with 33 entries per council). And the mentors' sort of a 1,000-council page
        # (their answers' text in each row) spills to disk at the default 4 MB of
        # work_mem. Both for this statement only, then as they were.
        jit, work_mem = conn.execute(
            text(
                "SELECT current_setting('jit'), current_setting('work_mem'), "
                "set_config('jit', 'off', true), set_config('work_mem', :work_mem, true)"
            ),
            {"work_mem": DOCUMENT_WORK_MEM},
        ).one()[:2]
        rows = conn.execute(_statement("postgresql"), params).all()
        conn.execute(
            text("SELECT set_config('jit', :jit, true), set_config('work_mem', :work_mem, true)"),
            {"jit": jit, "work_mem": work_mem},
        )
    by_id: dict[int, str] = {row[0]: row[1] for row in rows}
    return [by_id[i] for i in ids if i in by_id]


class Busy(NamedTuple):
    """One busy range of a mentor, from :data:`BUSY_TIME`."""

    start: datetime
    end: datetime
    council_id: int | None
    """The confirmed council it comes from (``None``: not a council's session)."""


def busy_ranges(
    session: Session,
    mentor_ids: Collection[int],
    windows: Sequence[tuple[datetime, datetime]],
) -> dict[int, list[Busy]]:
    """Each mentor's busy ranges (:data:`BUSY_TIME`) overlapping any of ``windows``
    (``[start, end)`` pairs), by start: one query for a whole batch of councils."""
    if not mentor_ids or not windows:
        return {}
    overlaps = " OR ".join(
        f"(b.ends_at > :lo{i} AND b.starts_at < :hi{i})" for i in range(len(windows))
    )
    stmt = text(
        f"SELECT b.mentor_id, b.starts_at, b.ends_at, b.council_id FROM ({BUSY_TIME}) b "
        f"WHERE b.mentor_id IN :ids AND ({overlaps}) "
        "ORDER BY b.mentor_id, b.starts_at, b.ends_at"
    ).bindparams(
        bindparam("ids", expanding=True),
        *(
            bindparam(f"{edge}{i}", type_=UTCDateTime())
            for i in range(len(windows))
            for edge in ("lo", "hi")
        ),
    )
    typed = stmt.columns(
        mentor_id=Integer(), starts_at=UTCDateTime(), ends_at=UTCDateTime(), council_id=Integer()
    )
    values: dict[str, Any] = {"ids": sorted(mentor_ids)}
    for i, (lo, hi) in enumerate(windows):
        values[f"lo{i}"], values[f"hi{i}"] = lo, hi
    out: dict[int, list[Busy]] = {}
    for mentor_id, start, end, council_id in session.execute(typed, values):
        out.setdefault(int(mentor_id), []).append(Busy(start, end, council_id))
    return out


def council_dicts(session: Session, ids: Sequence[int]) -> list[dict[str, Any]]:
    """:func:`council_documents` parsed, for routes that answer with one council."""
    return [json.loads(doc) for doc in council_documents(session, ids)]

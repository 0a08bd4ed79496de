"""The engine's decision: the endpoint, the document alone, and an independent mapping.

* Acceptance: for every demo council, ``GET …/decision`` equals the engine run through the
  bridge on nothing but the document ``GET /councils/{id}`` returned — what the desktop does.
* The bridge against an oracle: the same councils written by hand as ``select`` documents
  (the engine's public JSON contract) straight from the ORM rows give the same decisions.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from p2_helpers import ADMIN, COORD, MENTEE
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from mentra_desktop.models import CoordinationStatus, CouncilMentor, CouncilSession, MentorProfile
from mentra_desktop.models.engine_bridge import NO_DEADLINE, decide, selection_request
from mentra_desktop.scheduling.documents import decision_to_json, parse_request
from mentra_desktop.scheduling.selection import select as engine_select
from mentra_platform.councils.documents import BUSY_HORIZON_DAYS, council_dicts


def _ids(live_server: Any) -> list[int]:
    with live_server.session() as s:
        return list(s.scalars(select(CouncilSession.id).order_by(CouncilSession.id)))


def test_decision_endpoint_equals_the_engine_on_the_document_alone(
    client: Any, login: Any, live_server: Any
) -> None:
    staff = login(client, COORD)
    statuses = set()
    ids = _ids(live_server)
    assert len(ids) >= 60
    for cid in ids:
        document = client.get(f"/api/v1/councils/{cid}", headers=staff)
        assert document.status_code == 200, document.text
        r = client.get(f"/api/v1/councils/{cid}/decision", headers=staff)
        assert r.status_code == 200, r.text
        served = r.json()
        as_of = datetime.fromisoformat(served["asOf"])
        assert as_of.utcoffset() == timedelta(0)
        local = decide(document.json(), as_of).model_dump(mode="json", by_alias=True)
        assert served == local, cid
        statuses.add(served["status"])
    assert statuses == {"confirmed", "waiting", "needs_alternatives"}


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat()


def _select_document(session: Any, council: CouncilSession, now: datetime) -> dict[str, Any]:
    """A ``select`` document built from the rows, independently of the SQL and the bridge."""
    horizon = max(s.ends_at for s in council.slots) + timedelta(days=BUSY_HORIZON_DAYS)
    seated = {cm.mentor_id for cm in council.mentors}
    mentors = []
    for cm in council.mentors:
        profile = session.get(MentorProfile, cm.mentor_id)
        busy = []
        for other in session.scalars(
            select(CouncilMentor).where(
                CouncilMentor.mentor_id == cm.mentor_id,
                CouncilMentor.council_id != council.id,
                CouncilMentor.attending.is_(True),
            )
        ):
            c = other.council
            final = next((s for s in c.slots if s.id == c.final_slot_id), None)
            if (
                c.coordination_status == CoordinationStatus.CONFIRMED
                and final is not None
                and final.ends_at > council.created_at
                and final.starts_at < horizon
            ):
                busy.append([_iso(final.starts_at), _iso(final.ends_at)])
        mentor: dict[str, Any] = {
            "id": str(cm.mentor_id),
            "timezone": profile.timezone,
            "seniority": profile.seniority,
            "expertise_match": cm.expertise_match,
            "working_hours": {
                "start": profile.work_start,
                "end": profile.work_end,
                "days": profile.working_days,
            },
            "answers": {
                str(a.slot_id): a.answer.value
                for a in cm.slot_answers
                if a.answer.value != "pending"
            },
            "partial": {
                str(a.slot_id): a.partial_ranges for a in cm.slot_answers if a.partial_ranges
            },
            "alternatives": cm.alternative_proposals,
            "busy": sorted(busy),
            "conflict_notes": cm.conflict_notes,
        }
        mentors.append(mentor)
    deadline = council.mentor_response_deadline or NO_DEADLINE
    return {
        "now": _iso(now),
        "deadline": deadline.isoformat(),
        "council": {
            "id": str(council.id),
            "mentor_minimum": council.mentor_minimum,
            "mentor_maximum": council.mentor_maximum,
            "lead_mentor": str(council.lead_mentor_id)
            if council.lead_mentor_id in seated
            else None,
            "duration_minutes": 60,
            "slots": [
                {"id": str(s.id), "start": _iso(s.starts_at), "priority": s.priority_score}
                for s in council.slots
            ],
        },
        "mentors": mentors,
    }


def test_the_bridge_reads_the_document_as_the_engines_own_json_contract(
    live_server: Any,
) -> None:
    now = datetime.now(UTC)
    with live_server.session() as session:
        councils = session.scalars(
            select(CouncilSession)
            .order_by(CouncilSession.id)
            .options(
                selectinload(CouncilSession.slots),
                selectinload(CouncilSession.mentors).selectinload(CouncilMentor.slot_answers),
            )
        ).all()
        documents = {d["id"]: d for d in council_dicts(session, [c.id for c in councils])}
        busy_seen = 0
        for council in councils:
            doc = _select_document(session, council, now)
            busy_seen += sum(bool(m["busy"]) for m in doc["mentors"])
            expected = decision_to_json(engine_select(parse_request(doc)))
            got = decision_to_json(engine_select(selection_request(documents[council.id], now)))
            assert got == expected, council.id
        assert busy_seen >= 5


def test_mentees_never_see_busy_ranges(client: Any, login: Any, live_server: Any) -> None:
    admin, mentee = login(client, ADMIN), login(client, MENTEE)
    seen = 0
    for cid in _ids(live_server):
        staff_view = client.get(f"/api/v1/councils/{cid}", headers=admin).json()
        r = client.get(f"/api/v1/councils/{cid}", headers=mentee)
        if r.status_code != 200:
            continue
        seen += sum(bool(m["busy"]) for m in staff_view["mentors"])
        assert all(m["busy"] == [] for m in r.json()["mentors"])
    assert seen, "some council of this mentee has busy mentors in the staff view"

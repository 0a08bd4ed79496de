"""Mentor auto-assignment: the pure ranking (expertise, seniority, load, time zones, DST)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest
from p2_helpers import COORD, MENTEE, add_mentors, create_council, etag
from sqlalchemy import select

from mentra_desktop.models import CouncilMentor, MentorProfile
from mentra_desktop.scheduling.model import WorkingHours
from mentra_platform.assignment.matching import (
    Candidate,
    Slot,
    assign_mentors,
    covered_fraction,
    expertise_match,
    terms,
)


def _slot(sid: int, y: int, m: int, d: int, h: int, minute: int = 0) -> Slot:
    start = datetime(y, m, d, h, minute, tzinfo=UTC)
    return Slot(sid, start, start + timedelta(hours=1))


NINE_TO_FIVE = WorkingHours(time(9, 0), time(17, 0))


def _cand(
    uid: int, tz: str, tags: tuple[str, ...] = ("saas", "sales", "b2b"), **kw: object
) -> Candidate:
    base: dict[str, object] = {"seniority": 3, "active_councils": 0, "hours": NINE_TO_FIVE}
    base.update(kw)
    return Candidate(uid, f"Mentor {uid}", tags, timezone=tz, **base)  # type: ignore[arg-type]


TOPIC = "Scaling B2B SaaS sales teams"


def test_terms_drop_stopwords_and_fold_plurals() -> None:
    assert terms("Scaling the B2B SaaS sales teams") == {"scaling", "b2b", "saa", "sale", "team"}
    score, matched = expertise_match(terms(TOPIC), ["SaaS", "Sales", "Gardening"])
    assert matched == ["SaaS", "Sales"]
    assert score == pytest.approx(2 / 5)


def test_expertise_dominates_and_zero_match_is_not_picked() -> None:
    slots = [_slot(1, 2026, 6, 2, 13)]
    cands = [
        _cand(1, "Europe/Berlin", ("gardening",), seniority=5),
        _cand(2, "Europe/Berlin", ("saas", "sales", "b2b", "scaling", "team")),
        _cand(3, "Europe/Berlin", ("sales",)),
    ]
    result = assign_mentors(TOPIC, cands, slots, target=3, minimum=2)
    assert [p.user_id for p in result.picks] == [2, 3]
    assert result.meets_minimum
    assert any("expertise match 1.00" in r for r in result.picks[0].reasons)


def test_zero_match_candidates_fill_only_up_to_minimum() -> None:
    slots = [_slot(1, 2026, 6, 2, 13)]
    cands = [_cand(i, "UTC", ("gardening",)) for i in (1, 2, 3, 4)] + [_cand(5, "UTC")]
    result = assign_mentors(TOPIC, cands, slots, target=5, minimum=3)
    assert len(result.picks) == 3
    assert result.picks[0].user_id == 5
    assert result.meets_minimum


def test_too_few_candidates_reports_shortfall() -> None:
    result = assign_mentors(
        TOPIC, [_cand(1, "UTC")], [_slot(1, 2026, 6, 2, 13)], target=5, minimum=3
    )
    assert [p.user_id for p in result.picks] == [1]
    assert not result.meets_minimum


def test_lower_load_and_higher_seniority_win_ties() -> None:
    slots = [_slot(1, 2026, 6, 2, 13)]
    busy = _cand(1, "UTC", active_councils=4)
    free = _cand(2, "UTC", active_councils=0)
    junior = _cand(3, "UTC", seniority=1)
    result = assign_mentors(TOPIC, [busy, free, junior], slots, target=1, minimum=1)
    assert result.picks[0].user_id == 2
    senior = _cand(4, "UTC", seniority=5)
    result = assign_mentors(TOPIC, [junior, senior], slots, target=1, minimum=1)
    assert result.picks[0].user_id == 4


def test_time_zones_are_spread_among_comparable_candidates() -> None:
    # Slots in Berlin morning and New York afternoon; four Berlin experts and one in New York.
    slots = [_slot(1, 2026, 6, 2, 8), _slot(2, 2026, 6, 3, 19), _slot(3, 2026, 6, 4, 14)]
    cands = [_cand(i, "Europe/Berlin") for i in (1, 2, 3, 4)] + [_cand(9, "America/New_York")]
    result = assign_mentors(TOPIC, cands, slots, target=3, minimum=3)
    ids = [p.user_id for p in result.picks]
    assert 9 in ids
    offsets = {p.utc_offset_minutes for p in result.picks}
    assert offsets == {120, -240}
    ny = next(p for p in result.picks if p.user_id == 9)
    assert any("adds time zone UTC-04:00" in r for r in ny.reasons)
    assert result.uncovered_slot_ids == ()


def test_far_better_expert_is_not_displaced_for_spread() -> None:
    slots = [_slot(1, 2026, 6, 2, 13)]
    cands = [_cand(i, "Europe/Berlin") for i in (1, 2, 3)]
    cands.append(_cand(9, "America/New_York", ("b2b",)))
    result = assign_mentors(TOPIC, cands, slots, target=3, minimum=3)
    assert sorted(p.user_id for p in result.picks) == [1, 2, 3]


def test_deterministic_and_already_chosen_respected() -> None:
    slots = [_slot(1, 2026, 6, 2, 13)]
    cands = [_cand(i, tz) for i, tz in enumerate(["UTC", "Asia/Tokyo", "UTC", "Europe/Berlin"])]
    first = assign_mentors(TOPIC, cands, slots, target=4, minimum=3)
    again = assign_mentors(TOPIC, list(reversed(cands)), slots, target=4, minimum=3)
    assert first == again
    kept = assign_mentors(TOPIC, cands[1:], slots, target=3, minimum=3, already_chosen=cands[:1])
    assert len(kept.picks) == 2
    assert 0 not in [p.user_id for p in kept.picks]


# --- daylight saving ----------------------------------------------------------------------
# 2026: the US springs forward on 8 March, the EU on 29 March. In the week of 23 March
# New York is already on EDT (UTC-4) while Berlin is still on CET (UTC+1).


def test_dst_gap_week_new_york_already_on_edt() -> None:
    ny = _cand(1, "America/New_York")
    slot = _slot(1, 2026, 3, 24, 13)  # 09:00-10:00 EDT; would be 08:00 on EST
    assert covered_fraction(ny, slot) == 1.0
    before = _slot(2, 2026, 3, 3, 13)  # 3 March: still EST, 08:00-09:00 local
    assert covered_fraction(ny, before) == 0.0


def test_dst_berlin_switches_on_29_march() -> None:
    berlin = _cand(1, "Europe/Berlin")
    week_before = _slot(1, 2026, 3, 27, 15)  # Friday: CET, 16:00-17:00 local
    assert covered_fraction(berlin, week_before) == 1.0
    week_after = _slot(2, 2026, 3, 30, 15)  # Monday: CEST, 17:00-18:00 local
    assert covered_fraction(berlin, week_after) == 0.0
    half = Slot(
        3, datetime(2026, 3, 30, 14, 30, tzinfo=UTC), datetime(2026, 3, 30, 15, 30, tzinfo=UTC)
    )
    assert covered_fraction(berlin, half) == pytest.approx(0.5)


def test_dst_week_assignment_uses_each_slots_own_offset() -> None:
    slots = [_slot(1, 2026, 3, 27, 15), _slot(2, 2026, 3, 30, 15)]
    berlin, ny = _cand(1, "Europe/Berlin"), _cand(2, "America/New_York")
    result = assign_mentors(TOPIC, [berlin, ny], slots, target=2, minimum=2)
    by_id = {p.user_id: p for p in result.picks}
    assert by_id[1].covered_slot_ids == (1,)
    assert by_id[2].covered_slot_ids == (1, 2)
    assert by_id[1].utc_offset_minutes == 60  # at the first slot, before the EU switch
    assert by_id[2].utc_offset_minutes == -240


def test_autumn_transition_and_overnight_hours() -> None:
    # EU falls back on 25 October 2026, the US on 1 November.
    night = _cand(1, "Asia/Tokyo", hours=WorkingHours(time(22, 0), time(6, 0)))
    slot = _slot(1, 2026, 10, 27, 14)  # 23:00-24:00 Tuesday Tokyo
    assert covered_fraction(night, slot) == 1.0
    ny = _cand(2, "America/New_York")
    assert covered_fraction(ny, _slot(2, 2026, 10, 27, 13)) == 1.0  # EDT: 09:00
    assert covered_fraction(ny, _slot(3, 2026, 11, 3, 13)) == 0.0  # EST: 08:00
    weekend = _slot(4, 2026, 10, 25, 10)  # Sunday of the EU switch
    assert covered_fraction(_cand(3, "Europe/Berlin"), weekend) == 0.0


def test_rejects_naive_slots_and_bad_bounds() -> None:
    with pytest.raises(ValueError):
        Slot(1, datetime(2026, 1, 1, 10), datetime(2026, 1, 1, 11))
    with pytest.raises(ValueError):
        assign_mentors(TOPIC, [], [], target=3, minimum=4)


# --- live server --------------------------------------------------------------------------


def test_auto_assign_by_expertise_spreads_zones(
    client: Any, login: Any, make_slots: Any, live_server: Any
) -> None:
    staff = login(client, COORD)
    council = create_council(
        client, staff, make_slots(n=3, hour=14), topic="Hiring your first ten engineers"
    )
    cid = council["id"]
    url = f"/api/v1/councils/{cid}/mentors/auto-assign"
    assert client.post(url, headers=staff).status_code == 428
    r = client.post(url, headers={**staff, "If-Match": etag(client, staff, cid)})
    assert r.status_code == 200, r.text
    out = r.json()
    picks = out["picks"]
    assert len(picks) == 5 and out["meetsMinimum"] is True
    assert all(p["expertiseMatch"] > 0 and p["reasons"] for p in picks)
    assert len({p["utcOffsetMinutes"] for p in picks}) >= 2
    assert sorted(m["mentorId"] for m in out["mentors"]) == sorted(p["mentorId"] for p in picks)
    with live_server.session() as s:
        seats = s.scalars(select(CouncilMentor.mentor_id).where(CouncilMentor.council_id == cid))
        assert sorted(seats) == sorted(p["mentorId"] for p in picks)
        profiles = {p.user_id: p for p in s.scalars(select(MentorProfile))}
    for p in picks:
        assert {"hiring", "leadership", "startups"} & set(profiles[p["mentorId"]].expertise)


def test_add_remove_swap_lead_rules(
    client: Any, login: Any, make_slots: Any, live_server: Any
) -> None:
    staff = login(client, COORD)
    council = create_council(client, staff, make_slots(), mentorMaximum=4)
    cid = council["id"]
    tag = add_mentors(client, staff, cid, [10, 11, 12, 13])
    base = f"/api/v1/councils/{cid}/mentors"
    h = {**staff, "If-Match": tag}
    assert client.post(base, json={"mentorId": 14}, headers=h).status_code == 409  # max 4
    assert client.post(f"{base}/10/lead", headers={**staff, "If-Match": '"1"'}).status_code == 412
    r = client.post(f"{base}/10/lead", headers=h)
    assert r.status_code == 200 and r.json()["leadMentorId"] == 10
    h = {**staff, "If-Match": r.headers["ETag"]}
    r = client.delete(f"{base}/13", headers=h)
    assert r.status_code == 200
    h = {**staff, "If-Match": r.headers["ETag"]}
    assert client.post(base, json={"mentorId": 11}, headers=h).status_code == 409  # duplicate
    r = client.post(base, json={"mentorId": 9}, headers=h)  # a mentee
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "mentorId"
    assert (
        client.post(base, json={"mentorId": 13}, headers=login(client, MENTEE)).status_code == 403
    )
    r = client.post(f"{base}/10/swap", json={"replacementId": 20}, headers=h)
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["leadMentorId"] == 20
    assert sorted(m["mentorId"] for m in out["mentors"]) == [11, 12, 20]
    assert [m["mentorId"] for m in out["mentors"] if m["isLead"]] == [20]
    assert (
        client.delete(f"{base}/10", headers={**staff, "If-Match": r.headers["ETag"]}).status_code
        == 404
    )

"""Bad input on the council, response and notification routes is a 4xx naming the field,
never a 500, and changes nothing: ids past the id range, instants whose UTC conversion
overflows, times already past, and text a mailer would mis-read (line breaks in a topic or
subject, a video link that is not an absolute https URL)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
from p2_helpers import (
    COORD,
    MENTEE,
    MENTOR_IDS,
    answer,
    create_council,
    etag,
    invited_council,
    mentor_email,
)
from sqlalchemy import func, select

from mentra_desktop.models import (
    ChangeEvent,
    CouncilMentor,
    CouncilSession,
    CouncilSlotAnswer,
    Notification,
    utcnow,
)

HUGE = 2**63
EARLY = "0001-01-01T00:30:00+01:00"  # year 0 in UTC
LATE = "9999-12-31T23:59:59-01:00"  # year 10000 in UTC


def _state(live_server: Any) -> tuple[Any, ...]:
    with live_server.session() as s:
        return (
            s.scalar(select(func.count(CouncilSession.id))),
            s.scalar(select(func.max(CouncilSession.version))),
            s.scalar(select(func.count(ChangeEvent.seq))),
            s.scalar(select(func.count(CouncilSlotAnswer.id))),
            s.scalar(select(func.max(CouncilMentor.response_date))),
            s.scalar(select(func.count(Notification.id))),
        )


def _fields(r: httpx.Response) -> set[str]:
    assert r.status_code == 422, (r.status_code, r.text)
    return {e["field"] for e in r.json()["errors"]}


def _future(days: int = 5) -> str:
    return (utcnow() + timedelta(days=days)).replace(microsecond=0).isoformat()


def _body(make_slots: Any, **kw: Any) -> dict[str, Any]:
    return {"topic": "Pricing", "menteeId": 9, "proposedTimeSlots": make_slots(), **kw}


def test_create_refuses_out_of_range_ids_instants_and_past_slots(
    client: httpx.Client, login: Any, make_slots: Any, live_server: Any
) -> None:
    staff = login(client, COORD)
    before = _state(live_server)
    url = "/api/v1/councils"

    def slots_with(first: str) -> list[dict[str, str]]:
        slots = make_slots()
        slots[0] = {"start": first}
        return slots

    cases: list[tuple[dict[str, Any], str]] = [
        (_body(make_slots, menteeId=HUGE), "menteeId"),
        (_body(make_slots, leadMentorId=HUGE), "leadMentorId"),
        (_body(make_slots, proposedTimeSlots=slots_with(EARLY)), "proposedTimeSlots.0.start"),
        (_body(make_slots, proposedTimeSlots=slots_with(LATE)), "proposedTimeSlots.0.start"),
        (_body(make_slots, mentorResponseDeadline=EARLY), "mentorResponseDeadline"),
        (_body(make_slots, mentorResponseDeadline=LATE), "mentorResponseDeadline"),
        (
            _body(
                make_slots,
                proposedTimeSlots=slots_with((utcnow() - timedelta(hours=1)).isoformat()),
            ),
            "proposedTimeSlots.0.start",
        ),
    ]
    for body, field in cases:
        r = client.post(url, json=body, headers=staff)
        assert field in _fields(r), (field, r.text)
    assert _state(live_server) == before


def test_patch_refuses_out_of_range_ids_instants_and_past_slots(
    client: httpx.Client, login: Any, make_slots: Any, live_server: Any
) -> None:
    staff = login(client, COORD)
    council = create_council(client, staff, make_slots())
    url = f"/api/v1/councils/{council['id']}"
    headers = {**staff, "If-Match": f'"{council["version"]}"'}
    before = _state(live_server)
    past = make_slots()
    past[2] = {"start": (utcnow() - timedelta(days=1)).isoformat()}
    cases: list[tuple[dict[str, Any], str]] = [
        ({"leadMentorId": HUGE}, "leadMentorId"),
        ({"mentorResponseDeadline": EARLY}, "mentorResponseDeadline"),
        ({"mentorResponseDeadline": LATE}, "mentorResponseDeadline"),
        ({"proposedTimeSlots": [{"start": LATE}, *make_slots()[:2]]}, "proposedTimeSlots.0.start"),
        ({"proposedTimeSlots": past}, "proposedTimeSlots.2.start"),
    ]
    for body, field in cases:
        r = client.patch(url, json=body, headers=headers)
        assert field in _fields(r), (field, r.text)
    assert _state(live_server) == before


def test_mentee_list_filters_refuse_overflowing_instants(
    client: httpx.Client, login: Any, live_server: Any
) -> None:
    mentee = login(client, MENTEE)
    for name in ("deadlineFrom", "deadlineTo", "updatedSince"):
        for value in (EARLY, LATE):
            r = client.get("/api/v1/councils", params={name: value}, headers=mentee)
            assert _fields(r) == {name}, (name, value, r.text)
    ok = client.get("/api/v1/councils", params={"deadlineFrom": _future(-3)}, headers=mentee)
    assert ok.status_code == 200, ok.text


def test_responses_refuse_overflowing_instants_huge_ids_and_past_alternatives(
    client: httpx.Client, login: Any, make_slots: Any, live_server: Any
) -> None:
    council = invited_council(client, login(client, COORD), make_slots())
    slot = council["proposedTimeSlots"][0]
    me = login(client, mentor_email(MENTOR_IDS[0]))
    url = f"/api/v1/councils/{council['id']}/responses/me"
    before = _state(live_server)
    hour_ago = (utcnow() - timedelta(hours=1)).isoformat()
    cases: list[tuple[dict[str, Any], str]] = [
        ({"slots": [{"slotId": HUGE, "answer": "available"}]}, "slots.0.slotId"),
        (
            {
                "slots": [
                    {
                        "slotId": slot["id"],
                        "answer": "available",
                        "partialRanges": [{"start": EARLY, "end": slot["end"]}],
                    }
                ]
            },
            "slots.0.partialRanges.0.start",
        ),
        (
            {
                "slots": [
                    {
                        "slotId": slot["id"],
                        "answer": "tentative",
                        "partialRanges": [{"start": slot["start"], "end": LATE}],
                    }
                ]
            },
            "slots.0.partialRanges.0.end",
        ),
        (
            {"alternativeProposals": [{"start": EARLY, "end": _future()}]},
            "alternativeProposals.0.start",
        ),
        (
            {"alternativeProposals": [{"start": _future(), "end": LATE}]},
            "alternativeProposals.0.end",
        ),
        (
            {"alternativeProposals": [{"start": hour_ago, "end": _future(1)}]},
            "alternativeProposals.0.start",
        ),
    ]
    for body, field in cases:
        r = client.put(url, json={**body, "conflictNotes": "not stored"}, headers=me)
        assert field in _fields(r), (field, r.text)
    assert _state(live_server) == before
    staff = login(client, COORD)
    draft = create_council(client, staff, make_slots())
    invite = client.post(
        f"/api/v1/councils/{draft['id']}/invitations",
        json={"mentorResponseDeadline": LATE},
        headers={**staff, "If-Match": f'"{draft["version"]}"'},
    )
    assert _fields(invite) == {"mentorResponseDeadline"}


BAD_TEXT = [
    ("topic", "Pricing\r\nBcc: everyone@example.com"),
    ("topic", "Pricing\nstrategy"),
    ("topic", "Pricing\x07"),
    ("topic", "Pricing\u2028strategy"),
    ("topic", "x" * 201),
    ("videoLink", "javascript:alert(1)"),
    ("videoLink", "http://meet.example.com/abc"),
    ("videoLink", "meet.example.com/abc"),
    ("videoLink", "https://meet.example.com/abc\r\nBcc: x@example.com"),
    ("videoLink", "https://meet.example.com/a b"),
    ("videoLink", "https:///no-host"),
    ("videoLink", "https://user:pw@meet.example.com/abc"),
    ("videoLink", ""),
]


def test_topic_and_video_link_are_checked_on_create_and_patch(
    client: httpx.Client, login: Any, make_slots: Any, live_server: Any
) -> None:
    staff = login(client, COORD)
    council = create_council(client, staff, make_slots())
    before = _state(live_server)
    for field, value in BAD_TEXT:
        r = client.post("/api/v1/councils", json=_body(make_slots, **{field: value}), headers=staff)
        assert _fields(r) == {field}, (value, r.text)
        r = client.patch(
            f"/api/v1/councils/{council['id']}",
            json={field: value},
            headers={**staff, "If-Match": f'"{council["version"]}"'},
        )
        assert _fields(r) == {field}, (value, r.text)
    assert _state(live_server) == before


def test_a_good_video_link_and_topic_are_kept(
    client: httpx.Client, login: Any, make_slots: Any
) -> None:
    staff = login(client, COORD)
    link = "https://meet.example.com/c/42?pwd=x"
    council = create_council(client, staff, make_slots(), topic="Go-to-market: EU", videoLink=link)
    assert council["videoLink"] == link and council["topic"] == "Go-to-market: EU"
    r = client.patch(
        f"/api/v1/councils/{council['id']}",
        json={"videoLink": None},
        headers={**staff, "If-Match": f'"{council["version"]}"'},
    )
    assert r.status_code == 200 and r.json()["videoLink"] is None


def test_notification_subject_is_one_line(
    client: httpx.Client, login: Any, make_slots: Any, live_server: Any
) -> None:
    staff = login(client, COORD)
    council = invited_council(client, staff, make_slots())
    before = _state(live_server)
    r = client.post(
        f"/api/v1/councils/{council['id']}/notifications",
        json={"kind": "custom", "subject": "Hi\r\nBcc: all@example.com", "message": "Hello"},
        headers=staff,
    )
    assert _fields(r) == {"subject"}
    assert _state(live_server) == before


def test_confirm_refuses_a_video_link_that_is_not_https(
    client: httpx.Client, login: Any, make_slots: Any, live_server: Any
) -> None:
    staff = login(client, COORD)
    council = invited_council(client, staff, make_slots())
    answer(
        client, council["id"], MENTOR_IDS[:3], {council["proposedTimeSlots"][0]["id"]: "available"}
    )
    before = _state(live_server)
    for value in ("javascript:alert(1)", "https://meet.example.com/x\r\nBcc: a@example.com"):
        r = client.post(
            f"/api/v1/councils/{council['id']}/confirm",
            json={
                "slotId": council["proposedTimeSlots"][0]["id"],
                "attendingMentorIds": MENTOR_IDS[:3],
                "videoLink": value,
            },
            headers={**staff, "If-Match": etag(client, staff, council["id"])},
        )
        assert _fields(r) == {"videoLink"}, (value, r.text)
    assert _state(live_server) == before

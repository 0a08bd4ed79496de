"""The mentor's response page in a real browser: answers with partial ranges, alternatives
and a note; a refused form keeps the input and names the field; refused links."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from p2_helpers import COORD, MENTOR_IDS, answer, etag, invited_council, links_for
from playwright.sync_api import Page, expect

from mentra_desktop.models import CouncilSession, User, utcnow
from mentra_platform.responses.page_links import make_page_claims, sign_page_token
from web.web_helpers import LABELLED, bearer, response_link

LA = ZoneInfo("America/Los_Angeles")  # mentor1's profile zone (user 10)
TOPIC = '<b>Sales</b> & "hiring" <script>alert(1)</script>'


def _council(client: httpx.Client, make_slots: Any) -> dict[str, Any]:
    headers = bearer(client, COORD)
    return invited_council(client, headers, make_slots(days=6, n=3, hour=14), topic=TOPIC)


def _clock(when: datetime) -> str:
    return when.astimezone(LA).strftime("%H:%M")


def _local(instant: str, fmt: str) -> str:
    return datetime.fromisoformat(instant).astimezone(LA).strftime(fmt)


def test_answer_with_partial_ranges_alternatives_and_note(
    live_server: Any, client: httpx.Client, page: Page, make_slots: Any, shots: Any
) -> None:
    council = _council(client, make_slots)
    cid, slots = council["id"], council["proposedTimeSlots"]
    link = response_link(live_server, cid, MENTOR_IDS[0])
    page.goto(live_server.url + link)
    expect(page.locator("h1")).to_contain_text("Your availability")
    # HTML in the topic is text: the script never becomes an element.
    expect(page.locator("h1 .muted")).to_have_text(TOPIC)
    assert page.locator("main script").count() == 0
    first = page.locator(f"#slot-{slots[0]['id']} legend")
    expect(first).to_contain_text("(America/Los_Angeles)")
    expect(first).to_contain_text(_local(slots[0]["start"], "%H:%M"))
    expect(first).to_contain_text("14:00–15:00 UTC")
    assert page.evaluate(LABELLED) == []
    shots(page, "web-respond")

    s1, s2, s3 = (s["id"] for s in slots)
    page.click(f"label[for=slot-{s1}-available]")
    page.locator(f"#slot-{s1} summary").click()
    page.fill(f"#slot-{s1}-from-0", _local(slots[0]["start"], "%H:%M"))
    page.fill(f"#slot-{s1}-to-0", _local(slots[0]["start"], "%H:") + "30")
    page.click(f"label[for=slot-{s2}-tentative]")
    page.locator(f"#slot-{s2} summary").click()
    start2 = datetime.fromisoformat(slots[1]["start"])
    page.fill(f"#slot-{s2}-from-0", _clock(start2 + timedelta(minutes=15)))
    page.fill(f"#slot-{s2}-to-0", _clock(start2 + timedelta(minutes=60)))
    page.click(f"label[for=slot-{s3}-unavailable]")
    alt_day = (utcnow() + timedelta(days=20)).astimezone(LA).date()
    page.fill("#alt-0-date", alt_day.isoformat())
    page.fill("#alt-0-from", "09:00")
    page.fill("#alt-0-to", "10:30")
    note = "Tuesdays are <i>tight</i> & I travel"
    page.fill("#note", note)
    page.click("text=Send my answers")

    expect(page.locator("#saved-h")).to_have_text("Thank you, your answers are recorded")
    summary = page.locator("section[aria-labelledby=recorded-h]")
    expect(summary).to_contain_text("Available")
    expect(summary).to_contain_text("Tentative")
    expect(summary).to_contain_text("Not available")
    day_text = f"{alt_day:%a} {alt_day.day} {alt_day:%b %Y}"
    expect(summary).to_contain_text(f"Also possible: {day_text}, 09:00–10:30")
    expect(summary).to_contain_text(note)  # shown as text, not markup
    assert page.locator("main i").count() == 0
    expect(page.locator(f"#slot-{s1}-from-0")).to_have_value(_local(slots[0]["start"], "%H:%M"))
    expect(page.locator("#note")).to_have_value(note)
    shots(page, "web-respond-saved", at=page.locator("header"))

    mine = client.get(
        f"/api/v1/councils/{cid}/responses/me", headers=bearer(client, "mentor1@example.com")
    ).json()
    answers = {a["slotId"]: a for a in mine["slotAnswers"]}
    assert answers[s1]["answer"] == "available"
    start1 = datetime.fromisoformat(slots[0]["start"])
    got = [[datetime.fromisoformat(x) for x in r] for r in answers[s1]["partialRanges"]]
    assert got == [[start1, start1 + timedelta(minutes=30)]]
    got2 = [[datetime.fromisoformat(x) for x in r] for r in answers[s2]["partialRanges"]]
    assert answers[s2]["answer"] == "tentative"
    assert got2 == [[start2 + timedelta(minutes=15), start2 + timedelta(minutes=60)]]
    assert answers[s3]["answer"] == "unavailable"
    alt_start = datetime(alt_day.year, alt_day.month, alt_day.day, 9, tzinfo=LA)
    assert [[datetime.fromisoformat(x) for x in r] for r in mine["alternativeProposals"]] == [
        [alt_start, alt_start + timedelta(minutes=90)]
    ]
    assert mine["conflictNotes"] == note


def test_refused_form_keeps_input_and_names_the_field(
    live_server: Any, client: httpx.Client, page: Page, make_slots: Any, shots: Any
) -> None:
    council = _council(client, make_slots)
    cid, slots = council["id"], council["proposedTimeSlots"]
    s1 = slots[0]["id"]
    page.goto(live_server.url + response_link(live_server, cid, MENTOR_IDS[0]))
    page.click(f"label[for=slot-{s1}-available]")
    page.locator(f"#slot-{s1} summary").click()
    start = datetime.fromisoformat(slots[0]["start"])
    outside = (start + timedelta(hours=3)).astimezone(LA).strftime("%H:%M")
    page.fill(f"#slot-{s1}-from-0", outside)
    page.fill(f"#slot-{s1}-to-0", (start + timedelta(hours=4)).astimezone(LA).strftime("%H:%M"))
    yesterday = (utcnow() - timedelta(days=1)).astimezone(LA).date().isoformat()
    page.fill("#alt-0-date", yesterday)
    page.fill("#alt-0-from", "09:00")
    page.fill("#alt-0-to", "10:00")
    page.fill("#note", "kept note")
    page.click("text=Send my answers")

    range_error = page.locator(f"#slot-{s1}-range-0-error")
    expect(range_error).to_contain_text("must lie inside the slot")
    expect(range_error).to_contain_text(start.astimezone(LA).strftime("%H:%M"))
    expect(page.locator("#alt-0-error")).to_have_text("must be in the future")
    expect(page.locator(f"#slot-{s1}-from-0")).to_have_value(outside)
    expect(page.locator(f"#slot-{s1}-available")).to_be_checked()
    expect(page.locator("#alt-0-date")).to_have_value(yesterday)
    expect(page.locator("#note")).to_have_value("kept note")
    expect(page.locator(f"#slot-{s1}-from-0")).to_have_attribute(
        "aria-describedby", f"slot-{s1}-range-0-error"
    )
    shots(page, "web-respond-error", at=page.locator(f"#slot-{s1}"))

    # A typing mistake (end before start) is named too; nothing was recorded by either.
    page.fill("#alt-0-date", (utcnow() + timedelta(days=9)).astimezone(LA).date().isoformat())
    page.fill("#alt-0-to", "08:00")
    page.fill(f"#slot-{s1}-from-0", "")
    page.fill(f"#slot-{s1}-to-0", "")
    page.click("text=Send my answers")
    expect(page.locator("#alt-0-error")).to_contain_text("end must be after start")
    mine = client.get(
        f"/api/v1/councils/{cid}/responses/me", headers=bearer(client, "mentor1@example.com")
    ).json()
    assert mine["slotAnswers"] == [] and mine["conflictNotes"] == ""


def test_used_expired_foreign_removed_and_deactivated_links_are_refused(
    live_server: Any, client: httpx.Client, page: Page, make_slots: Any, shots: Any
) -> None:
    council = _council(client, make_slots)
    cid = council["id"]
    base = live_server.url
    # A one-click link: confirm once, then it is used.
    one_click = links_for(live_server, cid, MENTOR_IDS[0])[0]
    page.goto(base + one_click)
    expect(page.locator("h1")).to_have_text("Confirm your availability")
    expect(page.locator("main")).to_contain_text(TOPIC)  # HTML in the topic is text
    assert page.locator("main script, main b").count() == 0
    shots(page, "web-one-click")
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_have_text("Thank you")
    page.goto(base + one_click)
    expect(page.locator("h1")).to_have_text("Link already used")

    secret = live_server.settings.secret_key.encode()
    link = response_link(live_server, cid, MENTOR_IDS[0])
    seat, mentor = (int(x) for x in link.split(".")[2:4])
    past = make_page_claims(
        cid, seat, mentor, now=utcnow() - timedelta(hours=2), lifetime=timedelta(hours=1)
    )
    response = page.goto(f"{base}/respond/{sign_page_token(secret, past)}")
    assert response is not None and response.status == 410
    expect(page.locator("h1")).to_have_text("Link expired")
    shots(page, "web-link-expired")

    fresh = make_page_claims(cid, seat, mentor, now=utcnow(), lifetime=timedelta(hours=5))
    foreign = sign_page_token(b"another platform's secret", fresh)
    response = page.goto(f"{base}/respond/{foreign}")
    assert response is not None and response.status == 400
    expect(page.locator("h1")).to_have_text("Link not valid")
    tampered = link.replace(f"/respond/f1.{cid}.", f"/respond/f1.{cid + 1}.")
    response = page.goto(base + tampered)
    assert response is not None and response.status == 400

    # The coordinator takes mentor 2 off the council: their link now says so.
    removed_link = response_link(live_server, cid, MENTOR_IDS[1])
    headers = bearer(client, COORD)
    r = client.delete(
        f"/api/v1/councils/{cid}/mentors/{MENTOR_IDS[1]}",
        headers={**headers, "If-Match": etag(client, headers, cid)},
    )
    assert r.status_code in (200, 204), r.text
    response = page.goto(base + removed_link)
    assert response is not None and response.status == 403
    expect(page.locator("h1")).to_have_text("You are no longer on this council")
    expect(page.locator("main")).to_contain_text("Nothing was recorded")
    shots(page, "web-link-removed")

    # Mentor 3's account is deactivated.
    with live_server.session() as s:
        user = s.get(User, MENTOR_IDS[2])
        assert user is not None
        user.is_active = False
        s.commit()
    response = page.goto(base + response_link(live_server, cid, MENTOR_IDS[2]))
    assert response is not None and response.status == 403
    expect(page.locator("h1")).to_have_text("Account deactivated")

    # The coordinator moved the deadline into the past: the page says answers are closed.
    with live_server.session() as s:
        row = s.get(CouncilSession, cid)
        assert row is not None
        row.mentor_response_deadline = utcnow() - timedelta(minutes=1)
        s.commit()
    response = page.goto(base + link)
    assert response is not None and response.status == 410
    expect(page.locator("h1")).to_have_text("Answers are closed")
    expect(page.locator("main")).to_contain_text("(America/Los_Angeles)")


def test_keyboard_alone_answers_a_slot(
    live_server: Any, client: httpx.Client, page: Page, make_slots: Any, shots: Any
) -> None:
    council = _council(client, make_slots)
    cid, s1 = council["id"], council["proposedTimeSlots"][0]["id"]
    page.goto(live_server.url + response_link(live_server, cid, MENTOR_IDS[0]))
    for _ in range(20):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.type") == "radio":
            break
    assert page.evaluate("document.activeElement.id") == f"slot-{s1}-available"
    page.keyboard.press("Space")
    page.keyboard.press("ArrowRight")  # moves the choice to "Tentative"
    expect(page.locator(f"#slot-{s1}-tentative")).to_be_checked()
    shots(page, "web-respond-keyboard", at=page.locator(f"#slot-{s1}"))
    page.focus("#note")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Send my answers"
    page.keyboard.press("Enter")
    expect(page.locator("#saved-h")).to_be_visible()
    assert datetime.now(UTC)  # the page loaded after a keyboard-only submit


def test_confirmed_council_shows_the_final_time_and_calendar_file(
    live_server: Any, client: httpx.Client, page: Page, make_slots: Any, shots: Any
) -> None:
    headers = bearer(client, COORD)
    council = invited_council(
        client,
        headers,
        make_slots(days=6, n=3, hour=17),
        topic="Fundraising for a seed round",
        videoLink="https://meet.example.com/seed",
    )
    cid, slot = council["id"], council["proposedTimeSlots"][1]
    link = response_link(live_server, cid, MENTOR_IDS[0])
    late_client = httpx.Client(base_url=live_server.url)
    found = re.search(r'name="csrf" value="([0-9a-f]+)"', late_client.get(link).text)
    assert found is not None
    late_token = found.group(1)
    answer(client, cid, MENTOR_IDS[:3], {slot["id"]: "available"})
    r = client.post(
        f"/api/v1/councils/{cid}/confirm",
        json={"slotId": slot["id"], "attendingMentorIds": MENTOR_IDS[:3]},
        headers={**headers, "If-Match": etag(client, headers, cid)},
    )
    assert r.status_code == 200, r.text
    page.goto(live_server.url + link)
    final = page.locator("section[aria-labelledby=final-h]")
    expect(final).to_contain_text("The council is confirmed")
    expect(final).to_contain_text(_local(slot["start"], "%H:%M"))
    expect(final).to_contain_text("17:00–18:00 UTC")
    expect(final.get_by_role("link", name="https://meet.example.com/seed")).to_be_visible()
    expect(page.locator("form")).to_have_count(0)
    expect(page.locator("main")).to_contain_text("Answers are closed for this council.")
    shots(page, "web-respond-confirmed", at=page.locator("header"))
    ics = page.request.get(live_server.url + link + "/council.ics")
    assert ics.status == 200 and ics.headers["content-type"].startswith("text/calendar")
    body = ics.text()
    start = datetime.fromisoformat(slot["start"]).astimezone(UTC)
    assert f"DTSTART:{start:%Y%m%dT%H%M%S}Z" in body and "METHOD:REQUEST" in body
    assert "mentor1@example.com" in body
    # A form opened before the confirmation and sent after it is refused with the reason.
    late = late_client.post(
        link, data={f"slot-{slot['id']}-answer": "unavailable", "csrf": late_token}
    )
    late_client.close()
    assert late.status_code == 409 and "answers are closed" in late.text
    mine = client.get(
        f"/api/v1/councils/{cid}/responses/me", headers=bearer(client, "mentor1@example.com")
    ).json()
    assert {a["slotId"]: a["answer"] for a in mine["slotAnswers"]} == {slot["id"]: "available"}

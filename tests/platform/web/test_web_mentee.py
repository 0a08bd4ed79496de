"""The mentee's council page in a real browser: sign-in, registration with goals and
questions, a confirmed council in their own time; the page for users without the plan."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from p2_helpers import COORD, MENTEE, MENTOR_IDS, STARTER, answer, etag, invited_council
from playwright.sync_api import BrowserContext, Page, expect

from web.web_helpers import LABELLED, bearer

KOLKATA = ZoneInfo("Asia/Kolkata")
GOALS = "<script>alert('x')</script> Hire my <b>first</b> two sales reps"


def _sign_in(page: Page, base: str, email: str, password: str = "password123") -> None:
    page.goto(base + "/council")
    expect(page).to_have_url(base + "/signin")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("button[type=submit]")


def test_mentee_signs_in_registers_and_sees_the_confirmed_council(
    live_server: Any,
    client: httpx.Client,
    context: BrowserContext,
    page: Page,
    make_slots: Any,
    shots: Any,
) -> None:
    staff = bearer(client, COORD)
    council = invited_council(
        client,
        staff,
        make_slots(days=8, n=3, hour=9),
        topic="Pricing <i>a</i> B2B product",
        videoLink="https://meet.example.com/council-abc",
    )
    cid = council["id"]
    base = live_server.url

    page.goto(base + "/signin")
    assert page.evaluate(LABELLED) == []
    shots(page, "web-signin")
    page.fill("#email", MENTEE)
    page.fill("#password", "wrong password")
    page.click("button[type=submit]")
    expect(page.locator("#signin-error")).to_have_text("Wrong e-mail address or password.")
    expect(page.locator("#email")).to_have_value(MENTEE)
    page.fill("#password", "password123")
    page.click("button[type=submit]")
    expect(page).to_have_url(base + "/council")
    cookies = {c["name"]: c for c in context.cookies()}
    session = cookies["mentra_session"]
    assert session["httpOnly"] and session["sameSite"] == "Lax" and not session["secure"]
    assert cookies["mentra_csrf"]["httpOnly"] and cookies["mentra_csrf"]["sameSite"] == "Lax"
    # The browser session is no bearer token.
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {session['value']}"})
    assert me.status_code == 401

    expect(page.locator("main")).to_contain_text("Times are shown in UTC until you choose")
    shots(page, "web-council", at=page.locator("header"))
    page.select_option("#timezone", "Asia/Kolkata")
    page.click("text=Save time zone")
    expect(page.locator("main")).to_contain_text("your time zone, Asia/Kolkata")
    settings = client.get("/api/v1/me/notification-settings", headers=bearer(client, MENTEE))
    assert settings.json()["timezone"] == "Asia/Kolkata"

    card = page.locator(f"#council-{cid}")
    expect(card.locator("h3")).to_have_text("Pricing <i>a</i> B2B product")
    expect(card.locator(".status")).to_have_text("Waiting for 3 of 3 mentors")
    expect(card).to_contain_text("Invited mentors")
    assert page.evaluate(LABELLED) == []
    card.locator("textarea[name=goals]").fill("   ")
    card.locator("button[type=submit]").click()
    expect(page.locator(f"#goals-{cid}-error")).to_contain_text("must not be blank")
    card.locator("textarea[name=goals]").fill(GOALS)
    card.locator("textarea[name=questions]").fill("How do I price <em>annual</em> plans?")
    card.locator("button[type=submit]").click()
    expect(card.locator("[role=status]")).to_have_text("Your goals and questions are saved.")
    expect(card.locator("textarea[name=goals]")).to_have_value(GOALS)
    assert page.locator("main script, main b, main em").count() == 0
    shots(page, "web-council-registered", at=card)

    card.locator("textarea[name=goals]").fill("Hire two sales reps by March")
    card.locator("button[type=submit]").click()
    expect(card.locator("textarea[name=goals]")).to_have_value("Hire two sales reps by March")
    regs = client.get(f"/api/v1/councils/{cid}/registrations", headers=bearer(client, MENTEE))
    assert [i["goals"] for i in regs.json()["items"]] == ["Hire two sales reps by March"]

    slot = council["proposedTimeSlots"][0]
    answer(client, cid, MENTOR_IDS[:3], {slot["id"]: "available"})
    r = client.post(
        f"/api/v1/councils/{cid}/confirm",
        json={"slotId": slot["id"], "attendingMentorIds": MENTOR_IDS[:3]},
        headers={**staff, "If-Match": etag(client, staff, cid)},
    )
    assert r.status_code == 200, r.text

    page.goto(base + "/council")
    local = datetime.fromisoformat(slot["start"]).astimezone(KOLKATA)
    words = f"Confirmed for {local:%a} {local.day} {local:%b}, {local:%H:%M} your time"
    expect(card.locator(".status")).to_have_text(words)
    expect(card.get_by_role("link", name="https://meet.example.com/council-abc")).to_be_visible()
    expect(card).to_contain_text("Your mentors")
    expect(card).to_contain_text("Expertise:")
    expect(card.locator("textarea")).to_have_count(0)  # no more changes once confirmed
    expect(card).to_contain_text("Hire two sales reps by March")
    shots(page, "web-council-confirmed", at=card)

    ics = page.request.get(f"{base}/council/{cid}/council.ics")
    assert ics.status == 200 and ics.headers["content-type"].startswith("text/calendar")
    text = ics.text()
    assert "BEGIN:VEVENT" in text and "meet.example.com/council-abc" in text
    assert "council@example.com" in text and "mentor1@example.com" not in text

    page.click("text=Sign out")
    expect(page).to_have_url(base + "/signin?signed_out=1")
    page.goto(base + "/council")
    expect(page).to_have_url(base + "/signin")


def test_user_without_the_council_plan_gets_the_explanation(
    live_server: Any, page: Page, shots: Any
) -> None:
    _sign_in(page, live_server.url, STARTER)
    expect(page.locator("h1")).to_have_text("Councils need the Council plan")
    expect(page.locator("main")).to_contain_text("Council plan ($99 a month)")
    shots(page, "web-no-plan")
    page.click("text=Sign out")
    expect(page).to_have_url(live_server.url + "/signin?signed_out=1")


def test_a_mentor_signing_in_is_told_where_to_answer(live_server: Any, page: Page) -> None:
    _sign_in(page, live_server.url, "mentor1@example.com")
    expect(page.locator("h1")).to_have_text("This page is for mentees")
    expect(page.locator("main")).to_contain_text("link in each invitation")

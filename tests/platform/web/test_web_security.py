"""The pages' security over plain HTTP (no browser needed): CSRF on every form, cookie
flags (Secure only over HTTPS, X-Forwarded-Proto only from trusted proxies), the sign-in
throttle shared with the API, response-page links in the mail and redacted for others."""

from __future__ import annotations

import dataclasses
import re
from typing import Any

import httpx
from p2_helpers import COORD, MENTEE, MENTOR_IDS, invited_council

from mentra_platform.http.app import bind_state
from web.web_helpers import RESPOND, bearer, response_link

CSRF = re.compile(r'name="csrf" value="([0-9a-f]+)"')


def _csrf(response: httpx.Response) -> str:
    found = CSRF.search(response.text)
    assert found is not None, response.text
    return found.group(1)


def _set_cookies(response: httpx.Response) -> dict[str, str]:
    return {h.split("=", 1)[0]: h for h in response.headers.get_list("set-cookie")}


def test_every_form_needs_its_csrf_token(
    live_server: Any, client: httpx.Client, make_slots: Any
) -> None:
    page = client.get("/signin")
    token = _csrf(page)
    form = {"email": MENTEE, "password": "password123"}
    assert client.post("/signin", data=form).status_code == 403
    assert client.post("/signin", data={**form, "csrf": "0" * 64}).status_code == 403
    with httpx.Client(base_url=live_server.url) as stranger:  # no CSRF cookie at all
        assert stranger.post("/signin", data={**form, "csrf": token}).status_code == 403
    signed_in = client.post("/signin", data={**form, "csrf": token})
    assert signed_in.status_code == 303 and signed_in.headers["location"] == "/council"

    council = invited_council(client, bearer(client, COORD), make_slots(days=6))
    cid = council["id"]
    # A token from the sign-in page is not valid once signed in (it is bound to the session).
    r = client.post(f"/council/{cid}/registration", data={"goals": "x", "csrf": token})
    assert r.status_code == 403 and "Nothing was recorded" in r.text
    assert (
        client.get(f"/api/v1/councils/{cid}/registrations", headers=bearer(client, MENTEE)).json()[
            "items"
        ]
        == []
    )
    good = _csrf(client.get("/council"))
    r = client.post(f"/council/{cid}/registration", data={"goals": "Grow", "csrf": good})
    assert r.status_code == 303
    assert client.post("/signout", data={}).status_code == 403
    assert client.post("/council/timezone", data={"timezone": "Asia/Tokyo"}).status_code == 403
    bad_zone = client.post("/council/timezone", data={"timezone": "Mars/Base", "csrf": good})
    assert bad_zone.status_code == 422 and "Choose a time zone from the list" in bad_zone.text

    link = response_link(live_server, cid, MENTOR_IDS[0])
    slot = council["proposedTimeSlots"][0]["id"]
    answer = {f"slot-{slot}-answer": "available", "note": "n"}
    assert client.post(link, data=answer).status_code == 403
    other = response_link(live_server, cid, MENTOR_IDS[1])
    other_token = _csrf(client.get(other))  # a token for another mentor's page
    assert client.post(link, data={**answer, "csrf": other_token}).status_code == 403
    mine = client.get(
        f"/api/v1/councils/{cid}/responses/me", headers=bearer(client, "mentor1@example.com")
    ).json()
    assert mine["slotAnswers"] == []
    r = client.post(link, data={**answer, "csrf": _csrf(client.get(link))})
    assert r.status_code == 303 and r.headers["location"].endswith("?saved=1")


def test_cookie_flags_and_https_detection(live_server: Any, _servers: dict[str, Any]) -> None:
    with httpx.Client(base_url=live_server.url) as c:
        page = c.get("/signin", headers={"X-Forwarded-Proto": "https"})
        csrf_cookie = _set_cookies(page)["mentra_csrf"].lower()
        assert "httponly" in csrf_cookie and "samesite=lax" in csrf_cookie
        assert "secure" not in csrf_cookie  # no trusted proxy: the header is not believed
        r = c.post(
            "/signin", data={"email": MENTEE, "password": "password123", "csrf": _csrf(page)}
        )
        session = _set_cookies(r)["mentra_session"].lower()
        assert "httponly" in session and "samesite=lax" in session and "path=/" in session
        assert "secure" not in session
    app = _servers["sqlite"][0].config.app
    behind_proxy = dataclasses.replace(live_server.settings, trusted_proxies=("127.0.0.1/32",))
    bind_state(app, behind_proxy, live_server.db)
    with httpx.Client(base_url=live_server.url) as c:
        page = c.get("/signin", headers={"X-Forwarded-Proto": "https"})
        csrf_cookie = _set_cookies(page)["mentra_csrf"]
        assert "secure" in csrf_cookie.lower()
        # A browser sends a Secure cookie only over HTTPS (the proxy's side); so do we.
        value = csrf_cookie.split(";", 1)[0]
        r = c.post(
            "/signin",
            headers={"X-Forwarded-Proto": "https", "Cookie": value},
            data={"email": MENTEE, "password": "password123", "csrf": _csrf(page)},
        )
        assert r.status_code == 303, r.text
        assert "secure" in _set_cookies(r)["mentra_session"].lower()
    public_https = dataclasses.replace(live_server.settings, public_base_url="https://m.example")
    bind_state(app, public_https, live_server.db)
    with httpx.Client(base_url=live_server.url) as c:
        assert "secure" in _set_cookies(c.get("/signin"))["mentra_csrf"].lower()
    bind_state(app, live_server.settings, live_server.db)


def test_sign_in_is_throttled_like_the_api(live_server: Any, client: httpx.Client) -> None:
    token = _csrf(client.get("/signin"))
    wrong = {"email": MENTEE, "password": "nope", "csrf": token}
    for _ in range(5):
        r = client.post("/signin", data=wrong)
        assert r.status_code == 401 and "Wrong e-mail address or password" in r.text
    r = client.post("/signin", data={**wrong, "password": "password123"})
    assert r.status_code == 429 and "Too many failed sign-ins" in r.text
    assert int(r.headers["Retry-After"]) > 0
    # The API counts the same failures.
    api = client.post("/api/v1/auth/login", json={"email": MENTEE, "password": "password123"})
    assert api.status_code == 429


def test_invitation_carries_the_response_page_and_others_see_it_redacted(
    live_server: Any, client: httpx.Client, make_slots: Any
) -> None:
    staff = bearer(client, COORD)
    council = invited_council(client, staff, make_slots(days=6))
    cid = council["id"]
    own = client.get(
        f"/api/v1/councils/{cid}/notifications", headers=bearer(client, "mentor1@example.com")
    ).json()
    bodies = [n["body"] for n in (own if isinstance(own, list) else own["items"])]
    assert any(RESPOND.search(b) for b in bodies)
    link = RESPOND.search(bodies[0])
    assert link is not None and client.get(link.group(0)).status_code == 200
    listed = client.get(f"/api/v1/councils/{cid}/notifications", headers=staff).json()
    items = listed if isinstance(listed, list) else listed["items"]
    invitations = [n for n in items if n["kind"] == "invitation"]
    assert invitations and all("/respond/[redacted]" in n["body"] for n in invitations)
    assert not any(RESPOND.search(n["body"]) for n in invitations)
    # A coordinator's reminder carries each mentor's own link too, redacted in the answer.
    sent = client.post(
        f"/api/v1/councils/{cid}/notifications", json={"kind": "reminder"}, headers=staff
    )
    assert sent.status_code == 201, sent.text
    assert all("/respond/[redacted]" in n["body"] for n in sent.json()["items"])
    own = client.get(
        f"/api/v1/councils/{cid}/notifications?kind=reminder",
        headers=bearer(client, "mentor2@example.com"),
    ).json()
    reminder = RESPOND.search(own[-1]["body"])
    assert reminder is not None and client.get(reminder.group(0)).status_code == 200

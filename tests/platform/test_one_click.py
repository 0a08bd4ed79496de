"""One-click response links: signing and pages (pure), then the live endpoints."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from p2_helpers import COORD, MENTOR_IDS, invited_council, links_for
from sqlalchemy import select

from mentra_desktop.models import AvailabilityResponse, CouncilMentor, CouncilSlotAnswer
from mentra_platform.core.tables import OneClickToken
from mentra_platform.responses.one_click import (
    OneClickClaims,
    TokenExpired,
    TokenInvalid,
    format_slot_local,
    make_claims,
    render_confirm_page,
    render_refusal,
    sign_token,
    verify_token,
)

SECRET = b"test-secret-key"
NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def _token(**kw: object) -> tuple[OneClickClaims, str]:
    claims = make_claims(11, 22, "available", now=NOW, **kw)  # type: ignore[arg-type]
    return claims, sign_token(SECRET, claims)


def test_round_trip() -> None:
    claims, token = _token()
    assert verify_token(SECRET, token, now=NOW) == claims
    assert claims.expires_at == NOW + timedelta(days=7)


@pytest.mark.parametrize("field", range(7))
def test_any_changed_field_is_refused(field: int) -> None:
    _, token = _token()
    parts = token.split(".")
    parts[field] = parts[field][:-1] + ("1" if parts[field][-1] != "1" else "2")
    with pytest.raises(TokenInvalid):
        verify_token(SECRET, ".".join(parts), now=NOW)


def test_swapped_answer_other_key_and_garbage_are_refused() -> None:
    _, token = _token()
    forged = token.replace(".available.", ".unavailable.")
    for bad in (forged, "", "x" * 300, "a.b.c", token + "x", "é" + token):
        with pytest.raises(TokenInvalid):
            verify_token(SECRET, bad, now=NOW)
    with pytest.raises(TokenInvalid):
        verify_token(b"other-key", token, now=NOW)


def test_expired_is_refused_after_signature_check() -> None:
    claims, token = _token(lifetime=timedelta(hours=1))
    assert verify_token(SECRET, token, now=NOW + timedelta(minutes=59)) == claims
    with pytest.raises(TokenExpired):
        verify_token(SECRET, token, now=NOW + timedelta(hours=1))


def test_nonces_are_unique() -> None:
    assert len({make_claims(1, 1, "available", now=NOW).nonce for _ in range(200)}) == 200


def test_slot_shown_in_mentor_zone_across_dst() -> None:
    start = datetime(2026, 3, 30, 15, 0, tzinfo=UTC)
    text = format_slot_local(start, start + timedelta(hours=1), "Europe/Berlin")
    assert text == "Mon 30 Mar 2026, 17:00–18:00 CEST (Europe/Berlin)"
    text = format_slot_local(start, start + timedelta(hours=1), "Not/AZone")
    assert text.endswith("15:00–16:00 UTC (UTC)")


def test_pages_escape_everything() -> None:
    page = render_confirm_page(
        topic="<script>alert(1)</script>",
        slot_text="now",
        answer="unavailable",
        mentor_name='Eve "x"',
        action="/r/abc",
    )
    assert "<script>" not in page
    assert "&lt;script&gt;" in page
    assert 'method="post"' in page
    assert "NOT available" in page
    status, page = render_refusal("used")
    assert status == 410
    assert "already been used" in page
    assert render_refusal("whatever")[0] == 400


# --- live server --------------------------------------------------------------------------

LIVE_SECRET = b"test-secret-key-not-for-production"  # conftest.make_settings


def _setup(client: Any, login: Any, make_slots: Any, live_server: Any) -> tuple[int, list[str]]:
    staff = login(client, COORD)
    council = invited_council(client, staff, make_slots())
    return council["id"], links_for(live_server, council["id"], MENTOR_IDS[0])


def _answers(live_server: Any, council_id: int) -> list[tuple[int, str]]:
    with live_server.session() as s:
        rows = s.execute(
            select(CouncilSlotAnswer.slot_id, CouncilSlotAnswer.answer)
            .join(CouncilMentor, CouncilMentor.id == CouncilSlotAnswer.council_mentor_id)
            .where(CouncilMentor.council_id == council_id)
        ).all()
    return [(int(a), str(b.value)) for a, b in rows]


def test_get_shows_page_post_spends_once(
    client: Any, login: Any, make_slots: Any, live_server: Any
) -> None:
    council_id, links = _setup(client, login, make_slots, live_server)
    assert len(links) == 6  # 3 slots x (available, unavailable)
    for _ in range(2):  # a mail scanner prefetch, then the mentor
        page = client.get(links[0])
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        assert page.headers["cache-control"] == "no-store"
        assert "Building a first sales team" in page.text
        assert "(America/Los_Angeles)" in page.text  # mentor1's own zone
        assert 'method="post"' in page.text
    assert _answers(live_server, council_id) == []
    done = client.post(links[0])
    assert done.status_code == 200, done.text
    assert "Recorded: you are available" in done.text
    again = client.post(links[0])
    assert again.status_code == 410
    assert "already been used" in again.text
    assert client.get(links[0]).status_code == 410
    answers = _answers(live_server, council_id)
    assert len(answers) == 1 and answers[0][1] == "available"
    with live_server.session() as s:
        seat = s.scalars(
            select(CouncilMentor).where(
                CouncilMentor.council_id == council_id, CouncilMentor.mentor_id == MENTOR_IDS[0]
            )
        ).one()
        assert seat.availability_response == AvailabilityResponse.AVAILABLE
        assert seat.response_date is not None


def test_tampered_and_expired_links_refused(
    client: Any, login: Any, make_slots: Any, live_server: Any
) -> None:
    council_id, links = _setup(client, login, make_slots, live_server)
    token = links[0].removeprefix("/r/")
    forged = token.replace(".available.", ".unavailable.")
    for bad in (forged, token[:-2] + ("AA" if token[-2:] != "AA" else "BB"), "nonsense"):
        assert client.get(f"/r/{bad}").status_code == 400
        assert client.post(f"/r/{bad}").status_code == 400
    # Correctly signed but expired: refused before anything is looked up or spent.
    past = make_claims(1, 1, "available", now=NOW - timedelta(days=30))
    expired = sign_token(LIVE_SECRET, past)
    assert client.get(f"/r/{expired}").status_code == 410
    r = client.post(f"/r/{expired}")
    assert r.status_code == 410 and "expired" in r.text
    # Signed with the right key but no nonce row (e.g. a seat that was removed).
    orphan = sign_token(LIVE_SECRET, make_claims(1, 1, "available", now=datetime.now(UTC)))
    assert client.post(f"/r/{orphan}").status_code == 400
    assert _answers(live_server, council_id) == []


def test_concurrent_posts_spend_the_token_once(
    client: Any, login: Any, make_slots: Any, live_server: Any
) -> None:
    council_id, links = _setup(client, login, make_slots, live_server)

    def hit(_: int) -> int:
        with httpx.Client(base_url=live_server.url, timeout=10) as c:
            return c.post(links[1]).status_code

    with ThreadPoolExecutor(max_workers=6) as pool:
        codes = sorted(pool.map(hit, range(6)))
    assert codes == [200] + [410] * 5
    assert _answers(live_server, council_id) == [
        (_answers(live_server, council_id)[0][0], "unavailable")
    ]
    with live_server.session() as s:
        used = s.scalars(select(OneClickToken).where(OneClickToken.used_at.is_not(None))).all()
    assert len(used) == 1

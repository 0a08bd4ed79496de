"""One-click response links: signing and pages (pure), then the live endpoints."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from mentra_platform.one_click import (
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

"""Councils: list/sync, read, create, update (If-Match), cancel."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mentra_desktop.models import (
    MAX_ID,
    STAFF_ROLES,
    AuditLog,
    CoordinationStatus,
    CouncilSession,
    CouncilSlot,
    Role,
    User,
)
from mentra_desktop.models.wire.councils import (
    CancelIn,
    CouncilCreate,
    CouncilOut,
    CouncilPage,
    CouncilPatch,
    SlotIn,
)
from mentra_platform.core.changes import latest_seq, record_change
from mentra_platform.core.errors import (
    Conflict,
    NotFound,
    field_error,
)
from mentra_platform.councils.access import check_if_match, etag
from mentra_platform.councils.documents import council_dicts, council_documents
from mentra_platform.councils.queries import apply_filters, can_see, for_reader
from mentra_platform.http.deps import (
    CouncilId,
    CouncilUser,
    IfMatch,
    ReadSession,
    StaffUser,
    WriteSession,
)
from mentra_platform.http.errors import error_responses
from mentra_platform.http.idempotency import IDEMPOTENT_RESPONSES, Idem
from mentra_platform.http.page_cache import PageCache

router = APIRouter(prefix="/api/v1", tags=["councils"])

MAX_PAGE = 1000
_PATCHABLE_STATUSES = {
    CoordinationStatus.DRAFT,
    CoordinationStatus.COLLECTING,
    CoordinationStatus.SELECTING,
    CoordinationStatus.NEEDS_ALTERNATIVES,
    CoordinationStatus.RESCHEDULING,
}


def _dumps(content: Any) -> bytes:
    return json.dumps(content, separators=(",", ":"), ensure_ascii=False).encode()


def _json(content: Any, status_code: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(
        _dumps(content), status_code=status_code, headers=headers, media_type="application/json"
    )


@router.get(
    "/councils",
    response_model=CouncilPage,
    responses=error_responses(401, 403, 422),
    summary="List councils, or sync only those changed since a cursor",
)
def list_councils(
    request: Request,
    user: CouncilUser,
    session: ReadSession,
    status: Annotated[list[CoordinationStatus] | None, Query()] = None,
    deadline_from: Annotated[datetime | None, Query(alias="deadlineFrom")] = None,
    deadline_to: Annotated[datetime | None, Query(alias="deadlineTo")] = None,
    mentor_id: Annotated[int | None, Query(alias="mentorId", ge=1, le=MAX_ID)] = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    updated_since: Annotated[datetime | None, Query(alias="updatedSince")] = None,
    since: Annotated[
        int | None,
        Query(ge=0, le=2**62, description="Change cursor: councils changed after it, oldest first"),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100,
    offset: Annotated[int, Query(ge=0, le=2**31)] = 0,
) -> Response:
    """Without ``since``: filtered, newest first, ``limit``/``offset`` paging; ``nextCursor``
    is the change cursor as of this read. With ``since``: councils whose last change is after
    the cursor, in change order; keep passing ``nextCursor`` back until ``hasMore`` is false.
    """
    for name, value in (
        ("deadlineFrom", deadline_from),
        ("deadlineTo", deadline_to),
        ("updatedSince", updated_since),
    ):
        if value is not None and value.tzinfo is None:
            raise field_error(name, "needs a timezone offset")
    filters: dict[str, Any] = {
        "user": user,
        "statuses": status or (),
        "deadline_from": deadline_from,
        "deadline_to": deadline_to,
        "mentor_id": mentor_id,
        "q": q,
        "updated_since": updated_since,
        "since": since,
    }
    # Read before the page, so a cached page is never older than the seq it is filed under.
    snapshot = latest_seq(request.app.state.db)
    cache: PageCache = request.app.state.page_cache
    key = (_scope(user), tuple(sorted(request.query_params.multi_items())))
    body = cache.get_or_build(
        key, snapshot, lambda: _list_page(session, user, filters, limit, offset, snapshot)
    )
    return Response(body, media_type="application/json")


def _list_page(
    session: Session,
    user: User,
    filters: dict[str, Any],
    limit: int,
    offset: int,
    snapshot: int,
) -> bytes:
    """One list or sync page as JSON bytes; ``snapshot`` is the change seq read before it."""
    since: int | None = filters["since"]
    total = session.scalar(apply_filters(select(func.count(CouncilSession.id)), **filters)) or 0
    stmt = apply_filters(select(CouncilSession.id, CouncilSession.change_seq), **filters)
    if since is not None:
        stmt = stmt.order_by(CouncilSession.change_seq).limit(limit)
        rows = session.execute(stmt).all()
        has_more = total > len(rows)
        next_cursor = rows[-1][1] if rows else since
    else:
        stmt = stmt.order_by(CouncilSession.id.desc()).limit(limit).offset(offset)
        rows = session.execute(stmt).all()
        has_more = offset + len(rows) < total
        next_cursor = snapshot
    documents = council_documents(session, [r[0] for r in rows])
    if user.role == Role.MENTEE:  # a handful of councils: parse, blank, re-encode
        documents = [json.dumps(for_reader(user, json.loads(d))) for d in documents]
    envelope = _dumps(
        {
            "total": total,
            "limit": limit,
            "offset": 0 if since is not None else offset,
            "hasMore": has_more,
            "nextCursor": next_cursor,
        }
    )
    # The database rendered each council; splice them in without parsing them again.
    return b'{"items":[' + ",".join(documents).encode() + b"]," + envelope[1:]


def _scope(user: User) -> str:
    """Who may share a cached list page: all staff see the same councils."""
    return "staff" if user.role in STAFF_ROLES else f"user:{user.id}"


def _load_visible(session: Session, user: User, council_id: CouncilId) -> CouncilSession:
    council = session.get(CouncilSession, council_id)
    if council is None or not can_see(session, user, council_id):
        raise NotFound("Council not found")
    return council


@router.get(
    "/councils/{council_id}",
    response_model=CouncilOut,
    responses=error_responses(401, 403, 404),
    summary="One council with its slots, mentors and per-slot answers",
)
def get_council(council_id: CouncilId, user: CouncilUser, session: ReadSession) -> Response:
    if not can_see(session, user, council_id):
        raise NotFound("Council not found")
    items = council_dicts(session, [council_id])
    if not items:
        raise NotFound("Council not found")
    return _json(for_reader(user, items[0]), headers={"ETag": etag(items[0]["version"])})


def _require_user(session: Session, user_id: int, field: str, role: Role | None) -> User:
    found = session.get(User, user_id)
    if found is None or not found.is_active:
        raise field_error(field, f"no user with id {user_id}")
    if role is not None and found.role != role:
        raise field_error(field, f"user {user_id} is not a {role}")
    return found


def _slot_rows(slots: list[SlotIn]) -> list[CouncilSlot]:
    ordered = sorted(slots, key=lambda s: s.start)
    return [
        CouncilSlot(
            position=i,
            starts_at=s.start,
            ends_at=s.end or s.start,
            priority_score=s.priority_score,
        )
        for i, s in enumerate(ordered, start=1)
    ]


@router.post(
    "/councils",
    status_code=201,
    response_model=CouncilOut,
    responses={**error_responses(400, 401, 403, 409, 422), **IDEMPOTENT_RESPONSES},
    summary="Create a council with 3–5 proposed slots (admin/coordinator)",
)
def create_council(
    body: CouncilCreate, user: StaffUser, session: WriteSession, idem: Idem
) -> Response:
    mentee = _require_user(session, body.mentee_id, "menteeId", Role.MENTEE)
    if not mentee.has_council_access:
        raise field_error("menteeId", f"user {mentee.id} has no Council plan")
    if body.lead_mentor_id is not None:
        _require_user(session, body.lead_mentor_id, "leadMentorId", Role.MENTOR)
    council = CouncilSession(
        topic=body.topic.strip(),
        description=body.description,
        mentee_id=body.mentee_id,
        lead_mentor_id=body.lead_mentor_id,
        created_by_id=user.id,
        mentor_response_deadline=body.mentor_response_deadline,
        mentor_minimum=body.mentor_minimum,
        mentor_maximum=body.mentor_maximum,
        coordinator_notes=body.coordinator_notes,
        video_link=body.video_link,
        coordination_status=CoordinationStatus.DRAFT,
        slots=_slot_rows(body.proposed_time_slots),
    )
    session.add(council)
    session.flush()
    record_change(session, council_id=council.id, kind="council.created")
    session.flush()
    data = council_dicts(session, [council.id])[0]
    return idem.respond(
        session,
        data,
        status_code=201,
        headers={"Location": f"/api/v1/councils/{council.id}", "ETag": etag(council.version)},
    )


@router.patch(
    "/councils/{council_id}",
    response_model=CouncilOut,
    responses=error_responses(400, 401, 403, 404, 409, 412, 422, 428),
    summary="Update a council (If-Match required)",
)
def patch_council(
    council_id: CouncilId,
    body: CouncilPatch,
    user: StaffUser,
    session: WriteSession,
    if_match: IfMatch = None,
) -> Response:
    council = _load_visible(session, user, council_id)
    check_if_match(if_match, council.version)
    fields = body.model_fields_set
    if not fields:
        raise field_error("body", "no field to change")
    if council.coordination_status == CoordinationStatus.CANCELLED:
        raise Conflict("A cancelled council cannot be changed")
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}

    def put(attr: str, wire: str, value: Any) -> None:
        old = getattr(council, attr)
        if old != value:
            before[wire] = old.isoformat() if isinstance(old, datetime) else old
            after[wire] = value.isoformat() if isinstance(value, datetime) else value
            setattr(council, attr, value)

    for attr in ("topic", "description", "coordinator_notes", "video_link"):
        if attr in fields:
            value = getattr(body, attr)
            if value is None and attr != "video_link":
                raise field_error(_camel(attr), "must not be null")
            put(attr, _camel(attr), value)
    if "mentor_response_deadline" in fields:
        put("mentor_response_deadline", "mentorResponseDeadline", body.mentor_response_deadline)
    if "lead_mentor_id" in fields:
        if body.lead_mentor_id is not None:
            _require_user(session, body.lead_mentor_id, "leadMentorId", Role.MENTOR)
        put("lead_mentor_id", "leadMentorId", body.lead_mentor_id)
    new_min = body.mentor_minimum if "mentor_minimum" in fields else council.mentor_minimum
    new_max = body.mentor_maximum if "mentor_maximum" in fields else council.mentor_maximum
    if new_min is None or new_max is None or new_min > new_max:
        raise field_error("mentorMinimum", "must be set and ≤ mentorMaximum")
    put("mentor_minimum", "mentorMinimum", new_min)
    put("mentor_maximum", "mentorMaximum", new_max)
    if "coordination_status" in fields:
        status = body.coordination_status
        if status is None or status not in _PATCHABLE_STATUSES:
            raise field_error(
                "coordinationStatus", "use the confirm or cancel endpoints for that phase"
            )
        _check_phase_change(council, status)
        put("coordination_status", "coordinationStatus", status.value)
        council.coordination_status = status
    if "proposed_time_slots" in fields and body.proposed_time_slots is not None:
        if council.coordination_status != CoordinationStatus.DRAFT:
            raise Conflict("Proposed slots can only be replaced while the council is a draft")
        council.slots.clear()
        session.flush()
        council.slots.extend(_slot_rows(body.proposed_time_slots))
        after["proposedTimeSlots"] = len(body.proposed_time_slots)
    if before or after:
        if "coordinationStatus" in after:
            session.add(
                AuditLog(
                    actor_id=user.id,
                    action="council.status_changed",
                    council_id=council.id,
                    before={"coordinationStatus": before.get("coordinationStatus")},
                    after={"coordinationStatus": after["coordinationStatus"]},
                )
            )
        record_change(
            session,
            council_id=council.id,
            kind="council.updated",
            payload={"fields": sorted(after)},
        )
    session.commit()
    data = council_dicts(session, [council.id])[0]
    return _json(data, headers={"ETag": etag(data["version"])})


def _check_phase_change(council: CouncilSession, status: CoordinationStatus) -> None:
    """409 unless PATCH may move ``council`` to ``status``.

    PATCH moves only between the phases after the invitations and before a decision.
    Leaving draft is the invitations endpoint's job (it creates the links); going back to
    draft would let them be sent twice; a confirmed council changes only by admin override.
    """
    current = council.coordination_status
    if status == current:
        return
    if current == CoordinationStatus.CONFIRMED:
        raise Conflict("The council is confirmed; only an admin override changes its phase")
    if current == CoordinationStatus.DRAFT:
        raise Conflict("A draft leaves draft by sending the invitations")
    if status == CoordinationStatus.DRAFT:
        raise Conflict("The invitations are out; the council cannot go back to draft")


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p.title() for p in rest)


@router.post(
    "/councils/{council_id}/cancel",
    response_model=CouncilOut,
    responses={
        **error_responses(400, 401, 403, 404, 409, 412, 422, 428),
        **IDEMPOTENT_RESPONSES,
    },
    summary="Cancel a council (admin/coordinator; If-Match required)",
)
def cancel_council(
    council_id: CouncilId,
    body: CancelIn,
    user: StaffUser,
    session: WriteSession,
    idem: Idem,
    if_match: IfMatch = None,
) -> Response:
    council = _load_visible(session, user, council_id)
    check_if_match(if_match, council.version)
    if council.coordination_status == CoordinationStatus.CANCELLED:
        raise Conflict("Council is already cancelled")
    previous = council.coordination_status.value
    council.coordination_status = CoordinationStatus.CANCELLED
    session.add(
        AuditLog(
            actor_id=user.id,
            action="council.cancelled",
            council_id=council.id,
            reason=body.reason,
            before={"coordinationStatus": previous},
            after={"coordinationStatus": CoordinationStatus.CANCELLED.value},
        )
    )
    record_change(session, council_id=council.id, kind="council.cancelled")
    session.flush()
    data = council_dicts(session, [council.id])[0]
    return idem.respond(session, data, headers={"ETag": etag(data["version"])})

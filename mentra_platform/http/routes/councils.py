"""Councils: list/sync, read, create, update (If-Match), cancel.

Each route parses its input, makes one call into :mod:`mentra_platform.councils.service`
and answers; the rules live in the service.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from mentra_desktop.models import MAX_ID, STAFF_ROLES, CoordinationStatus, User, utcnow
from mentra_desktop.models.wire.common import Instant
from mentra_desktop.models.wire.councils import (
    CancelIn,
    CouncilCreate,
    CouncilOut,
    CouncilPage,
    CouncilPatch,
)
from mentra_platform.core.changes import latest_seq
from mentra_platform.councils import service
from mentra_platform.councils.access import etag
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
from mentra_platform.http.writes import commit_response

router = APIRouter(prefix="/api/v1", tags=["councils"])

MAX_PAGE = 1000
_IF_MATCH_ERRORS = error_responses(400, 401, 403, 404, 409, 412, 422, 428)


def _scope(user: User) -> str:
    """Who may share a cached list page: all staff see the same councils."""
    return "staff" if user.role in STAFF_ROLES else f"user:{user.id}"


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
    deadline_from: Annotated[Instant | None, Query(alias="deadlineFrom")] = None,
    deadline_to: Annotated[Instant | None, Query(alias="deadlineTo")] = None,
    mentor_id: Annotated[int | None, Query(alias="mentorId", ge=1, le=MAX_ID)] = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    updated_since: Annotated[Instant | None, Query(alias="updatedSince")] = None,
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
    ``q`` matches the topic and description (and, for staff and mentors, the coordinator's
    notes).
    """
    query = service.ListQuery(
        statuses=status or (),
        deadline_from=deadline_from,
        deadline_to=deadline_to,
        mentor_id=mentor_id,
        q=q,
        updated_since=updated_since,
        since=since,
        limit=limit,
        offset=offset,
    )
    # Read before the page, so a cached page is never older than the seq it is filed under.
    snapshot = latest_seq(request.app.state.db)
    cache: PageCache = request.app.state.page_cache
    key = (_scope(user), tuple(sorted(request.query_params.multi_items())))
    body = cache.get_or_build(
        key, snapshot, lambda: service.list_page(session, user, query, snapshot)
    )
    return Response(body, media_type="application/json")


def _json(content: Any, headers: dict[str, str]) -> Response:
    body = json.dumps(content, separators=(",", ":"), ensure_ascii=False).encode()
    return Response(body, headers=headers, media_type="application/json")


@router.get(
    "/councils/{council_id}",
    response_model=CouncilOut,
    responses=error_responses(401, 403, 404),
    summary="One council with its slots, mentors and per-slot answers",
)
def get_council(council_id: CouncilId, user: CouncilUser, session: ReadSession) -> Response:
    document = service.read(session, user, council_id)
    return _json(document, headers={"ETag": etag(document["version"])})


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
    document = service.create(session, user, body, utcnow())
    return idem.respond(
        session,
        document,
        status_code=201,
        headers={
            "Location": f"/api/v1/councils/{document['id']}",
            "ETag": etag(document["version"]),
        },
    )


@router.patch(
    "/councils/{council_id}",
    response_model=CouncilOut,
    responses=_IF_MATCH_ERRORS,
    summary="Update a council (If-Match required); the phase moves only forward",
)
def patch_council(
    council_id: CouncilId,
    body: CouncilPatch,
    user: StaffUser,
    session: WriteSession,
    if_match: IfMatch = None,
) -> Response:
    document = service.update(session, user, council_id, body, if_match, utcnow())
    return commit_response(session, document, headers={"ETag": etag(document["version"])})


@router.post(
    "/councils/{council_id}/cancel",
    response_model=CouncilOut,
    responses={**_IF_MATCH_ERRORS, **IDEMPOTENT_RESPONSES},
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
    document = service.cancel(session, user, council_id, body.reason, if_match, utcnow())
    return idem.respond(session, document, headers={"ETag": etag(document["version"])})

"""The one way a route finishes a write: serialise, commit, answer.

Services change the session and flush, but never commit: the unit of work is the request.
A route ends with :func:`commit_response` (PATCH, PUT, DELETE) or, for POSTs that take an
``Idempotency-Key``, with :meth:`mentra_platform.http.idempotency.Idempotency.respond`, which
stores the response beside the write and then calls the same function. Anything not
committed is rolled back when the request's session closes.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from fastapi import Response
from fastapi.encoders import jsonable_encoder
from pydantic import BaseModel
from sqlalchemy.orm import Session


def json_body(content: Any) -> bytes:
    """Pydantic models by alias (camelCase), anything else through ``jsonable_encoder``."""
    if isinstance(content, BaseModel):
        return content.model_dump_json(by_alias=True).encode()
    if isinstance(content, bytes):
        return content
    return json.dumps(jsonable_encoder(content, by_alias=True), ensure_ascii=False).encode()


def commit_response(
    session: Session,
    content: Any,
    *,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """Commit ``session`` and answer ``content`` as JSON with ``headers``."""
    body = json_body(content)
    session.commit()
    return Response(
        content=body,
        status_code=status_code,
        headers={**(headers or {})},
        media_type="application/json",
    )

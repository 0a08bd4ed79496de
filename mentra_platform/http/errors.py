"""One error body for every 4xx, and the OpenAPI ``responses=`` entries that document it.

Every error is ``{"detail": "...", "errors": [{"field": "...", "message": "..."}]}``;
``errors`` lists field-level problems (empty for non-validation errors). Routes declare
the statuses they can return with :func:`error_responses`, e.g.
``@router.post(..., responses=error_responses(401, 403, 409, 422))``; 413 (every operation
with a body) and 503 (every operation) are added to the schema for all routes.

A database that is down, slow or saturated (:func:`mentra_platform.core.db.is_unavailable`:
refused or lost connections, statement and lock timeouts, an exhausted pool) answers 503
with this body and ``Retry-After``, on a connection that stays open.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import exc as sa_exc
from sqlalchemy.exc import DataError
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from mentra_platform.core import errors as domain
from mentra_platform.core.db import is_unavailable

DATABASE_RETRY_AFTER_SECONDS = 2


class FieldError(BaseModel):
    field: str
    message: str


class ErrorBody(BaseModel):
    detail: str
    errors: list[FieldError] = []


_DESCRIPTIONS: dict[int, str] = {
    400: "Bad request (malformed header or parameter)",
    401: "Not authenticated: missing, invalid or expired bearer token",
    403: "Authenticated but not allowed (role or plan)",
    404: "Not found (or not visible to this user)",
    409: "Conflict: state does not allow this, or the same Idempotency-Key is still running",
    412: "Precondition failed: If-Match does not match the current ETag",
    413: "Request body larger than the server accepts (MAX_BODY_BYTES)",
    422: "Validation failed (field-level messages), or Idempotency-Key reused with another body",
    428: "Precondition required: send If-Match with the current ETag",
    429: "Too many attempts; retry after the Retry-After seconds",
    503: "Unavailable: the database or a bounded resource is busy; retry after Retry-After",
}

RETRY_AFTER_HEADER = {
    "Retry-After": {"description": "Seconds to wait", "schema": {"type": "integer"}}
}


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses=`` entries for these error statuses, all with :class:`ErrorBody`."""
    out: dict[int | str, dict[str, Any]] = {}
    for status in statuses:
        entry: dict[str, Any] = {"model": ErrorBody, "description": _DESCRIPTIONS[status]}
        if status in (429, 503):
            entry["headers"] = dict(RETRY_AFTER_HEADER)
        out[status] = entry
    return out


def openapi_error_entry(status: int) -> dict[str, Any]:
    """One status's entry in a finished OpenAPI document (what :func:`error_responses`
    makes FastAPI write), for statuses added to every operation afterwards."""
    entry: dict[str, Any] = {
        "description": _DESCRIPTIONS[status],
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}},
    }
    if status in (429, 503):
        entry["headers"] = dict(RETRY_AFTER_HEADER)
    return entry


class ApiError(Exception):
    """Raise from anywhere in a request to answer with :class:`ErrorBody`."""

    def __init__(
        self,
        status_code: int,
        detail: str,
        errors: Sequence[tuple[str, str]] = (),
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status_code = status_code
        self.detail = detail
        self.errors = [FieldError(field=f, message=m) for f, m in errors]
        self.headers = dict(headers or {})


STATUS_OF: dict[type[domain.DomainError], int] = {
    domain.BadRequest: 400,
    domain.Unauthenticated: 401,
    domain.Forbidden: 403,
    domain.NotFound: 404,
    domain.Conflict: 409,
    domain.Gone: 410,
    domain.PreconditionFailed: 412,
    domain.Invalid: 422,
    domain.PreconditionRequired: 428,
    domain.TooManyRequests: 429,
    domain.Unavailable: 503,
}
"""The one mapping from the services' errors to HTTP statuses."""


def status_of(exc: domain.DomainError) -> int:
    for cls in type(exc).__mro__:
        if cls in STATUS_OF:
            return STATUS_OF[cls]
    return 400


def domain_error_response(exc: domain.DomainError) -> JSONResponse:
    """The JSON error body for a domain error (also used by middleware outside routing)."""
    headers = {"Retry-After": str(exc.retry_after)} if exc.retry_after is not None else {}
    if isinstance(exc, domain.Unauthenticated):
        headers["WWW-Authenticate"] = "Bearer"
    errors = [FieldError(field=f, message=m) for f, m in exc.errors]
    return error_response(status_of(exc), exc.detail, errors, headers)


def error_response(
    status_code: int,
    detail: str,
    errors: Sequence[FieldError] = (),
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    body = ErrorBody(detail=detail, errors=list(errors))
    return JSONResponse(body.model_dump(), status_code=status_code, headers=dict(headers or {}))


def _loc_to_field(loc: Sequence[Any]) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in ("body", "query", "path", "header", "cookie"):
        parts = parts[1:]
    return ".".join(parts) or "body"


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(_request: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc.status_code, exc.detail, exc.errors, exc.headers)

    @app.exception_handler(domain.DomainError)
    async def _domain_error(_request: Request, exc: domain.DomainError) -> JSONResponse:
        return domain_error_response(exc)

    @app.exception_handler(RequestValidationError)
    async def _validation(_request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = []
        for err in exc.errors():
            message = str(err.get("msg", "invalid"))
            errors.append(FieldError(field=_loc_to_field(err.get("loc", ())), message=message))
        return JSONResponse(
            jsonable_encoder(ErrorBody(detail="Validation failed", errors=errors)),
            status_code=422,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return error_response(exc.status_code, str(exc.detail), headers=exc.headers)

    @app.exception_handler(DataError)
    async def _data(_request: Request, _exc: DataError) -> JSONResponse:
        # e.g. an id beyond PostgreSQL's integer range: bad input, not a server fault.
        return error_response(
            422, "Validation failed", [FieldError(field="body", message="a value is out of range")]
        )

    async def _database(_request: Request, exc: Exception) -> JSONResponse:
        if not is_unavailable(exc):
            raise exc
        return error_response(
            503,
            "The database is unavailable; retry shortly",
            headers={"Retry-After": str(DATABASE_RETRY_AFTER_SECONDS)},
        )

    for cls in (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.TimeoutError):
        app.add_exception_handler(cls, _database)
    # Other driver errors on a connection that died (connection_invalidated) too.
    app.add_exception_handler(sa_exc.DBAPIError, _database)

    @app.exception_handler(StaleDataError)
    async def _stale(_request: Request, _exc: StaleDataError) -> JSONResponse:
        return error_response(412, "The council changed meanwhile; reload and retry")

"""Declarative base, constraint naming and the timezone-safe datetime column type.

Every datetime in the schema is stored as UTC and comes back as an *aware* UTC
``datetime`` on SQLite and PostgreSQL alike. Naive datetimes are refused with
``ValueError`` both when assigned to a mapped attribute and when bound to a
statement, so a local wall-clock time can never be silently stored as UTC.
"""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Dialect, Enum, MetaData, event
from sqlalchemy.orm import DeclarativeBase, Mapper
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


MAX_ID = 2**31 - 1
"""Largest id any table holds (PostgreSQL ``integer``); larger ids in a path or body are 422."""


def utcnow() -> datetime:
    """The current time as an aware UTC datetime (the only clock the schema uses)."""
    return datetime.now(UTC)


def ensure_aware_utc(value: datetime) -> datetime:
    """Return ``value`` converted to UTC; raise ``ValueError`` for a naive datetime."""
    if not isinstance(value, datetime):
        raise TypeError(f"expected a datetime, got {type(value).__name__}")
    if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        raise ValueError(f"naive datetime {value.isoformat()} refused: give a timezone")
    return value.astimezone(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A ``DateTime`` that stores UTC and loads aware UTC; naive input is a ``ValueError``.

    SQLite has no timezone storage, so the value is written as naive UTC text there
    and re-tagged as UTC on load; PostgreSQL uses ``timestamptz``.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        aware = ensure_aware_utc(value)
        if dialect.name == "sqlite":
            return aware.replace(tzinfo=None)
        return aware

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def str_enum(enum_cls: type[enum.Enum], length: int = 24) -> Enum:
    """A portable enum column: VARCHAR holding the member *values* (no native PG enum)."""
    return Enum(
        enum_cls,
        native_enum=False,
        create_constraint=False,
        length=length,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


class Base(DeclarativeBase):
    """Declarative base shared by the platform and the desktop offline cache."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {  # noqa: RUF012 - SQLAlchemy reads this class attribute
        datetime: UTCDateTime(),
        dict[str, Any]: JSON(),
        list[Any]: JSON(),
    }


def _refuse_naive(target: object, value: Any, oldvalue: Any, initiator: Any) -> Any:
    if value is not None and isinstance(value, datetime):
        return ensure_aware_utc(value)
    return value


@event.listens_for(Mapper, "mapper_configured")
def _install_naive_guard(mapper: Mapper[Any], class_: type) -> None:
    """Refuse naive datetimes at assignment time, not only at flush time."""
    if not issubclass(class_, Base):
        return
    for prop in mapper.column_attrs:
        if any(isinstance(col.type, UTCDateTime) for col in prop.columns):
            event.listen(getattr(class_, prop.key), "set", _refuse_naive, retval=True)

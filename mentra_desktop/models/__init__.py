"""The one typed SQLAlchemy schema, shared by the platform and the desktop offline cache.

Qt-free and platform-free (import-linter enforces it).
"""

from mentra_desktop.models.audit import AuditLog
from mentra_desktop.models.base import (
    MAX_ID,
    Base,
    UTCDateTime,
    ensure_aware_utc,
    utcnow,
)
from mentra_desktop.models.changes import ChangeEvent
from mentra_desktop.models.councils import (
    DEFAULT_RESPONSE_WINDOW,
    DEFAULT_SLOT_DURATION,
    MAX_MENTORS,
    MAX_SLOTS,
    MIN_MENTORS,
    MIN_SLOTS,
    AvailabilityResponse,
    CoordinationStatus,
    CouncilMentor,
    CouncilSession,
    CouncilSlot,
    CouncilSlotAnswer,
    SlotAnswerValue,
)
from mentra_desktop.models.notifications import (
    Notification,
    NotificationKind,
    NotificationStatus,
)
from mentra_desktop.models.registrations import Registration
from mentra_desktop.models.users import (
    COUNCIL_PLAN_CODE,
    STAFF_ROLES,
    MentorProfile,
    Plan,
    Role,
    User,
)

__all__ = [
    "COUNCIL_PLAN_CODE",
    "DEFAULT_RESPONSE_WINDOW",
    "DEFAULT_SLOT_DURATION",
    "MAX_ID",
    "MAX_MENTORS",
    "MAX_SLOTS",
    "MIN_MENTORS",
    "MIN_SLOTS",
    "STAFF_ROLES",
    "AuditLog",
    "AvailabilityResponse",
    "Base",
    "ChangeEvent",
    "CoordinationStatus",
    "CouncilMentor",
    "CouncilSession",
    "CouncilSlot",
    "CouncilSlotAnswer",
    "MentorProfile",
    "Notification",
    "NotificationKind",
    "NotificationStatus",
    "Plan",
    "Registration",
    "Role",
    "SlotAnswerValue",
    "UTCDateTime",
    "User",
    "ensure_aware_utc",
    "utcnow",
]

"""The web pages mentors and mentees use in a browser (no JavaScript needed).

* :mod:`.mentor` — the response page behind the signed link in every invitation and
  reminder: per-slot answers, partial ranges, alternatives and a conflict note.
* :mod:`.mentee` — sign-in, the mentee's councils and their registration.
* :mod:`.browser` — the session cookie and CSRF; :mod:`.rendering` — Jinja2 (autoescaped)
  and the pages' security headers; ``templates/`` and ``static/`` the one look.

``router`` holds every page route (none is in the OpenAPI schema: the JSON API is
documented there); :func:`mount_static` serves ``static/`` at ``/static``.
"""

from __future__ import annotations

from fastapi import APIRouter, FastAPI
from fastapi.staticfiles import StaticFiles

from mentra_platform.http.pages import mentee, mentor
from mentra_platform.http.pages.rendering import STATIC_DIR

router = APIRouter(include_in_schema=False)
router.include_router(mentor.router)
router.include_router(mentee.router)


def mount_static(app: FastAPI) -> None:
    """Serve the stylesheet (and any other static file of the pages) at ``/static``."""
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")


__all__ = ["mount_static", "router"]

"""``AlertSync``: keeps the cached alerts (:class:`~mentra_desktop.client.alerts.AlertStore`)
equal to the platform's feed.

* :meth:`AlertSync.catch_up` — on every (re)connect of the event stream: pages
  ``GET /alerts?afterId=`` from the highest id held, then lists the alerts still
  unacknowledged, so acknowledgements made elsewhere while this desktop was away are seen.
* :meth:`AlertSync.on_event` — live: ``alert.raised`` fetches the new alerts (the event
  carries no raise time or details); ``alert.acknowledged`` is stored from the event itself.

The :class:`~mentra_desktop.client.sync.Syncer` calls both from its stream thread (its
``alerts`` attribute). Listeners added with :meth:`subscribe` are called there with the
ids that changed; views turn that into a signal. A signed-in user who may not read alerts
(403: not staff) is remembered and never asked again; another refusal (a 4xx or 500 from
the alerts routes) is logged and skipped, so it never stops the council stream; transport
errors, retryable statuses and an expired sign-in go to the caller (the stream reconnects
as it does for councils).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from mentra_desktop.client.alerts import AlertStore
from mentra_desktop.client.api import PlatformClient
from mentra_desktop.client.documents import parse_instant
from mentra_desktop.client.errors import Refused
from mentra_desktop.client.events import ServerEvent

API = "/api/v1"
PAGE = 500
RAISED = "alert.raised"
ACKNOWLEDGED = "alert.acknowledged"

Listener = Callable[[list[int]], None]
log = logging.getLogger(__name__)


class AlertSync:
    """Syncs ``store`` from ``client``'s platform; see the module docstring."""

    def __init__(self, client: PlatformClient, store: AlertStore) -> None:
        self.client = client
        self.store = store
        self.forbidden = False
        """The user may not read alerts (not staff): nothing is fetched."""
        self._listeners: list[Listener] = []
        self._lock = threading.Lock()

    def subscribe(self, listener: Listener) -> None:
        """Call ``listener(ids)`` (from the syncing thread) when alerts change."""
        self._listeners.append(listener)

    def _notify(self, ids: list[int]) -> None:
        if ids:
            for listener in list(self._listeners):
                listener(ids)

    def _page(self, **params: Any) -> dict[str, Any]:
        sent = self.client.send("GET", f"{API}/alerts?{urlencode(params, doseq=True)}")
        body: dict[str, Any] = sent.body
        return body

    def _fetch_new(self) -> list[int]:
        changed: list[int] = []
        after = self.store.last_id()
        while True:
            page = self._page(afterId=after, limit=PAGE)
            changed += self.store.put(page["items"])
            if page.get("nextAfterId") is None:
                return changed
            after = int(page["nextAfterId"])

    def catch_up(self) -> list[int]:
        """Fetch new alerts and settle acknowledgements made elsewhere; returns (and
        tells the listeners) the ids that changed. One catch-up at a time."""
        if self.forbidden:
            return []
        with self._lock:
            try:
                changed = self._fetch_new()
                upto = self.store.last_id()
                open_ids: list[int] = []
                after = 0
                while True:
                    page = self._page(unacknowledged="true", afterId=after, limit=PAGE)
                    open_ids += [int(item["id"]) for item in page["items"]]
                    if page.get("nextAfterId") is None:
                        break
                    after = int(page["nextAfterId"])
            except Refused as exc:
                self._refused(exc)
                return []
            changed += self.store.settle_unacknowledged(open_ids, upto, datetime.now(UTC))
        self._notify(changed)
        return changed

    def on_event(self, event: ServerEvent) -> list[int]:
        """Apply one ``alert.*`` event; returns (and tells the listeners) what changed."""
        if self.forbidden:
            return []
        changed: list[int] = []
        if event.event == ACKNOWLEDGED:
            alert_id = int(event.data.get("entityId") or 0)
            payload = event.data.get("payload") or {}
            at = _event_time(event.data.get("at"))
            by = payload.get("acknowledgedBy")
            if alert_id and self.store.mark_acknowledged(
                alert_id, at, int(by) if by is not None else None
            ):
                changed = [alert_id]
            elif alert_id and self.store.alert(alert_id) is None:
                changed = self._locked_fetch()  # raised and acknowledged while away
        elif event.event == RAISED:
            changed = self._locked_fetch()
        self._notify(changed)
        return changed

    def _locked_fetch(self) -> list[int]:
        with self._lock:
            try:
                return self._fetch_new()
            except Refused as exc:
                self._refused(exc)
                return []

    def _refused(self, exc: Refused) -> None:
        if exc.status == 403:
            self.forbidden = True
        else:
            log.warning("alerts not fetched: %s", exc)


def _event_time(value: Any) -> datetime:
    """The event's ``at`` (aware), or now when it is missing or not an instant."""
    parsed = parse_instant(value) if isinstance(value, str) else None
    return parsed.astimezone(UTC) if parsed is not None else datetime.now(UTC)

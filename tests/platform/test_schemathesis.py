"""Property-based API conformance: schemathesis drives every operation of the served OpenAPI
schema against the real server (uvicorn on 127.0.0.1), on SQLite and on PostgreSQL.

The schemathesis command line runs in its own process against the live server, once with
an admin's bearer token (the role gates let requests reach the staff handlers) and once
with a mentor's (the mentor-only response form). Each operation gets a bounded number of
generated requests (``SCHEMATHESIS_EXAMPLES``, default 10). The checks: no 5xx, and every
status code, content type, header and body the server sends is the one its schema
documents. The SSE stream never ends by design, so it is tested in
``test_sync_and_events.py`` instead of here.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

EXAMPLES = os.environ.get("SCHEMATHESIS_EXAMPLES", "10")
CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_headers_conformance",
        "response_schema_conformance",
    ]
)
STREAMING_PATH = "/api/v1/events"


def _st_command() -> str:
    local = Path(sys.executable).with_name("st")
    return str(local) if local.exists() else (shutil.which("st") or "st")


@pytest.mark.parametrize("account", ["admin@example.com", "mentor1@example.com"])
def test_every_operation_conforms_to_its_schema(
    live_server: Any,
    login: Callable[..., dict[str, str]],
    account: str,
    tmp_path: Path,
) -> None:
    with httpx.Client(base_url=live_server.url, timeout=10) as client:
        headers = login(client, account)
    result = subprocess.run(
        [
            _st_command(),
            "run",
            f"{live_server.url}/openapi.json",
            "--checks",
            CHECKS,
            "--max-examples",
            EXAMPLES,
            "--phases",
            "examples,fuzzing",
            "--generation-deterministic",
            "--exclude-path",
            STREAMING_PATH,
            "--request-timeout",
            "10",
            "--header",
            f"Authorization: {headers['Authorization']}",
            "--no-color",
        ],
        capture_output=True,
        text=True,
        timeout=240,
        cwd=tmp_path,
    )
    summary = result.stdout[-4000:]
    assert result.returncode == 0, f"schemathesis found failures:\n{result.stdout[-12000:]}"
    assert "API Operations" in summary

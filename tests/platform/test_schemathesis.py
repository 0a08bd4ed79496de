"""Property-based API conformance: schemathesis drives every operation of the served OpenAPI
schema against the real server (uvicorn on 127.0.0.1), on SQLite and on PostgreSQL.

The schemathesis command line runs in its own process against the live server, once with
an admin's bearer token (the role gates let requests reach the staff handlers) and once
with a mentor's (the mentor-only response form). Path ids are pinned to a collecting
council and one of its mentors (``schemathesis.toml`` in the run's folder), so generated
requests reach the handlers' real logic instead of stopping at a 404. Each operation gets
a bounded number of generated requests (``SCHEMATHESIS_EXAMPLES``, default 10). The
checks: no 5xx, and every
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
from sqlalchemy import select

from mentra_desktop.models import CoordinationStatus, CouncilMentor, CouncilSession, User

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


@pytest.mark.parametrize("role", ["admin", "mentor"])
def test_every_operation_conforms_to_its_schema(
    live_server: Any,
    login: Callable[..., dict[str, str]],
    role: str,
    tmp_path: Path,
) -> None:
    with live_server.session() as session:
        council_id, mentor_id, mentor_email = session.execute(
            select(CouncilMentor.council_id, User.id, User.email)
            .join(CouncilSession, CouncilSession.id == CouncilMentor.council_id)
            .join(User, User.id == CouncilMentor.mentor_id)
            .where(CouncilSession.coordination_status == CoordinationStatus.COLLECTING)
            .order_by(CouncilMentor.council_id, CouncilMentor.id)
            .limit(1)
        ).one()
    with httpx.Client(base_url=live_server.url, timeout=10) as client:
        headers = login(client, "admin@example.com" if role == "admin" else mentor_email)
    (tmp_path / "schemathesis.toml").write_text(
        f'[parameters]\n"path.council_id" = {council_id}\n"path.mentor_id" = {mentor_id}\n'
    )
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

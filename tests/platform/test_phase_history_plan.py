"""The council document reads ``phaseHistory`` per page council through the audit log's
council index, so a page costs its own councils' entries however long the log grows
(:data:`mentra_platform.councils.documents.PHASE_MOVES`).

The plans are read from the databases themselves (``EXPLAIN``) over an audit log grown
with entries of a council that is not on the page; timings belong in ``make bench``.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import bindparam, select, text
from sqlalchemy.orm import Session

from mentra_desktop.models import CouncilSession
from mentra_platform.core.db import Database
from mentra_platform.councils.documents import _build, council_documents

GROWTH = 60_000
"""Audit entries added for one council off the page: far more than the page's own."""


def _nodes(plan: dict[str, Any]) -> list[dict[str, Any]]:
    out = [plan]
    for child in plan.get("Plans", []):
        out.extend(_nodes(child))
    return out


def _grow_audit_log(db: Database, council_id: int) -> None:
    with db.write() as session:
        moves = '\'{"coordinationStatus": "collecting"}\''
        session.execute(
            text(
                'INSERT INTO audit_log (action, council_id, reason, "before", "after", at) '
                f"SELECT 'council.phase_changed', :cid, '', CAST({moves} AS JSON), "
                'CAST(\'{"coordinationStatus": "selecting"}\' AS JSON), '
                "now() - g * interval '1 minute' FROM generate_series(1, :n) g"
            ),
            {"cid": council_id, "n": GROWTH},
        )
        session.commit()
    with db.probe_engine.connect() as conn:  # autocommit: fresh statistics, as autovacuum
        conn.execute(text("ANALYZE audit_log"))


def _explain(session: Session, prefix: str, ids: list[int]) -> list[Any]:
    """``prefix`` + the document statement of ``ids``, as the database plans it."""
    stmt = text(prefix + _build(session.connection().dialect.name))
    params = {"ids": ids, "uid_domain": None, "organizer_name": None, "organizer_address": None}
    return list(session.execute(stmt.bindparams(bindparam("ids", expanding=True)), params))


def test_each_page_council_reads_its_audit_entries_through_the_index(db: Database) -> None:
    with db.read() as session:
        ids = list(session.scalars(select(CouncilSession.id).order_by(CouncilSession.id)))
        if db.dialect == "sqlite":  # a correlated subquery per council
            details = [str(r[-1]) for r in _explain(session, "EXPLAIN QUERY PLAN ", ids)]
            reads = [d for d in details if d.startswith(("SCAN al", "SEARCH al "))]
            assert reads == ["SEARCH al USING INDEX ix_audit_log_council_id (council_id=?)"]
            return
        before = council_documents(session, ids[1:])
    _grow_audit_log(db, ids[0])  # the first council is off the page
    with db.read() as session:
        (row,) = _explain(session, "EXPLAIN (ANALYZE, FORMAT JSON) ", ids[1:])
        plan = row[0] if isinstance(row[0], list) else json.loads(row[0])
        nodes = _nodes(plan[0]["Plan"])
        audit = [n for n in nodes if n.get("Relation Name") == "audit_log"]
        assert audit and all(n["Node Type"] != "Seq Scan" for n in audit), audit
        scans = [n for n in nodes if n.get("Index Name") == "ix_audit_log_council_id"]
        # One lookup per page council, none of them reaching the grown council's entries.
        assert scans and {n["Actual Loops"] for n in scans} == {len(ids) - 1}
        assert sum(n["Actual Rows"] * n["Actual Loops"] for n in scans) < GROWTH / 10
        jit = session.execute(text("SHOW jit")).scalar_one()
        assert council_documents(session, ids[1:]) == before
        assert session.execute(text("SHOW jit")).scalar_one() == jit  # as it was

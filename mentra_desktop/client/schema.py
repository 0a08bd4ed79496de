"""The cache file's tables (see :mod:`mentra_desktop.client.cache` for what each holds).

``PRAGMA user_version`` carries :data:`SCHEMA_VERSION`; a file from a newer app is refused.
Every statement is ``IF NOT EXISTS``, so opening an older file adds what it lacks (version
2 added ``alerts``) and keeps everything it holds.
"""

SCHEMA_VERSION = 2

SCHEMA = """
CREATE TABLE IF NOT EXISTS councils (
    id INTEGER PRIMARY KEY,
    doc TEXT NOT NULL,
    server_doc TEXT,
    change_seq INTEGER NOT NULL,
    version INTEGER NOT NULL,
    coordination_status TEXT NOT NULL,
    mentor_response_deadline TEXT,
    topic TEXT NOT NULL,
    updated_at TEXT,
    summary TEXT
);
CREATE INDEX IF NOT EXISTS councils_change_seq ON councils (change_seq);
CREATE INDEX IF NOT EXISTS councils_status ON councils (coordination_status);
CREATE INDEX IF NOT EXISTS councils_deadline ON councils (mentor_response_deadline);
CREATE INDEX IF NOT EXISTS councils_topic ON councils (topic COLLATE NOCASE);
CREATE INDEX IF NOT EXISTS councils_updated ON councils (updated_at);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    council_id INTEGER,
    kind TEXT NOT NULL,
    label TEXT NOT NULL,
    method TEXT NOT NULL,
    path TEXT NOT NULL,
    params TEXT NOT NULL,
    body TEXT,
    idempotency_key TEXT NOT NULL,
    versioned INTEGER NOT NULL,
    base_version INTEGER,
    patch TEXT NOT NULL,
    expect TEXT,
    before_doc TEXT,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    not_before TEXT,
    status INTEGER,
    detail TEXT,
    errors TEXT,
    theirs TEXT,
    created_at TEXT NOT NULL,
    sent_at TEXT
);
CREATE INDEX IF NOT EXISTS outbox_state ON outbox (state, id);
CREATE INDEX IF NOT EXISTS outbox_council ON outbox (council_id, state);
CREATE TABLE IF NOT EXISTS alerts (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    council_id INTEGER,
    message TEXT NOT NULL,
    details TEXT NOT NULL,
    created_at TEXT NOT NULL,
    acknowledged_at TEXT,
    acknowledged_by_id INTEGER,
    acknowledged_here_at TEXT,
    notified INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS alerts_created ON alerts (created_at, id);
"""

UPSERT_COUNCIL = """
INSERT INTO councils (id, doc, server_doc, change_seq, version, coordination_status,
                      mentor_response_deadline, topic, updated_at, summary)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (id) DO UPDATE SET
    doc = excluded.doc, server_doc = excluded.server_doc, change_seq = excluded.change_seq,
    version = excluded.version, coordination_status = excluded.coordination_status,
    mentor_response_deadline = excluded.mentor_response_deadline, topic = excluded.topic,
    updated_at = excluded.updated_at, summary = excluded.summary
"""

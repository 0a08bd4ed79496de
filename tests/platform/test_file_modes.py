"""The SQLite database holds password hashes (finding: the database and its WAL were
world-readable in a 0755 directory): the data directory is created 0700, the database
file and its ``-wal``/``-shm`` 0600, and an existing world-readable file is tightened."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from mentra_platform.core.config import Settings
from mentra_platform.core.db import make_database
from mentra_platform.core.migrate import upgrade


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def loose_umask() -> Iterator[None]:
    """The usual 022: new files would be 0644 and directories 0755 unless made private."""
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


@pytest.mark.usefixtures("loose_umask")
def test_the_data_directory_and_the_database_files_are_private(tmp_path: Path) -> None:
    data_dir = tmp_path / "fresh" / "mentra-platform"
    settings = Settings.from_env({"MENTRA_DATA_DIR": str(data_dir)})
    assert _mode(data_dir) == 0o700
    assert _mode(data_dir / "secret_key") == 0o600
    upgrade(settings.database_url)
    db = make_database(settings)
    try:
        with db.write() as session:  # an open write leaves the -wal and -shm in place
            session.execute(text("CREATE TABLE probe (x INTEGER)"))
            session.commit()
            session.execute(text("INSERT INTO probe VALUES (1)"))
            files = [data_dir / "mentra.db", data_dir / "mentra.db-wal", data_dir / "mentra.db-shm"]
            assert all(f.exists() for f in files)
            assert {f.name: oct(_mode(f)) for f in files} == {f.name: "0o600" for f in files}
    finally:
        db.dispose()


@pytest.mark.usefixtures("loose_umask")
def test_an_existing_world_readable_database_is_tightened(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    url = f"sqlite:///{path}"
    upgrade(url)
    os.chmod(path, 0o644)
    db = make_database(Settings(database_url=url, secret_key="x"))
    try:
        with db.read() as session:
            session.execute(text("SELECT 1"))
        assert _mode(path) == 0o600
    finally:
        db.dispose()

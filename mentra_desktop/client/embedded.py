"""``EmbeddedPlatform``: the platform service as a child process, for a desktop on its own.

The desktop never imports ``mentra_platform``; it runs it by module name with the same
Python, over SQLite in the desktop's data directory::

    python -m mentra_platform.cli seed --demo        # a new database: migrate and seed
    python -m mentra_platform.cli migrate            # an existing one
    python -m mentra_platform.cli serve --host 127.0.0.1 --port <free>
    python -m mentra_platform.cli worker             # deadlines, reminders, delivery

:meth:`EmbeddedPlatform.start` waits (bounded) for ``/healthz`` and then starts the
coordination worker beside the server (``with_worker=False`` leaves it out), so councils
on the embedded platform move on by themselves as they would on a real one; :meth:`stop`
terminates both and kills what does not exit in time. The demo accounts are those of the
README (coordinator@example.com / password123).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import IO

import httpx

DEMO_COORDINATOR = ("coordinator@example.com", "password123")
MODULE = "mentra_platform.cli"
_STRIPPED_ENV = ("DATABASE_URL", "SECRET_KEY", "PUBLIC_BASE_URL")


class EmbeddedError(RuntimeError):
    """The embedded platform could not be prepared or did not come up."""


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


class EmbeddedPlatform:
    """The platform over SQLite in ``data_dir``; its output goes to ``log_path``.

    ``seed_demo`` loads the demo data into a new database. ``start_timeout`` bounds the
    wait for ``/healthz`` (seconds).
    """

    def __init__(
        self,
        data_dir: Path,
        *,
        log_path: Path | None = None,
        seed_demo: bool = True,
        start_timeout: float = 60.0,
        host: str = "127.0.0.1",
        environ: Mapping[str, str] | None = None,
        with_worker: bool = True,
    ) -> None:
        self.data_dir = Path(data_dir)
        self.with_worker = with_worker
        self.log_path = log_path or self.data_dir / "platform.log"
        self.seed_demo = seed_demo
        self.start_timeout = start_timeout
        self.host = host
        self._environ = dict(os.environ if environ is None else environ)
        self._process: subprocess.Popen[bytes] | None = None
        self._worker: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None
        self.url: str | None = None
        """``http://127.0.0.1:<port>`` while running, else None."""

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    @property
    def worker_running(self) -> bool:
        return self._worker is not None and self._worker.poll() is None

    def _env(self, url: str | None) -> dict[str, str]:
        env = {k: v for k, v in self._environ.items() if k not in _STRIPPED_ENV}
        env["MENTRA_DATA_DIR"] = str(self.data_dir)
        env["PYTHONUNBUFFERED"] = "1"
        if url is not None:
            env["PUBLIC_BASE_URL"] = url
        return env

    def _run(self, *args: str, ok: tuple[int, ...] = (0,)) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [sys.executable, "-m", MODULE, *args],
            env=self._env(None),
            capture_output=True,
            text=True,
            timeout=max(self.start_timeout, 120.0),
            check=False,
        )
        if done.returncode not in ok:
            raise EmbeddedError(f"mentra-platform {' '.join(args)}: {done.stderr.strip()}")
        return done

    def prepare(self) -> None:
        """Migrate the database, and seed the demo data when it is new."""
        self.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        fresh = not (self.data_dir / "mentra.db").exists()
        if fresh and self.seed_demo:
            # ``seed`` migrates first; 1 = "already has data" (another start got there).
            self._run("seed", "--demo", ok=(0, 1))
        else:
            self._run("migrate")

    def start(self) -> str:
        """Prepare, serve on a free port and wait for ``/healthz``; returns the URL."""
        if self.running and self.url is not None:
            return self.url
        self.prepare()
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = open(self.log_path, "ab")  # noqa: SIM115 - lives as long as the child
        port = free_port(self.host)
        url = f"http://{self.host}:{port}"
        self._process = subprocess.Popen(
            [sys.executable, "-m", MODULE, "serve", "--host", self.host, "--port", str(port)],
            env=self._env(url),
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        try:
            self._wait_healthy(url)
            if self.with_worker:
                self._worker = subprocess.Popen(
                    [sys.executable, "-m", MODULE, "worker"],
                    env=self._env(url),
                    stdout=self._log,
                    stderr=subprocess.STDOUT,
                )
        except BaseException:
            self.stop()
            raise
        self.url = url
        return url

    def _wait_healthy(self, url: str) -> None:
        deadline = time.monotonic() + self.start_timeout
        while True:
            if self._process is None or self._process.poll() is not None:
                raise EmbeddedError(f"the platform exited at start; see {self.log_path}")
            try:
                if httpx.get(f"{url}/healthz", timeout=1.0).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise EmbeddedError(f"the platform did not answer within {self.start_timeout} s")
            time.sleep(0.1)

    def stop(self, timeout: float = 10.0) -> None:
        """Terminate the worker and the server; kill what is still running after ``timeout``
        seconds. Idempotent."""
        children = [c for c in (self._worker, self._process) if c is not None]
        self._worker, self._process, self.url = None, None, None
        for child in children:
            if child.poll() is None:
                child.terminate()
        for child in children:
            try:
                child.wait(timeout)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        if self._log is not None:
            self._log.close()
            self._log = None

    def __enter__(self) -> EmbeddedPlatform:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

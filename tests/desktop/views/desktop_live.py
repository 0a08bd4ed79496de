"""Helpers for driving the real app against the real platform (imported by view tests).

* :class:`TcpProxy` sits between the app and the platform so a test can cut the network
  (connections refused and dropped) and restore it on the same port.
* :func:`build_desktop` opens the app as the shipped ``main()`` does, signed in as
  ``email``, against ``url``.
* :func:`mentor_client` / :func:`answer` let a test act as a mentor through the API.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from typing import Any

import httpx
import keyring.backends.fail

from mentra_desktop.client.api import PlatformClient
from mentra_desktop.client.credentials import CredentialStore
from mentra_desktop.views.desktop import Desktop, open_desktop

PASSWORD = "password123"


class TcpProxy:
    """Forward 127.0.0.1:``port`` to ``target``; :meth:`cut` drops everything, :meth:`restore`
    listens again on the same port. :meth:`close` joins every thread it started."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self._listener: socket.socket | None = None
        self._sockets: set[socket.socket] = set()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self.restore()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def restore(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(32)
        self._listener = listener
        self._spawn(self._accept, listener)

    def _spawn(self, target: Any, *args: Any) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True, name="test-proxy")
        with self._lock:
            self._threads.append(thread)
        thread.start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target_port))
            except OSError:
                client.close()
                continue
            with self._lock:
                self._sockets.update((client, upstream))
            self._spawn(self._pump, client, upstream)
            self._spawn(self._pump, upstream, client)

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        """Refuse new connections and drop open ones (the laptop went offline)."""
        if self._listener is not None:
            with contextlib.suppress(OSError):
                self._listener.shutdown(socket.SHUT_RDWR)
            self._listener.close()
            self._listener = None
        with self._lock:
            sockets, self._sockets = set(self._sockets), set()
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        self._join()

    def _join(self) -> None:
        with self._lock:
            threads = [t for t in self._threads if t is not threading.current_thread()]
        for thread in threads:
            thread.join(5)
        with self._lock:
            self._threads = [t for t in self._threads if t.is_alive()]

    def close(self) -> None:
        self.cut()


def no_keyring() -> CredentialStore:
    return CredentialStore(backend=keyring.backends.fail.Keyring())


def build_desktop(url: str, email: str, **kwargs: Any) -> Desktop:
    client = PlatformClient(url, timeout=5.0)
    client.login(email, PASSWORD)
    return open_desktop(client, client.me(), credentials=no_keyring(), **kwargs)


def mentor_client(url: str, mentor_id: int) -> httpx.Client:
    """An HTTP client signed in as mentor ``mentor_id`` (seed: ids 10–49 = mentor1…40)."""
    email = f"mentor{mentor_id - 9}@example.com"
    token = httpx.post(
        f"{url}/api/v1/auth/login", json={"email": email, "password": PASSWORD}
    ).json()["accessToken"]
    return httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=10)


def answer(url: str, council_id: int, mentor_id: int, slots: list[dict[str, Any]]) -> None:
    """``PUT …/responses/me`` as the mentor: ``slots`` = ``[{"slotId", "answer", …}]``."""
    with mentor_client(url, mentor_id) as http:
        response = http.put(f"/api/v1/councils/{council_id}/responses/me", json={"slots": slots})
        assert response.status_code == 200, response.text

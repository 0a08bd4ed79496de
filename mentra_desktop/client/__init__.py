"""The desktop's Qt-free core: talks to the platform, keeps the local cache, sends writes.

* :mod:`~mentra_desktop.client.paths` — directories and ``get_settings()``.
* :mod:`~mentra_desktop.client.api` — ``PlatformClient`` (sync httpx) and its typed errors.
* :mod:`~mentra_desktop.client.cache` — ``CouncilCache``, the SQLite council cache.
* :mod:`~mentra_desktop.client.writes` / :mod:`~mentra_desktop.client.outbox` — the writes
  a coordinator makes and the ``Outbox`` that stores, shows and sends them in order.
* :mod:`~mentra_desktop.client.sync` — ``Syncer``: full sync, catch-up, the live stream.
* :mod:`~mentra_desktop.client.credentials` — the token in the keyring (or this session).
* :mod:`~mentra_desktop.client.embedded` — ``EmbeddedPlatform``, the platform as a child.

Nothing here imports Qt or ``mentra_platform`` (import-linter contracts); everything
blocks, so the views call it from worker threads and adapt results into signals.
"""

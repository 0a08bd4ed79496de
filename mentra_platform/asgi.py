"""ASGI entry for uvicorn workers: ``uvicorn mentra_platform.asgi:app`` (settings from env)."""

from mentra_platform.http.app import create_app

app = create_app()

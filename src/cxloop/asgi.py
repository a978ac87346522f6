"""ASGI entry point for `uvicorn cxloop.asgi:app` (settings from the environment)."""

from cxloop.app import create_app

app = create_app()

"""Shared setup for event and widget tests: a journey with a checkout touchpoint and an NPS
survey, and a second real server with its own settings (e.g. tight rate limits)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import uvicorn
from sqlalchemy.orm import Session, sessionmaker

from cxloop.app import create_app
from cxloop.core.settings import Settings
from cxloop.jobs import service as jobs
from cxloop.jobs.worker import Worker
from tests.conftest import free_port
from tests.factories import Tenant

NPS_SURVEY: dict[str, Any] = {
    "name": "Checkout NPS",
    "default_language": "en",
    "languages": ["en", "vi"],
    "texts": {"en": {"title": "Quick question"}, "vi": {"title": "Câu hỏi nhanh"}},
    "questions": [
        {
            "key": "nps",
            "kind": "nps",
            "required": True,
            "texts": {
                "en": {"prompt": "How likely are you to recommend us?"},
                "vi": {"prompt": "Bạn có sẵn lòng giới thiệu chúng tôi?"},
            },
        },
        {
            "key": "comment",
            "kind": "open_text",
            "texts": {"en": {"prompt": "What is the main reason?"}, "vi": {"prompt": "Vì sao?"}},
        },
    ],
}


@dataclass
class Program:
    touchpoint_id: str
    survey_id: str


def make_program(http: httpx.Client, tenant: Tenant, key: str = "checkout_completed") -> Program:
    """A purchase journey with a web touchpoint keyed `key` and a live NPS survey on it."""
    h = tenant.headers()
    journey = http.post("/api/v1/journeys", json={"name": "Buy", "template": "purchase"}, headers=h)
    journey.raise_for_status()
    stage_id = journey.json()["stages"][0]["id"]
    touchpoint = http.post(
        "/api/v1/touchpoints",
        json={"stage_id": stage_id, "name": "Checkout", "channel": "web", "key": key},
        headers=h,
    )
    touchpoint.raise_for_status()
    survey = http.post(
        "/api/v1/surveys",
        json={**NPS_SURVEY, "touchpoint_id": touchpoint.json()["id"], "publish": True},
        headers=h,
    )
    survey.raise_for_status()
    return Program(touchpoint.json()["id"], survey.json()["id"])


def add_trigger(http: httpx.Client, tenant: Tenant, **fields: Any) -> dict[str, Any]:
    response = http.post("/api/v1/survey-triggers", json=fields, headers=tenant.headers())
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def run_jobs(factory: sessionmaker[Session], settings: Settings) -> int:
    options = jobs.RunOptions(worker="events-test", settings=settings, retry_base_seconds=0.0)
    worker = Worker(factory, options, poll_seconds=0.05)
    ran = 0
    while (count := worker.tick()) > 0:
        ran += count
    return ran


class _Server(uvicorn.Server):
    def install_signal_handlers(self) -> None:  # running in a thread
        pass


@contextmanager
def second_server(settings: Settings, **changes: Any) -> Iterator[str]:
    """The app with changed settings on another port (its own rate limiter); yields its URL."""
    port = free_port()
    changed = settings.model_copy(
        update={"port": port, "base_url": f"http://127.0.0.1:{port}", **changes}
    )
    app = create_app(changed)
    srv = _Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        if time.monotonic() > deadline:
            raise RuntimeError("second test server did not start")
        time.sleep(0.05)
    try:
        yield changed.base_url
    finally:
        srv.should_exit = True
        thread.join(timeout=10)
        app.state.engine.dispose()

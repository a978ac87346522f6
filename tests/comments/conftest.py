"""Comment tests: a workspace with a survey (NPS + comment) and a way to run the job queue."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from sqlalchemy.orm import Session, sessionmaker

from cxloop.core.settings import Settings
from cxloop.jobs.service import RunOptions
from cxloop.jobs.worker import Worker
from tests.cli.conftest import cli  # noqa: F401  (the `cxloop` command fixture)
from tests.factories import Tenant, make_tenant
from tests.surveys.helpers import comment_question, create_survey, make_touchpoint, nps_question

LANGS = ["en", "vi", "th", "lt"]


class Shop:
    def __init__(self, http: httpx.Client, tenant: Tenant) -> None:
        self.http = http
        self.tenant = tenant
        self.touchpoint = make_touchpoint(http, tenant, channel="web")
        self.survey = create_survey(
            http,
            tenant,
            languages=LANGS,
            questions=[nps_question(LANGS), comment_question(LANGS)],
            touchpoint_id=self.touchpoint["id"],
        )

    def say(self, text: str, nps: int = 5, language: str = "en") -> dict[str, Any]:
        body = {
            "survey_id": self.survey["id"],
            "answers": {"nps": nps, "comment": text},
            "language": language,
        }
        resp = self.http.post("/api/v1/responses", json=body, headers=self.tenant.headers())
        assert resp.status_code == 201, resp.text
        return dict(resp.json())

    def get(self, path: str, **params: Any) -> Any:
        resp = self.http.get(path, params=params, headers=self.tenant.headers())
        assert resp.status_code == 200, resp.text
        return resp.json()


@pytest.fixture
def shop(db: Session, http: httpx.Client) -> Shop:
    return Shop(http, make_tenant(db, "Text"))


@pytest.fixture
def run_jobs(session_factory: sessionmaker[Session], settings: Settings) -> Callable[[], int]:
    """Runs every due job and periodic check now (as the background worker would)."""
    worker = Worker(session_factory, RunOptions(worker="test", settings=settings), 0.05)
    return worker.drain

"""Export tests: a workspace with responses submitted through the API to two surveys, and a job
runner."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy.orm import Session, sessionmaker

from cxloop.core.settings import Settings
from cxloop.exports import tasks as exports_tasks  # registers the export job handler
from cxloop.jobs.service import RunOptions
from cxloop.jobs.worker import Worker
from tests.factories import Tenant, make_tenant
from tests.surveys.helpers import (
    choice_question,
    comment_question,
    create_survey,
    csat_question,
    make_touchpoint,
    nps_question,
)

assert exports_tasks


@pytest.fixture
def run_jobs(session_factory: sessionmaker[Session], settings: Settings) -> Callable[[], int]:
    return Worker(session_factory, RunOptions(worker="test", settings=settings), 0.05).drain


@dataclass
class Submitted:
    """What was sent: the surveys, touchpoint and each response item with its stored id."""

    tenant: Tenant
    survey_a: dict[str, Any]
    survey_b: dict[str, Any]
    touchpoint: dict[str, Any]
    items: list[dict[str, Any]]  # each with "id" added

    def by_id(self) -> dict[str, dict[str, Any]]:
        return {item["id"]: item for item in self.items}


def _item(
    survey: dict[str, Any], when: str, answers: dict[str, Any], **extra: Any
) -> dict[str, Any]:
    return {"survey_id": survey["id"], "submitted_at": when, "answers": answers, **extra}


@pytest.fixture
def submitted(db: Session, http: httpx.Client) -> Submitted:
    tenant = make_tenant(db)
    touchpoint = make_touchpoint(http, tenant, channel="app")
    langs = ["en", "vi"]
    survey_a = create_survey(
        http,
        tenant,
        name="Delivery NPS",
        languages=langs,
        touchpoint_id=touchpoint["id"],
        questions=[
            nps_question(langs),
            comment_question(langs),
            choice_question(langs, "multiple_choice", "reasons"),
        ],
    )
    survey_b = create_survey(
        http,
        tenant,
        name="Store CSAT",
        languages=langs,
        questions=[csat_question(langs), comment_question(langs)],
    )
    tp = touchpoint["id"]
    items = [
        _item(
            survey_a,
            "2024-03-01T20:30:00+00:00",
            {"nps": 10, "comment": 'Fast, "really" fast\nthanks', "reasons": ["fast", "kind"]},
            channel="email",
            language="en",
            touchpoint_id=tp,
            contact={"external_id": "c-1", "email": "ann@example.com"},
            hidden={"order": "A-1", "store": 12},
        ),
        _item(
            survey_a,
            "2024-03-02T09:00:00+00:00",
            {"nps": 3, "comment": "Giao hàng chậm quá", "reasons": ["cheap"]},
            channel="app",
            language="vi",
            touchpoint_id=tp,
            contact={"external_id": "c-2"},
            hidden={"order": "A-2"},
        ),
        _item(
            survey_a,
            "2024-03-03T09:00:00+00:00",
            {"nps": 7, "comment": "=1+2"},
            channel="email",
            language="en",
        ),
        _item(
            survey_b,
            "2024-03-04T09:00:00+00:00",
            {"csat": 4, "comment": "Nice store"},
            channel="store",
            language="en",
            contact={"email": "bob@example.com"},
        ),
        _item(survey_b, "2024-03-05T09:00:00+00:00", {"csat": 2}, channel="store", language="vi"),
    ]
    resp = http.post("/api/v1/responses/batch", json={"items": items}, headers=tenant.headers())
    assert resp.status_code == 201, resp.text
    for item, ident in zip(items, resp.json()["ids"], strict=True):
        item["id"] = ident
    return Submitted(tenant, survey_a, survey_b, touchpoint, items)

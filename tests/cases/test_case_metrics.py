"""Case metrics against a hand-computed week, and the obstacle report."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest
from sqlalchemy.orm import Session

from cxloop.cases import service
from cxloop.cases.schemas import CaseCreate, Transition
from tests.cases.helpers import freeze
from tests.factories import Tenant, make_tenant

SURVEY = {
    "name": "NPS",
    "default_language": "en",
    "texts": {"en": {"title": "How did we do?"}},
    "questions": [
        {"key": "nps", "kind": "nps", "required": True, "texts": {"en": {"prompt": "Recommend?"}}}
    ],
}


def at(day: int, hour: int) -> datetime:
    return datetime(2026, 11, day, hour, 0, tzinfo=UTC)  # 2026-11-02 is a Monday


def answer(
    http: httpx.Client, tenant: Tenant, survey: str, email: str, score: int, day: int
) -> str:
    made = http.post(
        "/api/v1/responses",
        json={
            "survey_id": survey,
            "answers": {"nps": score},
            "contact": {"email": email},
            "submitted_at": at(day, 12).isoformat(),
        },
        headers=tenant.headers(),
    )
    assert made.status_code == 201, made.text
    return str(made.json()["id"])


def test_case_metrics_match_a_hand_computed_week(
    db: Session, http: httpx.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    tenant = make_tenant(db, "Metrics")
    ws, h = tenant.workspace.id, tenant.headers()
    survey = http.post("/api/v1/surveys", json={**SURVEY, "publish": True}, headers=h).json()["id"]
    r_a = answer(http, tenant, survey, "a@example.com", 3, 1)  # detractor, later 8: recovered
    answer(http, tenant, survey, "a@example.com", 8, 20)
    r_b = answer(http, tenant, survey, "b@example.com", 5, 1)  # detractor, later 4: not
    answer(http, tenant, survey, "b@example.com", 4, 20)
    r_c = answer(http, tenant, survey, "c@example.com", 9, 1)  # promoter: not counted
    r_d = answer(http, tenant, survey, "d@example.com", 0, 1)  # detractor, no later answer
    cause = http.post(
        "/api/v1/root-causes", json={"name": "Policy", "obstacle": True}, headers=h
    ).json()["id"]
    resolve = Transition(to="resolved", root_cause_id=cause, resolution="done")

    def step(when: datetime, case_id: str, to: str) -> None:
        freeze(monkeypatch, when)
        move = resolve if to == "resolved" else Transition.model_validate({"to": to})
        service.transition(db, ws, case_id, move, "key:k")

    def opened(when: datetime, response_id: str) -> str:
        freeze(monkeypatch, when)
        return service.open_case(db, ws, CaseCreate(title="t", response_id=response_id), "key:k")[
            0
        ].id

    a = opened(at(2, 9), r_a)
    step(at(2, 11), a, "open")  # first action 2h
    step(at(3, 9), a, "resolved")  # 8h, within 40h
    step(at(3, 10), a, "closed")  # closed after 9h
    b = opened(at(2, 10), r_b)
    step(at(2, 14), b, "open")  # 4h
    step(at(10, 10), b, "resolved")  # 48h > 40h: late
    step(at(10, 12), b, "closed")  # 50h
    c = opened(at(3, 9), r_c)
    step(at(3, 15), c, "open")  # 6h
    step(at(3, 16), c, "resolved")
    step(at(4, 9), c, "reopened")
    opened(at(4, 9), r_d)  # no action yet
    db.commit()

    got = http.get(
        "/api/v1/case-metrics", params={"from": "2026-11-02", "to": "2026-11-08"}, headers=h
    )
    assert got.status_code == 200, got.text
    m = got.json()["overall"]
    assert (m["opened"], m["closed"], m["closed_within_sla"]) == (4, 2, 1)
    assert m["closed_loop_rate"] == 25.0  # 1 closed within SLA / 4 opened
    assert m["median_first_action_hours"] == 4.0  # median of 2, 4, 6
    assert m["median_close_hours"] == 29.5  # median of 9, 50
    assert (m["resolved"], m["reopened"], m["reopen_rate"]) == (3, 1, 33.33)
    assert (m["detractors_followed_up"], m["recovered"], m["recovery_rate"]) == (2, 1, 50.0)

    by_cause = http.get(
        "/api/v1/case-metrics",
        params={"from": "2026-11-02", "to": "2026-11-08", "by": "root_cause"},
        headers=h,
    ).json()["groups"]
    assert [(g["label"], g["opened"]) for g in by_cause] == [("Policy", 3), ("(no root cause)", 1)]
    later = http.get(
        "/api/v1/case-metrics", params={"from": "2026-11-09", "to": "2026-11-15"}, headers=h
    ).json()["overall"]
    assert later["opened"] == 0 and later["closed_loop_rate"] is None

    http.post("/api/v1/root-causes", json={"name": "Courier", "obstacle": False}, headers=h)
    report = http.get("/api/v1/root-causes/obstacles", headers=h).json()
    assert report == [{"root_cause_id": cause, "name": "Policy", "cases": 3}]

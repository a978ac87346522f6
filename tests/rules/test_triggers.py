"""Triggers really fire: the public survey page, the responses API (one and batch), the
interactions API, and comment analysis; a preview counts matches and runs nothing."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy.orm import Session, sessionmaker

from cxloop.core.settings import Settings
from cxloop.jobs.service import RunOptions
from cxloop.jobs.worker import Worker
from tests.rules.conftest import Shop
from tests.surveys.helpers import token_of
from tests.surveys.test_public_page import answer

DETRACTOR = {"all": [{"field": "nps", "op": "lte", "value": 6}]}


@pytest.fixture
def run_jobs(session_factory: sessionmaker[Session], settings: Settings) -> Callable[[], int]:
    worker = Worker(session_factory, RunOptions(worker="rules-test", settings=settings), 0.05)
    return worker.drain


def test_a_public_survey_submission_triggers_rules(shop: Shop) -> None:
    rule = shop.rule(DETRACTOR, [{"type": "open_case", "title": "Detractor on the web form"}])
    resp, _ = answer(shop.http, token_of(shop.survey), {"nps": "2", "comment": "Slow"})
    assert resp.status_code in (200, 303), resp.text
    (job,) = shop.jobs("rules.evaluate")
    assert job.payload["trigger"] == "response.submitted"
    shop.evaluate()
    (run,) = shop.runs(rule["id"])
    assert run.outcome == "matched" and run.subject_id == job.payload["subjects"][0]
    (case_job,) = shop.jobs("case.open")
    assert case_job.payload["response_id"] == run.subject_id


def test_a_batch_of_responses_queues_one_evaluation(shop: Shop) -> None:
    rule = shop.rule(DETRACTOR)
    items = [{"survey_id": shop.survey["id"], "answers": {"nps": n}} for n in (1, 9, 6)]
    resp = shop.api("POST", "/api/v1/responses/batch", {"items": items})
    assert resp.status_code in (200, 201), resp.text
    (job,) = shop.jobs("rules.evaluate")
    assert sorted(job.payload["subjects"]) == sorted(resp.json()["ids"])
    shop.evaluate()
    outcomes = sorted(r.outcome for r in shop.runs(rule["id"]))
    assert outcomes == ["matched", "matched", "not_matched"]


def test_an_interaction_triggers_interaction_rules(shop: Shop) -> None:
    rule = shop.rule(
        {
            "all": [
                {"field": "interaction.kind", "op": "in", "value": ["review", "social_mention"]},
                {"field": "keyword", "op": "contains", "value": ["scam", "lừa đảo"]},
            ]
        },
        [{"type": "tag", "tag": "reputation"}],
        trigger="interaction.created",
    )
    one = shop.api(
        "POST",
        "/api/v1/interactions",
        {"kind": "review", "contact_email": "a@b.co", "text": "Đây là lừa đảo!"},
    ).json()
    shop.api(
        "POST",
        "/api/v1/interactions",
        {"kind": "order", "contact_email": "a@b.co", "text": "scam?"},
    )
    assert len(shop.jobs("rules.evaluate")) == 2
    shop.evaluate()
    assert [(r.subject_id, r.outcome) for r in shop.runs(rule["id"]) if r.outcome == "matched"] == [
        (one["id"], "matched")
    ]
    tags = shop.api("GET", "/api/v1/tags", subject=one["id"], kind="interaction").json()
    assert [t["tag"] for t in tags] == ["reputation"]


def test_comment_analysis_triggers_a_sentiment_rule(
    shop: Shop, run_jobs: Callable[[], int]
) -> None:
    rule = shop.rule(
        {"all": [{"field": "sentiment", "op": "eq", "value": "negative"}]},
        [{"type": "tag", "tag": "unhappy"}],
        trigger="comment.analyzed",
    )
    shop.say(2, "Terrible service, the parcel arrived broken and nobody helped me")
    shop.say(10, "Wonderful, fast and friendly, thank you so much")
    run_jobs()  # analyses the comments, then evaluates the rule on them
    runs = shop.runs(rule["id"])
    assert sorted(r.outcome for r in runs) == ["matched", "not_matched"]
    (hit,) = [r for r in runs if r.outcome == "matched"]
    comment = shop.api("GET", f"/api/v1/comments/{hit.subject_id}").json()
    assert comment["sentiment"] == "negative" and "broken" in comment["text"]
    tags = shop.api("GET", "/api/v1/tags", subject=hit.subject_id).json()
    assert [(t["tag"], t["subject_kind"]) for t in tags] == [("unhappy", "comment")]


def test_preview_counts_the_last_100_and_runs_no_action(shop: Shop) -> None:
    for score in (0, 3, 6, 7, 9):
        shop.say(score)
    rule = shop.rule(DETRACTOR, [{"type": "open_case"}])
    found = shop.api("POST", f"/api/v1/rules/{rule['id']}/preview").json()
    assert (found["evaluated"], found["matched"]) == (5, 3)
    assert all(m["summary"].startswith("NPS ") for m in found["matches"])
    passives = {
        "all": [
            {"field": "nps", "op": "gte", "value": 7},
            {"field": "nps", "op": "lte", "value": 8},
        ]
    }
    body = shop.api("POST", "/api/v1/rules/preview", {"conditions": passives}).json()
    assert body["matched"] == 1
    assert shop.jobs("case.open") == [] and shop.runs(rule["id"]) == []
    bad = shop.api("POST", "/api/v1/rules/preview", {"conditions": {"all": [{"field": "nps"}]}})
    assert bad.status_code == 422 and "conditions.all[0].op" in bad.text


def test_a_case_status_change_triggers_case_rules(shop: Shop) -> None:
    from cxloop.cases import service as cases
    from cxloop.cases.schemas import CaseCreate, Transition

    rule = shop.rule(
        {
            "all": [
                {"field": "case.to", "op": "eq", "value": "open"},
                {"field": "case.priority", "op": "in", "value": ["high", "urgent"]},
            ]
        },
        [
            {
                "type": "notify_email",
                "to": ["lead@example.com"],
                "subject": "Case {case.number} is {case.status}",
                "body": "{case.title}",
            }
        ],
        trigger="case.status_changed",
    )
    urgent, _ = cases.open_case(shop.db, shop.ws, CaseCreate(title="Broken", priority="high"), "t")
    low, _ = cases.open_case(shop.db, shop.ws, CaseCreate(title="Meh", priority="low"), "t")
    for case in (urgent, low):
        cases.transition(shop.db, shop.ws, case.id, Transition(to="open"), "t")
    shop.db.commit()
    shop.evaluate()
    outcomes = {r.subject_id: r.outcome for r in shop.runs(rule["id"])}
    assert outcomes == {urgent.id: "matched", low.id: "not_matched"}
    (email,) = shop.jobs("notify.email")
    assert email.payload["subject"] == f"Case {urgent.number} is open"
    assert email.payload["text"] == "Broken"


def test_an_alert_firing_triggers_alert_rules_with_its_data(shop: Shop) -> None:
    from cxloop.rules import events

    rule = shop.rule(
        {"all": [{"field": "alert.metric", "op": "eq", "value": "nps"}]},
        [
            {
                "type": "notify_email",
                "to": ["cx@example.com"],
                "subject": "{alert.name}",
                "body": "{alert.text}",
            }
        ],
        trigger="alert.fired",
    )
    data = {
        "alert_id": "a1",
        "alert_name": "Delivery NPS",
        "metric": "nps",
        "text": "NPS of Delivery dropped to 12 this week (-18, p=0.01)",
    }
    events.emit(shop.db, shop.ws, "alert.fired", ["firing-1"], data)
    events.emit(shop.db, shop.ws, "alert.fired", ["firing-2"], {**data, "metric": "csat"})
    shop.db.commit()
    shop.evaluate()
    assert {r.subject_id: r.outcome for r in shop.runs(rule["id"])} == {
        "firing-1": "matched",
        "firing-2": "not_matched",
    }
    (email,) = shop.jobs("notify.email")
    assert (email.payload["subject"], email.payload["text"]) == ("Delivery NPS", data["text"])

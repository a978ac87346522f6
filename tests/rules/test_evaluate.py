"""Rules on responses: a detractor opens one case and one email however often the evaluation
runs; promoters do not; versions are logged; one rule's failure does not stop the others."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from cxloop.cases.models import Case
from cxloop.core.security import Role
from cxloop.core.settings import Settings
from cxloop.jobs.service import RunOptions
from cxloop.jobs.worker import Worker
from tests.cases.helpers import add_user
from tests.rules.conftest import Shop

DETRACTOR = {"field": "nps", "op": "lte", "value": 6}


def test_a_detractor_queues_one_case_and_one_email_even_when_evaluated_twice(
    shop: Shop, session_factory: sessionmaker[Session], settings: Settings
) -> None:
    agent = add_user(shop.db, shop.tenant, Role.agent, name="Ana")
    rule = shop.rule(
        {"all": [DETRACTOR]},
        [
            {
                "type": "open_case",
                "priority": "high",
                "owner_id": agent.id,
                "title": "Call {contact.name}: NPS {nps}",
            },
            {
                "type": "notify_email",
                "to": [agent.id],
                "subject": "Detractor at {touchpoint}",
                "body": "{contact.name} said: {comment}",
            },
        ],
    )
    response_id = shop.say(
        3, "Parcel came late", contact={"email": "lan@example.com", "name": "Lan"}
    )

    assert shop.evaluate(times=2) == 1  # the job, and the same job retried

    cases = shop.jobs("case.open")
    emails = shop.jobs("notify.email")
    assert len(cases) == 1 and len(emails) == 1
    assert cases[0].payload["title"] == "Call Lan: NPS 3"
    assert cases[0].payload["response_id"] == response_id
    assert cases[0].payload["priority"] == "high"
    assert emails[0].payload["to"] == agent.email
    assert emails[0].payload["subject"] == f"Detractor at {shop.touchpoint['name']}"
    assert emails[0].payload["text"] == "Lan said: Parcel came late"
    (run,) = shop.runs(rule["id"])
    assert (run.outcome, run.version, run.subject_id) == ("matched", 1, response_id)
    assert [a.get("job_id") for a in run.actions] == [cases[0].id, None]
    assert run.actions[1]["emails"][0]["job_id"] == emails[0].id

    # the worker opens the case (once), owned by the agent
    worker = Worker(session_factory, RunOptions(worker="rules", settings=settings), 0.05)
    worker.drain()
    with session_factory() as s:
        opened = s.query(Case).filter(Case.workspace_id == shop.ws).all()
    assert [(c.title, c.owner_id, c.response_id) for c in opened] == [
        ("Call Lan: NPS 3", agent.id, response_id)
    ]


def test_a_promoter_does_not_match(shop: Shop) -> None:
    rule = shop.rule({"all": [DETRACTOR]}, [{"type": "open_case"}])
    response_id = shop.say(10, "Great")
    shop.evaluate()
    assert shop.jobs("case.open") == []
    (run,) = shop.runs(rule["id"])
    assert (run.outcome, run.subject_id, run.actions) == ("not_matched", response_id, [])


def test_an_edit_makes_version_2_and_new_runs_name_it(shop: Shop) -> None:
    rule = shop.rule({"all": [DETRACTOR]})
    first = shop.say(5)
    shop.evaluate()
    edited = shop.api(
        "PATCH",
        f"/api/v1/rules/{rule['id']}",
        {"conditions": {"all": [{"field": "nps", "op": "lte", "value": 4}]}},
    )
    assert edited.status_code == 200, edited.text
    assert edited.json()["version"] == 2
    paused = shop.api("PATCH", f"/api/v1/rules/{rule['id']}", {"active": True})
    assert paused.json()["version"] == 2  # switching on/off is not an edit

    versions = shop.api("GET", f"/api/v1/rules/{rule['id']}/versions").json()
    assert [v["number"] for v in versions] == [2, 1]
    assert versions[1]["conditions"] == {"all": [DETRACTOR]}  # v1 kept as it was

    second = shop.say(5)
    shop.evaluate()
    runs = shop.runs(rule["id"])
    assert [(r.subject_id, r.version, r.outcome) for r in runs] == [
        (first, 1, "matched"),
        (second, 2, "not_matched"),
    ]
    listed = shop.api("GET", f"/api/v1/rules/{rule['id']}/runs").json()
    assert [i["version"] for i in listed["items"]] == [2, 1]
    only = shop.api("GET", "/api/v1/rule-runs", outcome="matched").json()
    assert [i["subject_id"] for i in only["items"]] == [first]


def test_an_inactive_rule_does_not_run_and_ingestion_queues_nothing(shop: Shop) -> None:
    rule = shop.rule({"all": [DETRACTOR]})
    shop.api("PATCH", f"/api/v1/rules/{rule['id']}", {"active": False})
    shop.say(2)
    assert shop.jobs("rules.evaluate") == []


def test_one_failing_rule_does_not_stop_the_others(shop: Shop) -> None:
    segment = shop.api(
        "POST",
        "/api/v1/segments",
        {
            "name": "Callback",
            "definition": {"conditions": [{"field": "language", "op": "eq", "value": "xx"}]},
        },
    ).json()
    broken = shop.rule(
        {"all": [DETRACTOR]}, [{"type": "add_to_segment", "segment_id": segment["id"]}], name="A"
    )
    fine = shop.rule({"all": [DETRACTOR]}, [{"type": "tag", "tag": "detractor"}], name="B")
    assert shop.api("DELETE", f"/api/v1/segments/{segment['id']}").status_code == 204
    response_id = shop.say(1, contact={"email": "x@example.com"})
    shop.evaluate(times=2)
    (bad,) = shop.runs(broken["id"])
    assert bad.outcome == "error" and segment["id"] in (bad.error or "")
    (good,) = shop.runs(fine["id"])
    assert good.outcome == "matched"
    tags = shop.api("GET", "/api/v1/tags", subject=response_id).json()
    assert [(t["tag"], t["subject_kind"]) for t in tags] == [("detractor", "response")]

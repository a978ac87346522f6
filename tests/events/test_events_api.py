"""POST /api/v1/events: records an interaction, flags unknown touchpoints, counts a retried
event once, and evaluates triggers (conditions, deterministic sampling, delays)."""

from __future__ import annotations

from datetime import timedelta

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from cxloop.core.database import utcnow
from cxloop.core.settings import Settings
from cxloop.governance import service as governance
from cxloop.jobs import service as jobs
from cxloop.jobs.models import Job
from cxloop.jobs.service import JobContext
from cxloop.jobs.worker import load_tasks
from tests.events.helpers import add_trigger, make_program
from tests.factories import make_tenant


def test_an_event_is_recorded_as_an_interaction_on_its_touchpoint(
    db: Session, http: httpx.Client
) -> None:
    tenant = make_tenant(db, "Events")
    program = make_program(http, tenant)
    h = tenant.headers()
    body = {
        "contact": {
            "email": "Ana@Example.com",
            "language": "vi",
            "attributes": {"plan": "gold"},
        },
        "event": "checkout_completed",
        "properties": {"order_id": "A-1001", "amount": 42.5},
        "occurred_at": "2026-11-20T10:00:00Z",
    }
    response = http.post("/api/v1/events", json=body, headers=h)
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["flagged"] is False and result["warnings"] == []
    assert result["touchpoint_id"] == program.touchpoint_id
    assert result["triggers_matched"] == 0

    interaction = http.get(f"/api/v1/interactions/{result['interaction_id']}", headers=h).json()
    assert interaction["touchpoint_id"] == program.touchpoint_id
    assert interaction["channel"] == "web"
    assert interaction["properties"] == {
        "order_id": "A-1001",
        "amount": 42.5,
        "event": "checkout_completed",
    }
    assert interaction["occurred_at"].startswith("2026-11-20T10:00:00")
    contact = http.get(f"/api/v1/contacts/{result['contact_id']}", headers=h).json()
    assert contact["email"] == "ana@example.com"
    assert contact["language"] == "vi"
    assert contact["attributes"] == {"plan": "gold"}


def test_an_unknown_touchpoint_is_recorded_and_flagged_not_refused(
    db: Session, http: httpx.Client
) -> None:
    tenant = make_tenant(db, "Unknown")
    h = tenant.headers()
    body = {"contact": {"phone": "+84 90 123 4567"}, "touchpoint": "kiosk-7", "event": "visit"}
    response = http.post("/api/v1/events", json=body, headers=h)
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["flagged"] is True and result["touchpoint_id"] is None
    assert "kiosk-7" in result["warnings"][0]
    stored = http.get(f"/api/v1/interactions/{result['interaction_id']}", headers=h).json()
    assert stored["properties"]["unknown_touchpoint"] == "kiosk-7"
    again = http.post("/api/v1/events", json=body, headers=h).json()
    assert again["contact_id"] == result["contact_id"]  # found again by phone


def test_a_retried_event_with_the_same_idempotency_key_counts_once(
    db: Session, http: httpx.Client
) -> None:
    tenant = make_tenant(db, "Idempotent")
    program = make_program(http, tenant)
    h = tenant.headers()
    add_trigger(
        http,
        tenant,
        event="checkout_completed",
        survey_id=program.survey_id,
        channel="email",
        delay_seconds=3600,
    )
    body = {
        "contact": {"external_id": "u-1", "email": "u1@example.com"},
        "event": "checkout_completed",
        "idempotency_key": "order-A-1",
    }
    first = http.post("/api/v1/events", json=body, headers=h).json()
    second = http.post("/api/v1/events", json=body, headers=h).json()
    assert first["duplicate"] is False and second["duplicate"] is True
    assert second["interaction_id"] == first["interaction_id"]
    assert second["triggers"] == first["triggers"]  # what happened, not done twice
    listed = http.get(
        "/api/v1/interactions", params={"contact_id": first["contact_id"]}, headers=h
    ).json()
    assert listed["total"] == 1
    jobs = db.scalars(
        select(Job).where(Job.workspace_id == tenant.workspace.id, Job.kind == "events.offer")
    ).all()
    assert len(jobs) == 1


def test_a_delayed_trigger_schedules_the_offer_after_the_delay(
    db: Session, http: httpx.Client
) -> None:
    tenant = make_tenant(db, "Delay")
    program = make_program(http, tenant)
    trigger = add_trigger(
        http,
        tenant,
        event="checkout_completed",
        survey_id=program.survey_id,
        channel="email",
        delay_seconds=2 * 3600,
    )
    before = utcnow()
    body = {"contact": {"email": "late@example.com"}, "event": "checkout_completed"}
    result = http.post("/api/v1/events", json=body, headers=tenant.headers()).json()
    assert result["triggers_matched"] == 1
    firing = result["triggers"][0]
    assert firing["trigger_id"] == trigger["id"] and firing["outcome"] == "scheduled"
    job = db.scalars(
        select(Job).where(Job.workspace_id == tenant.workspace.id, Job.kind == "events.offer")
    ).one()
    assert before + timedelta(hours=2) - timedelta(seconds=5) <= job.run_after
    assert job.run_after <= utcnow() + timedelta(hours=2, seconds=5)


def test_conditions_on_event_properties_decide_which_trigger_matches(
    db: Session, http: httpx.Client
) -> None:
    tenant = make_tenant(db, "Conditions")
    program = make_program(http, tenant)
    add_trigger(
        http,
        tenant,
        event="checkout_completed",
        survey_id=program.survey_id,
        channel="email",
        delay_seconds=60,
        conditions=[
            {"property": "plan", "op": "in", "value": ["gold", "silver"]},
            {"property": "first_order", "op": "eq", "value": True},
        ],
    )

    def matched(properties: dict[str, object]) -> int:
        body = {
            "contact": {"email": "c@example.com"},
            "event": "checkout_completed",
            "properties": properties,
        }
        response = http.post("/api/v1/events", json=body, headers=tenant.headers())
        return int(response.json()["triggers_matched"])

    assert matched({"plan": "gold", "first_order": True}) == 1
    assert matched({"plan": "silver", "first_order": True}) == 1
    assert matched({"plan": "bronze", "first_order": True}) == 0
    assert matched({"plan": "gold", "first_order": 1}) == 0  # a number is not true
    assert matched({"plan": "gold"}) == 0


def test_sampling_is_deterministic_per_contact_and_near_the_percentage(
    db: Session, http: httpx.Client
) -> None:
    tenant = make_tenant(db, "Sample")
    program = make_program(http, tenant)
    add_trigger(
        http,
        tenant,
        event="checkout_completed",
        survey_id=program.survey_id,
        channel="email",
        sample_percent=30,
        delay_seconds=600,  # scheduled, so nothing is sent in this test
    )
    outcomes: dict[str, str] = {}
    for n in range(80):
        body = {"contact": {"external_id": f"s-{n}"}, "event": "checkout_completed"}
        result = http.post("/api/v1/events", json=body, headers=tenant.headers()).json()
        outcomes[f"s-{n}"] = result["triggers"][0]["outcome"]
    sampled_in = sum(1 for o in outcomes.values() if o == "scheduled")
    assert set(outcomes.values()) <= {"scheduled", "sampled_out"}
    assert 10 <= sampled_in <= 40, sampled_in  # 30% of 80 = 24
    out = next(k for k, o in outcomes.items() if o == "sampled_out")
    repeat = http.post(
        "/api/v1/events",
        json={"contact": {"external_id": out}, "event": "checkout_completed"},
        headers=tenant.headers(),
    ).json()["triggers"][0]
    assert repeat["outcome"] == "sampled_out" and "30% sample" in repeat["reason"]


def test_bad_events_get_a_clear_422(db: Session, http: httpx.Client) -> None:
    tenant = make_tenant(db, "BadEvents")
    h = tenant.headers()
    no_contact = http.post("/api/v1/events", json={"contact": {}, "event": "x"}, headers=h)
    assert no_contact.status_code == 422
    assert "email, phone or external_id" in no_contact.json()["error"]["message"]
    no_event = http.post("/api/v1/events", json={"contact": {"email": "a@b.co"}}, headers=h)
    assert no_event.status_code == 422
    assert "event name or a touchpoint" in no_event.json()["error"]["message"]
    bad_email = http.post(
        "/api/v1/events", json={"contact": {"email": "not-an-email"}, "event": "x"}, headers=h
    )
    assert bad_email.status_code == 422 and "email" in bad_email.json()["error"]["message"]
    assert http.post("/api/v1/events", json={"contact": {}, "event": "x"}).status_code == 401


def _run_offer_job(db: Session, settings: Settings, workspace_id: str) -> None:
    """Runs this workspace's due `events.offer` jobs with the registered handler."""
    load_tasks()
    queued = db.scalars(
        select(Job).where(Job.workspace_id == workspace_id, Job.kind == "events.offer")
    ).all()
    for job in queued:
        context = JobContext(job.id, job.kind, workspace_id, dict(job.payload), 1, settings)
        jobs.HANDLERS[job.kind](db, context)
    db.commit()


def test_a_delayed_offer_runs_later_and_a_paused_trigger_cancels_it(
    db: Session, http: httpx.Client, settings: Settings
) -> None:
    tenant = make_tenant(db, "DelayRun")
    program = make_program(http, tenant)
    h = tenant.headers()
    trigger = add_trigger(
        http,
        tenant,
        event="checkout_completed",
        survey_id=program.survey_id,
        channel="link",
        delay_seconds=3600,
    )
    first = {"contact": {"external_id": "d-1"}, "event": "checkout_completed"}
    result = http.post("/api/v1/events", json=first, headers=h).json()
    _run_offer_job(db, settings, tenant.workspace.id)
    firings = http.get(f"/api/v1/contacts/{result['contact_id']}/survey-triggers", headers=h)
    done = firings.json()[0]
    assert done["outcome"] in ("offered", "blocked"), done
    assert done["reason"] or done["outcome"] == "offered"

    second = {"contact": {"external_id": "d-2"}, "event": "checkout_completed"}
    paused = http.post("/api/v1/events", json=second, headers=h).json()
    http.patch(f"/api/v1/survey-triggers/{trigger['id']}", json={"active": False}, headers=h)
    _run_offer_job(db, settings, tenant.workspace.id)
    firings = http.get(f"/api/v1/contacts/{paused['contact_id']}/survey-triggers", headers=h)
    assert firings.json()[0]["outcome"] == "cancelled"
    assert "paused" in firings.json()[0]["reason"]


def test_a_link_trigger_answers_the_personal_link(
    db: Session, http: httpx.Client, settings: Settings
) -> None:
    tenant = make_tenant(db, "LinkOffer")
    program = make_program(http, tenant)
    add_trigger(
        http, tenant, event="checkout_completed", survey_id=program.survey_id, channel="link"
    )
    body = {"contact": {"email": "linky@example.com"}, "event": "checkout_completed"}
    first = http.post("/api/v1/events", json=body, headers=tenant.headers()).json()
    offered = first["triggers"][0]
    assert offered["outcome"] == "offered", offered
    assert offered["invitation_id"] and offered["url"].startswith(settings.base_url)
    firings = http.get(
        f"/api/v1/contacts/{first['contact_id']}/survey-triggers", headers=tenant.headers()
    ).json()
    assert firings[0]["invitation_id"] == offered["invitation_id"]


def test_when_governance_blocks_the_answer_names_the_rule_and_the_reason(
    db: Session, http: httpx.Client
) -> None:
    tenant = make_tenant(db, "Blocked")
    program = make_program(http, tenant)
    h = tenant.headers()
    add_trigger(
        http, tenant, event="checkout_completed", survey_id=program.survey_id, channel="email"
    )
    phone_only = {"contact": {"phone": "+84 90 555 0101"}, "event": "checkout_completed"}
    result = http.post("/api/v1/events", json=phone_only, headers=h).json()
    blocked = result["triggers"][0]
    assert (blocked["outcome"], blocked["rule"]) == ("blocked", "address.missing_email")
    assert blocked["reason"] == "the contact has no email address"
    assert blocked["invitation_id"] is None

    opted = {"contact": {"email": "no-thanks@example.com"}, "event": "checkout_completed"}
    first = http.post("/api/v1/events", json=opted, headers=h).json()
    assert first["triggers"][0]["outcome"] == "offered"
    governance.opt_out(db, tenant.workspace.id, first["contact_id"], "all", "test")
    db.commit()
    second = http.post("/api/v1/events", json=opted, headers=h).json()["triggers"][0]
    assert (second["outcome"], second["rule"]) == ("blocked", "opt_out.global")
    assert "opted out of all surveys" in second["reason"]
    why = http.get(f"/api/v1/contacts/{first['contact_id']}/survey-triggers", headers=h).json()
    assert [f["outcome"] for f in why] == ["blocked", "offered"]

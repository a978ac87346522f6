"""Webhooks to real HTTP servers: signed per Standard Webhooks, retried with the same id,
bounded by the timeout, refused for good on 4xx, and Slack messages."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
from sqlalchemy.orm import Session, sessionmaker
from standardwebhooks.webhooks import Webhook

from cxloop.core.settings import Settings
from cxloop.jobs import service as jobs
from cxloop.jobs.models import Job
from cxloop.jobs.service import RunOptions, run_due
from cxloop.jobs.worker import Worker
from cxloop.notifications import service
from cxloop.notifications.schemas import DeliveryRead, EndpointUpdate
from tests.factories import Tenant, make_tenant
from tests.notifications.conftest import Receiver

DATA = {"alert_id": "a1", "text": "NPS of Delivery dropped to 12", "value": 12.0}


def endpoint(http: httpx.Client, tenant: Tenant, url: str, **extra: Any) -> dict[str, Any]:
    resp = http.post(
        "/api/v1/webhook-endpoints",
        json={"name": "Ops", "url": url, **extra},
        headers=tenant.headers(),
    )
    assert resp.status_code == 201, resp.text
    body: dict[str, Any] = resp.json()
    return body


def deliveries(db: Session, workspace_id: str) -> list[DeliveryRead]:
    db.expire_all()
    return service.list_deliveries(db, workspace_id, limit=500).items


def test_a_signed_event_verifies_and_500s_are_retried_with_the_same_webhook_id(
    db: Session,
    http: httpx.Client,
    receivers: Callable[..., Receiver],
    make_worker: Callable[[], Worker],
) -> None:
    tenant = make_tenant(db, "Hooks")
    ws = tenant.workspace.id
    receiver = receivers((500, 0), (500, 0))
    created = endpoint(http, tenant, receiver.url, event_types=["alert.fired"])
    secret = created["secret"]
    assert secret.startswith("whsec_")
    shown = http.get(f"/api/v1/webhook-endpoints/{created['id']}", headers=tenant.headers())
    assert "secret" not in shown.json() and secret not in shown.text  # shown once only

    job_ids = service.queue_event(db, ws, "alert.fired", DATA, dedupe_key="firing-1")
    assert service.queue_event(db, ws, "alert.fired", DATA, dedupe_key="firing-1") == []
    db.commit()
    assert len(job_ids) == 1
    make_worker().drain()

    assert len(receiver.received) == 3
    ids = {r.headers["webhook-id"] for r in receiver.received}
    assert ids == {f"msg_{job_ids[0]}"}
    for request in receiver.received:
        event = Webhook(secret).verify(request.body, request.headers)
        assert event["type"] == "alert.fired" and event["data"] == DATA
        assert request.headers["content-type"] == "application/json"
    (sent,) = deliveries(db, ws)
    assert sent.status == "sent" and sent.attempts == 3 and sent.response_status == 200
    assert [a.outcome for a in sent.attempt_log] == ["retry", "retry", "done"]
    assert "HTTP 500" in (sent.attempt_log[0].error or "")


def test_a_reply_slower_than_the_timeout_is_retried(
    db: Session,
    http: httpx.Client,
    receivers: Callable[..., Receiver],
    make_worker: Callable[[], Worker],
) -> None:
    tenant = make_tenant(db, "Slow")
    receiver = receivers((200, 5.0))  # the first answer comes after 5 s; the timeout is 0.5 s
    created = endpoint(http, tenant, receiver.url)
    job_id = service.queue_webhook(db, tenant.workspace.id, created["id"], "case.sla_breached", {})
    db.commit()
    make_worker().drain()
    (sent,) = deliveries(db, tenant.workspace.id)
    assert sent.job_id == job_id and sent.status == "sent" and sent.attempts == 2
    assert "timed out" in (sent.attempt_log[0].error or "")
    assert len(receiver.received) == 2


def test_an_endpoint_that_never_answers_does_not_hold_up_another(
    db: Session,
    http: httpx.Client,
    session_factory: sessionmaker[Session],
    notify_settings: Settings,
    receivers: Callable[..., Receiver],
    blackhole: str,
    make_worker: Callable[[], Worker],
) -> None:
    tenant = make_tenant(db, "Stuck")
    ws = tenant.workspace.id
    stuck = endpoint(http, tenant, blackhole)  # created first: its job runs first
    fine = receivers()
    endpoint(http, tenant, fine.url)
    assert len(service.queue_event(db, ws, "case.status_changed", {"to": "closed"})) == 2
    db.commit()

    run_due(session_factory, RunOptions("notify-once", notify_settings, retry_base_seconds=60))

    assert len(fine.received) == 1
    by_target = {d.target: d for d in deliveries(db, ws)}
    assert by_target[fine.url].status == "sent"
    waiting = by_target[blackhole]
    assert waiting.status == "retrying" and "timed out" in (waiting.last_error or "")

    # Deactivated meanwhile: the retry is skipped and says why.
    service.update_endpoint(db, ws, stuck["id"], EndpointUpdate(active=False))
    db.commit()
    retry = jobs.list_jobs(db, ws, status="queued")
    assert len(retry) == 1
    job = db.get(Job, retry[0].id)
    assert job is not None
    job.run_after = job.created_at  # due now
    db.commit()
    make_worker().drain()
    skipped = {d.target: d for d in deliveries(db, ws)}[blackhole]
    assert skipped.status == "skipped" and skipped.last_error == "the endpoint is inactive"


def test_a_400_fails_for_good_and_a_410_also_deactivates_the_endpoint(
    db: Session,
    http: httpx.Client,
    receivers: Callable[..., Receiver],
    make_worker: Callable[[], Worker],
) -> None:
    tenant = make_tenant(db, "Refuse")
    ws = tenant.workspace.id
    bad, gone = receivers((400, 0)), receivers((410, 0))
    bad_ep, gone_ep = endpoint(http, tenant, bad.url), endpoint(http, tenant, gone.url)
    service.queue_event(db, ws, "alert.fired", DATA)
    db.commit()
    make_worker().drain()

    assert len(bad.received) == 1 and len(gone.received) == 1  # no retries
    by_target = {d.target: d for d in deliveries(db, ws)}
    refused = by_target[bad.url]
    assert refused.status == "failed" and refused.attempts == 1
    assert refused.last_error == "HTTP 400 Bad Request" and refused.response_status == 400
    assert "410 Gone" in (by_target[gone.url].last_error or "")
    h = tenant.headers()
    assert http.get(f"/api/v1/webhook-endpoints/{bad_ep['id']}", headers=h).json()["active"]
    after = http.get(f"/api/v1/webhook-endpoints/{gone_ep['id']}", headers=h).json()
    assert after["active"] is False and "gone" in after["deactivated_reason"]

    # An inactive endpoint gets no more events.
    assert len(service.queue_event(db, ws, "alert.fired", DATA)) == 1


def test_slack_endpoints_get_a_text_message_without_signature(
    db: Session,
    http: httpx.Client,
    receivers: Callable[..., Receiver],
    make_worker: Callable[[], Worker],
) -> None:
    tenant = make_tenant(db, "Slack")
    receiver = receivers()
    endpoint(http, tenant, receiver.url, kind="slack")
    service.queue_event(db, tenant.workspace.id, "alert.fired", DATA)
    service.queue_event(db, tenant.workspace.id, "case.sla_breached", {"case_id": "c9"})
    db.commit()
    make_worker().drain()
    bodies = [json.loads(r.body) for r in receiver.received]
    assert {"text": "NPS of Delivery dropped to 12"} in bodies
    assert {"text": "cxloop event case.sla_breached · case_id: c9"} in bodies
    assert all("webhook-signature" not in r.headers for r in receiver.received)


def test_events_go_only_to_subscribed_endpoints(
    db: Session,
    http: httpx.Client,
    receivers: Callable[..., Receiver],
    make_worker: Callable[[], Worker],
) -> None:
    tenant = make_tenant(db, "Filter")
    ws = tenant.workspace.id
    cases_only, everything = receivers(), receivers()
    picky = endpoint(http, tenant, cases_only.url, event_types=["case.*"])
    endpoint(http, tenant, everything.url)
    assert len(service.queue_event(db, ws, "alert.fired", DATA)) == 1
    assert len(service.queue_event(db, ws, "case.sla_breached", {"case_id": "c1"})) == 2
    # a job queued to the endpoint directly for an event it does not take is skipped
    service.queue_webhook(db, ws, picky["id"], "alert.fired", DATA)
    db.commit()
    make_worker().drain()
    assert len(cases_only.received) == 1 and len(everything.received) == 2
    skipped = [d for d in deliveries(db, ws) if d.status == "skipped"]
    assert len(skipped) == 1
    assert skipped[0].last_error == "the endpoint is not subscribed to alert.fired"


def test_after_a_rotation_both_secrets_verify_and_the_test_button_sends_a_ping(
    db: Session,
    http: httpx.Client,
    receivers: Callable[..., Receiver],
    make_worker: Callable[[], Worker],
) -> None:
    tenant = make_tenant(db, "Rotate")
    receiver = receivers()
    created = endpoint(http, tenant, receiver.url, event_types=["alert.fired"])
    h = tenant.headers()
    rotated = http.post(f"/api/v1/webhook-endpoints/{created['id']}/rotate-secret", headers=h)
    assert rotated.status_code == 200
    new_secret = rotated.json()["secret"]
    assert new_secret != created["secret"]
    queued = http.post(f"/api/v1/webhook-endpoints/{created['id']}/test", headers=h)
    assert queued.status_code == 202, queued.text
    make_worker().drain()
    (request,) = receiver.received
    for secret in (new_secret, created["secret"]):
        assert Webhook(secret).verify(request.body, request.headers)["type"] == "webhook.test"
    delivery = http.get(f"/api/v1/deliveries/{queued.json()['delivery_id']}", headers=h).json()
    assert delivery["status"] == "sent" and delivery["event_type"] == "webhook.test"


def test_endpoints_on_private_addresses_are_refused_unless_the_administrator_allows_them(
    db: Session,
    http: httpx.Client,
    receivers: Callable[..., Receiver],
    session_factory: sessionmaker[Session],
    notify_settings: Settings,
) -> None:
    tenant = make_tenant(db, "Intranet")
    ws = tenant.workspace.id
    inside = receivers((200, 0))
    endpoint(http, tenant, inside.url)
    service.queue_event(db, ws, "alert.fired", DATA)
    db.commit()
    closed = notify_settings.model_copy(update={"webhook_private_targets": False})
    run_due(session_factory, RunOptions("notify-once", closed, retry_base_seconds=0))

    assert inside.received == []
    (refused,) = deliveries(db, ws)
    assert refused.status == "failed" and "127.0.0.1 is a non-public address" in (
        refused.last_error or ""
    )
    assert "CXLOOP_WEBHOOK_PRIVATE_TARGETS" in (refused.last_error or "")

    service.queue_event(db, ws, "alert.fired", {**DATA, "again": True})
    db.commit()
    run_due(session_factory, RunOptions("notify-once", notify_settings, retry_base_seconds=0))
    assert len(inside.received) == 1

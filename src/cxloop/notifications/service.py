"""Notifications logic: webhook endpoints, queueing emails, webhooks and events, and reading
the delivery log. Flushes, never commits."""

from __future__ import annotations

import base64
import logging
import secrets
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from cxloop.core.database import utcnow
from cxloop.core.errors import Conflict, Invalid, NotFound
from cxloop.jobs import service as jobs
from cxloop.jobs.schemas import AttemptRead
from cxloop.notifications import repository as repo
from cxloop.notifications.models import Delivery, WebhookEndpoint
from cxloop.notifications.schemas import (
    STATUSES,
    DeliveryPage,
    DeliveryRead,
    EndpointCreate,
    EndpointRead,
    EndpointUpdate,
    EndpointWithSecret,
    TestQueued,
)

log = logging.getLogger("cxloop.notifications")

EMAIL = "notify.email"
WEBHOOK = "webhook.deliver"
TEST_EVENT = "webhook.test"  # sent by "Send test"; passes every endpoint's event filter
PREVIOUS_SECRET_GRACE = timedelta(hours=24)
CHANNELS = ("email", "webhook")


def new_secret() -> str:
    """A Standard Webhooks secret: `whsec_` and 32 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


# --- webhook endpoints -------------------------------------------------------------------


def _endpoint(db: Session, workspace_id: str, endpoint_id: str) -> WebhookEndpoint:
    endpoint = repo.get_endpoint(db, workspace_id, endpoint_id)
    if endpoint is None:
        raise NotFound(f"webhook endpoint {endpoint_id} does not exist")
    return endpoint


def list_endpoints(db: Session, workspace_id: str) -> list[EndpointRead]:
    return [EndpointRead.model_validate(e) for e in repo.list_endpoints(db, workspace_id)]


def get_endpoint(db: Session, workspace_id: str, endpoint_id: str) -> EndpointRead:
    return EndpointRead.model_validate(_endpoint(db, workspace_id, endpoint_id))


def create_endpoint(db: Session, workspace_id: str, data: EndpointCreate) -> EndpointWithSecret:
    """Stores the endpoint with a new signing secret, returned this once."""
    endpoint = WebhookEndpoint(workspace_id=workspace_id, secret=new_secret(), **data.model_dump())
    db.add(endpoint)
    db.flush()
    return EndpointWithSecret.model_validate(endpoint)


def update_endpoint(
    db: Session, workspace_id: str, endpoint_id: str, data: EndpointUpdate
) -> EndpointRead:
    endpoint = _endpoint(db, workspace_id, endpoint_id)
    for key, value in data.model_dump(exclude_unset=True).items():
        if value is None:
            raise Invalid(f"{key}: may not be null")
        setattr(endpoint, key, value)
    if data.active:
        endpoint.deactivated_reason = None
    endpoint.updated_at = utcnow()
    db.flush()
    return EndpointRead.model_validate(endpoint)


def delete_endpoint(db: Session, workspace_id: str, endpoint_id: str) -> None:
    db.delete(_endpoint(db, workspace_id, endpoint_id))
    db.flush()


def rotate_secret(db: Session, workspace_id: str, endpoint_id: str) -> EndpointWithSecret:
    """A new secret, returned this once; the old one keeps signing for 24 hours besides it."""
    endpoint = _endpoint(db, workspace_id, endpoint_id)
    endpoint.previous_secret = endpoint.secret
    endpoint.previous_secret_until = utcnow() + PREVIOUS_SECRET_GRACE
    endpoint.secret = new_secret()
    endpoint.updated_at = utcnow()
    db.flush()
    return EndpointWithSecret.model_validate(endpoint)


def send_test(db: Session, workspace_id: str, endpoint_id: str) -> TestQueued:
    """Queues a `webhook.test` event to the endpoint."""
    endpoint = _endpoint(db, workspace_id, endpoint_id)
    if not endpoint.active:
        raise Conflict("the endpoint is inactive: activate it before sending a test")
    data = {
        "endpoint_id": endpoint.id,
        "message": "Test event from cxloop",
        "text": f"Test message from cxloop: the webhook “{endpoint.name}” works.",
    }
    job_id = queue_webhook(db, workspace_id, endpoint.id, TEST_EVENT, data)
    assert job_id is not None  # no dedupe key: always stored
    delivery = repo.delivery_of_job(db, job_id)
    assert delivery is not None
    return TestQueued(job_id=job_id, delivery_id=delivery.id)


def subscribed(endpoint: WebhookEndpoint, event_type: str) -> bool:
    """Whether the endpoint wants the event (an empty filter wants every event)."""
    if event_type == TEST_EVENT or not endpoint.event_types:
        return True
    for wanted in endpoint.event_types:
        if wanted == event_type or (wanted.endswith(".*") and event_type.startswith(wanted[:-1])):
            return True
    return False


def signing_secrets(endpoint: WebhookEndpoint) -> list[str]:
    """The current secret, and the previous one during its grace period after a rotation."""
    found = [endpoint.secret]
    until = endpoint.previous_secret_until
    if endpoint.previous_secret and until is not None and until > utcnow():
        found.append(endpoint.previous_secret)
    return found


# --- queueing ------------------------------------------------------------------------------


def _record(db: Session, job_id: int | None, workspace_id: str | None, **values: Any) -> None:
    if job_id is not None:
        repo.insert_delivery(
            db, {"job_id": job_id, "workspace_id": workspace_id, "status": "queued", **values}
        )


def queue_email(
    db: Session, workspace_id: str | None, payload: dict[str, Any], dedupe_key: str | None = None
) -> int | None:
    """Queues a `notify.email` job (payload per the contract) and its delivery-log row.

    Returns the job id, or None when a job with the same dedupe key exists."""
    for key in ("to", "subject", "text"):
        if not isinstance(payload.get(key), str) or not payload[key].strip():
            raise Invalid(f"email {key}: required text")
    job_id = jobs.enqueue(db, EMAIL, payload, workspace_id=workspace_id, dedupe_key=dedupe_key)
    _record(
        db,
        job_id,
        workspace_id,
        channel="email",
        target=payload["to"][:2000],
        subject=payload["subject"][:300],
        purpose=(payload.get("purpose") or None),
        reference=(payload.get("reference") or None),
    )
    return job_id


def queue_webhook(
    db: Session,
    workspace_id: str,
    endpoint_id: str,
    event_type: str,
    data: dict[str, Any],
    dedupe_key: str | None = None,
) -> int | None:
    """Queues one `webhook.deliver` job to one endpoint of the workspace."""
    endpoint = repo.get_endpoint(db, workspace_id, endpoint_id)
    payload = {"endpoint_id": endpoint_id, "event_type": event_type, "data": data}
    job_id = jobs.enqueue(db, WEBHOOK, payload, workspace_id=workspace_id, dedupe_key=dedupe_key)
    _record(
        db,
        job_id,
        workspace_id,
        channel="webhook",
        target=endpoint.url if endpoint else f"(deleted endpoint {endpoint_id})",
        endpoint_id=endpoint.id if endpoint else None,
        event_type=event_type,
        purpose="webhook",
        reference=_reference(data),
    )
    return job_id


def queue_event(
    db: Session,
    workspace_id: str,
    event_type: str,
    data: dict[str, Any],
    dedupe_key: str | None = None,
) -> list[int]:
    """Queues the event to every active endpoint subscribed to it; returns the job ids."""
    queued: list[int] = []
    for endpoint in repo.active_endpoints(db, workspace_id):
        if not subscribed(endpoint, event_type):
            continue
        key = f"{dedupe_key}:{endpoint.id}" if dedupe_key else None
        job_id = queue_webhook(db, workspace_id, endpoint.id, event_type, data, key)
        if job_id is not None:
            queued.append(job_id)
    return queued


def _reference(data: dict[str, Any]) -> str | None:
    ref = data.get("reference")
    return str(ref)[:200] if isinstance(ref, str) and ref else None


# --- the delivery log ----------------------------------------------------------------------


def _read(db: Session, rows: Sequence[Delivery]) -> list[DeliveryRead]:
    attempts: dict[int, list[AttemptRead]] = {}
    for row in repo.attempts_of(db, [d.job_id for d in rows]):
        attempts.setdefault(row.job_id, []).append(AttemptRead.model_validate(row))
    return [
        DeliveryRead.model_validate(d).model_copy(
            update={"attempt_log": attempts.get(d.job_id, [])}
        )
        for d in rows
    ]


def list_deliveries(
    db: Session,
    workspace_id: str,
    *,
    channel: str | None = None,
    status: str | None = None,
    reference: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> DeliveryPage:
    """The workspace's emails and webhooks, newest first, each with its attempts."""
    if channel is not None and channel not in CHANNELS:
        raise Invalid(f"channel: unknown value '{channel}'; use email or webhook")
    if status is not None and status not in STATUSES:
        raise Invalid(f"status: unknown value '{status}'; use one of {', '.join(STATUSES)}")
    if not 1 <= limit <= 500:
        raise Invalid("limit: must be between 1 and 500")
    rows, total = repo.list_deliveries(
        db, workspace_id, channel, status, reference, limit, max(offset, 0)
    )
    return DeliveryPage(items=_read(db, rows), total=total, limit=limit, offset=offset)


def get_delivery(db: Session, workspace_id: str, delivery_id: str) -> DeliveryRead:
    row = repo.get_delivery(db, workspace_id, delivery_id)
    if row is None:
        raise NotFound(f"delivery {delivery_id} does not exist")
    return _read(db, [row])[0]

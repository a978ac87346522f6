"""Jobs `notify.email` and `webhook.deliver`: send once, log every attempt, retry what may
succeed later (by raising, so the job is retried with backoff) and give up on what cannot.

A delivery the server refused for good is recorded as failed (in its own transaction) and the
job fails at once with jobs.PermanentError, so the jobs log shows it failed, without a retry.
"""

from __future__ import annotations

import logging
from typing import Any, NoReturn

from sqlalchemy.orm import Session

from cxloop.jobs import service as jobs
from cxloop.jobs.models import Job
from cxloop.notifications import hooks, mailer
from cxloop.notifications import repository as repo
from cxloop.notifications.ledger import Ledger
from cxloop.notifications.service import EMAIL, WEBHOOK, signing_secrets, subscribed

log = logging.getLogger("cxloop.notifications")


class RetryLater(Exception):
    """A temporary failure: the job is retried with backoff."""


def _last_attempt(db: Session, job: jobs.JobContext) -> bool:
    row = db.get(Job, job.id)
    return row is None or job.attempt >= row.max_attempts


def _retry(
    db: Session, job: jobs.JobContext, ledger: Ledger, reason: str, **extra: Any
) -> NoReturn:
    """Logs a temporary failure (failed for good on the last attempt) and raises RetryLater."""
    if _last_attempt(db, job):
        ledger.finish("failed", f"gave up after {job.attempt} attempts: {reason}", **extra)
    else:
        ledger.finish("retrying", reason, **extra)
    raise RetryLater(reason)


def _text(payload: dict[str, Any], key: str) -> str | None:
    value = payload.get(key)
    return value if isinstance(value, str) and value.strip() else None


@jobs.handler(EMAIL)
def send_email(db: Session, job: jobs.JobContext) -> None:
    p = job.payload
    to, subject = str(p.get("to") or ""), str(p.get("subject") or "")
    ledger = Ledger(db, job.id)
    started = ledger.start(
        job.attempt,
        {
            "workspace_id": job.workspace_id,
            "channel": "email",
            "target": to[:2000],
            "subject": subject[:300],
            "purpose": _text(p, "purpose"),
            "reference": _text(p, "reference"),
        },
    )
    if started.done:
        log.info("email job %s: delivery already %s, nothing to do", job.id, started.status)
        return
    msg_id = mailer.message_id(job.settings, job.id, job.workspace_id)
    try:
        if not subject.strip() or _text(p, "text") is None:
            raise mailer.SendFailed("the email has no subject or no text", permanent=True)
        email = mailer.Email(
            to=mailer.checked_address(to),
            subject=subject,
            text=str(p["text"]),
            html=_text(p, "html"),
            language=_text(p, "language"),
            unsubscribe_url=_text(p, "unsubscribe_url"),
        )
        mailer.send(job.settings, mailer.build(job.settings, email, msg_id), email.to)
    except mailer.SendFailed as exc:
        if exc.permanent:
            log.warning("email job %s to %s failed for good: %s", job.id, to, exc.reason)
            ledger.finish("failed", exc.reason, response_status=exc.status, message_id=msg_id)
            raise jobs.PermanentError(exc.reason) from None
        _retry(db, job, ledger, exc.reason, response_status=exc.status, message_id=msg_id)
    ledger.finish("sent", None, response_status=250, message_id=msg_id)


@jobs.handler(WEBHOOK)
def deliver_webhook(db: Session, job: jobs.JobContext) -> None:
    p = job.payload
    endpoint_id, event_type = str(p.get("endpoint_id") or ""), str(p.get("event_type") or "")
    data = p.get("data") if isinstance(p.get("data"), dict) else {}
    assert isinstance(data, dict)
    endpoint = repo.get_endpoint(db, job.workspace_id or "", endpoint_id)
    ledger = Ledger(db, job.id)
    started = ledger.start(
        job.attempt,
        {
            "workspace_id": job.workspace_id,
            "channel": "webhook",
            "target": endpoint.url if endpoint else f"(deleted endpoint {endpoint_id})",
            "endpoint_id": endpoint.id if endpoint else None,
            "event_type": event_type[:100],
            "purpose": "webhook",
        },
    )
    if started.done:
        log.info("webhook job %s: delivery already %s, nothing to do", job.id, started.status)
        return
    skip = None
    if endpoint is None:
        skip = "the endpoint was deleted"
    elif not endpoint.active:
        skip = "the endpoint is inactive"
    elif not subscribed(endpoint, event_type):
        skip = f"the endpoint is not subscribed to {event_type}"
    if skip or endpoint is None:
        log.info("webhook job %s skipped: %s", job.id, skip)
        ledger.finish("skipped", skip)
        return
    refused = None if job.settings.webhook_private_targets else hooks.refused_target(endpoint.url)
    if refused:
        log.warning("webhook job %s to %s: %s", job.id, endpoint.url, refused)
        ledger.finish("failed", refused)
        return
    msg_id = f"msg_{job.id}"
    if endpoint.kind == "slack":
        body, headers = hooks.slack_body(event_type, data), {}
    else:
        body = hooks.standard_body(event_type, started.created_at, data)
        headers = hooks.signed_headers(msg_id, body, signing_secrets(endpoint), hooks.now())
    outcome = hooks.post(endpoint.url, body, headers, job.settings.webhook_timeout)
    if outcome.delivered:
        ledger.finish("sent", None, response_status=outcome.status, message_id=msg_id)
        return
    reason = outcome.reason or "not delivered"
    if outcome.retry:
        _retry(db, job, ledger, reason, response_status=outcome.status, message_id=msg_id)
    log.warning("webhook job %s to %s failed for good: %s", job.id, endpoint.url, reason)
    ledger.finish(
        "failed",
        reason,
        response_status=outcome.status,
        message_id=msg_id,
        deactivate=endpoint if outcome.gone else None,
    )
    raise jobs.PermanentError(reason)

"""Background jobs: campaign sends, reminders, and SMS through the gateway."""

from __future__ import annotations

from sqlalchemy.orm import Session

from cxloop.core.database import utcnow
from cxloop.invitations import campaigns, delivery, service, sms
from cxloop.invitations.campaigns import OFFER_JOB
from cxloop.jobs import service as jobs
from cxloop.jobs.worker import periodic

REMIND_JOB = "invitations.remind"


@jobs.handler(OFFER_JOB)
def offer_one(db: Session, job: jobs.JobContext) -> None:
    """One campaign contact: governance decides at send time."""
    assert job.workspace_id
    campaigns.send_one(db, job.settings, job.workspace_id, job.payload)


@periodic("invitations.reminders", every_seconds=300.0)
def queue_reminders(db: Session) -> None:
    """At most one job an hour per due reminder (one held back by quiet hours comes back)."""
    now = utcnow()
    for workspace_id, invitation_id, number in service.due_reminders(db, now):
        jobs.enqueue(
            db,
            REMIND_JOB,
            {"invitation_id": invitation_id},
            workspace_id=workspace_id,
            dedupe_key=f"{invitation_id}:{number}:{now:%Y%m%d%H}",
        )


@periodic("invitations.deliveries", every_seconds=60.0)
def sync_deliveries(db: Session) -> None:
    """Delivered and bounced invitation emails, from the notifications ledger."""
    delivery.sync(db, utcnow())


@jobs.handler(REMIND_JOB)
def remind(db: Session, job: jobs.JobContext) -> None:
    assert job.workspace_id
    service.remind(db, job.settings, job.workspace_id, str(job.payload["invitation_id"]))


@jobs.handler(service.SMS_JOB)
def send_sms(db: Session, job: jobs.JobContext) -> None:
    """Payload: {"to", "text", "invitation_id"?}; the job id is the gateway's idempotency key."""
    gateway = sms.provider(job.settings)
    if gateway is None:
        raise jobs.PermanentError("SMS is not configured: set CXLOOP_SMS_GATEWAY_URL")
    to, text = str(job.payload.get("to") or ""), str(job.payload.get("text") or "")
    if not to:
        raise jobs.PermanentError("the SMS has no recipient")
    result = gateway.send(to, text, f"cxloop-sms-{job.id}")
    invitation_id = job.payload.get("invitation_id")
    if result.delivered:
        if invitation_id and job.workspace_id:
            service.mark(db, job.workspace_id, str(invitation_id), "delivered")
        return
    if result.retry:
        raise RuntimeError(result.reason or "SMS gateway failed")
    if invitation_id and job.workspace_id:
        service.mark(db, job.workspace_id, str(invitation_id), "failed")

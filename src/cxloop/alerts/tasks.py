"""Background work of alerts: every minute a periodic check queues one evaluation job per due
alert (each alert about every five minutes); the job evaluates it and fires when its condition
holds, once per period and condition."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from cxloop.alerts import service
from cxloop.core.database import utcnow
from cxloop.core.errors import Invalid, NotFound
from cxloop.jobs import service as jobs
from cxloop.jobs.worker import periodic

EVALUATE = "alert.evaluate"


@periodic("alerts.due", every_seconds=60.0)
def queue_due(db: Session) -> None:
    """One evaluation job per due alert; the key (alert, minute) keeps workers from doubling."""
    for workspace_id, alert_id, at in service.queue_due(db, utcnow()):
        jobs.enqueue(
            db,
            EVALUATE,
            {"alert_id": alert_id, "at": at.isoformat()},
            workspace_id=workspace_id,
            dedupe_key=f"{alert_id}:{at.strftime('%Y%m%d%H%M')}",
            max_attempts=3,
        )


@jobs.handler(EVALUATE)
def evaluate(db: Session, job: jobs.JobContext) -> None:
    """Evaluates the alert as of the time it was queued. A deleted or paused alert is skipped;
    one that cannot be evaluated (its touchpoint was deleted) says so on its page."""
    assert job.workspace_id
    at = datetime.fromisoformat(str(job.payload["at"]))
    alert_id = str(job.payload["alert_id"])
    try:
        if not service.get(db, job.workspace_id, alert_id).active:
            return
        service.evaluate(db, job.workspace_id, alert_id, at, fire=True, settings=job.settings)
    except NotFound:
        return
    except Invalid as exc:
        db.rollback()
        service.record_problem(db, job.workspace_id, alert_id, at, exc.message)

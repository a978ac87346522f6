"""Background job of the events feature: the delayed offer of a survey trigger."""

from __future__ import annotations

from sqlalchemy.orm import Session

from cxloop.events import service
from cxloop.jobs.service import JobContext, handler


@handler(service.OFFER_JOB)
def delayed_offer(db: Session, job: JobContext) -> None:
    """Offers a trigger's survey once its delay is over (governance decides then)."""
    if job.workspace_id is None:
        return
    service.run_delayed_offer(db, job.settings, job.workspace_id, str(job.payload["firing_id"]))

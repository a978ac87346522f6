"""The `rules.evaluate` job: evaluates a trigger's active rules on a batch of subjects."""

from __future__ import annotations

from sqlalchemy.orm import Session

from cxloop.core.errors import Invalid
from cxloop.jobs import service as jobs
from cxloop.rules import service
from cxloop.rules.events import EVALUATE, TRIGGERS


@jobs.handler(EVALUATE)
def evaluate(db: Session, job: jobs.JobContext) -> None:
    """Payload: {"trigger", "subjects": [ids], "data": {...}} (see rules.events.emit)."""
    trigger = str(job.payload.get("trigger"))
    if not job.workspace_id or trigger not in TRIGGERS:
        raise Invalid(f"rules.evaluate: needs a workspace and a known trigger, got '{trigger}'")
    subjects = [str(s) for s in job.payload.get("subjects") or []]
    data = job.payload.get("data") or {}
    service.evaluate(
        db, job.settings, job.workspace_id, trigger, subjects, dict(data), job_id=job.id
    )

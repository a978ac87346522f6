"""Background jobs of cases: open a case for another feature (rules), and escalate cases whose
SLA clock ran out (a periodic check enqueues one job per case and clock, exactly once); link
answered re-surveys back to their cases."""

from __future__ import annotations

from pydantic import ValidationError
from sqlalchemy.orm import Session

from cxloop.cases import followup, repository, service
from cxloop.cases.schemas import CaseCreate
from cxloop.core.database import utcnow
from cxloop.core.errors import Invalid
from cxloop.jobs import service as jobs
from cxloop.jobs.worker import periodic

OPEN = "case.open"
ESCALATE = "case.escalate"


@periodic("cases.sla", every_seconds=30.0)
def queue_breaches(db: Session) -> None:
    """One job per case, clock and due date (a due date moved by a pause gets a new job; the
    handler records each clock's breach at most once)."""
    for workspace_id, case_id, clock, due in repository.newly_breached(db, utcnow()):
        jobs.enqueue(
            db,
            ESCALATE,
            {"case_id": case_id, "clock": clock},
            workspace_id=workspace_id,
            dedupe_key=f"{case_id}:{clock}:{due.timestamp():.0f}",
        )


@jobs.handler(ESCALATE)
def escalate(db: Session, job: jobs.JobContext) -> None:
    assert job.workspace_id
    service.escalate(
        db,
        job.workspace_id,
        str(job.payload["case_id"]),
        str(job.payload["clock"]),
        f"job:{job.id}",
        base_url=job.settings.base_url,
    )


@periodic("cases.resurvey", every_seconds=60.0)
def link_resurveys(db: Session) -> None:
    """Links answered re-surveys to their cases (the recovery rate reads the answer)."""
    followup.link_resurvey_responses(db, utcnow())


@jobs.handler(OPEN)
def open_case(db: Session, job: jobs.JobContext) -> None:
    """Payload: CaseCreate's fields (title, priority, links, source_key, owner_strategy, ...)."""
    if not job.workspace_id:
        raise Invalid("case.open jobs need a workspace_id")
    try:
        data = CaseCreate.model_validate(job.payload)
    except ValidationError as exc:
        raise Invalid(f"case.open payload: {exc.errors()[0]['msg']}") from None
    service.open_case(db, job.workspace_id, data, f"job:{job.id}", job.settings.base_url)

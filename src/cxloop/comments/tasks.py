"""Background jobs of the comments feature: analyse new comments within seconds, re-analyse
everything, retrain the workspace's sentiment model from corrections, discover themes."""

from __future__ import annotations

from sqlalchemy.orm import Session

from cxloop.comments import discovery, repository, service
from cxloop.jobs import service as jobs
from cxloop.jobs.worker import periodic

ANALYSE = "text.analyse"
REANALYSE = "text.reanalyse"
RETRAIN = "text.retrain"
DISCOVER = "text.discover"


def _enqueue_once(db: Session, kind: str, workspace_id: str) -> None:
    if not jobs.has_active(db, kind, workspace_id):
        jobs.enqueue(db, kind, {}, workspace_id=workspace_id)


@periodic("text.new_answers", every_seconds=1.0)
def queue_new_answers(db: Session) -> None:
    for workspace_id in repository.workspace_ids(db):
        if service.has_pending(db, workspace_id):
            _enqueue_once(db, ANALYSE, workspace_id)


@periodic("text.new_interactions", every_seconds=30.0)
def queue_new_interactions(db: Session) -> None:
    for workspace_id in repository.workspace_ids(db):
        if repository.pending_interactions(db, workspace_id, 1):
            _enqueue_once(db, ANALYSE, workspace_id)


@jobs.handler(ANALYSE)
def analyse(db: Session, job: jobs.JobContext) -> None:
    assert job.workspace_id
    service.analyse_pending(db, job.workspace_id, job.settings.text_analyser)


@jobs.handler(REANALYSE)
def reanalyse(db: Session, job: jobs.JobContext) -> None:
    assert job.workspace_id
    service.analyse_pending(db, job.workspace_id, job.settings.text_analyser)
    service.reanalyse(db, job.workspace_id, job.settings.text_analyser)


@jobs.handler(RETRAIN)
def retrain(db: Session, job: jobs.JobContext) -> None:
    assert job.workspace_id
    service.retrain(db, job.workspace_id)
    _enqueue_once(db, REANALYSE, job.workspace_id)


@jobs.handler(DISCOVER)
def discover(db: Session, job: jobs.JobContext) -> None:
    assert job.workspace_id
    discovery.discover(db, job.workspace_id)

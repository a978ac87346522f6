"""Enqueue jobs and run them: handlers by kind, retries with backoff, exactly-once effects.

A handler runs inside the job's own transaction and the job is marked done in that same
transaction, so what it writes to the database happens once even if a worker is killed and
the job runs again. Effects outside the database (an email, a webhook) must carry the job id
as their idempotency key.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from cxloop.core.database import utcnow
from cxloop.core.errors import Invalid, NotFound
from cxloop.core.settings import Settings
from cxloop.jobs import repository as repo
from cxloop.jobs.models import Job
from cxloop.jobs.schemas import AttemptRead, JobRead

log = logging.getLogger("cxloop.jobs")


@dataclass(frozen=True)
class JobContext:
    id: int
    kind: str
    workspace_id: str | None
    payload: dict[str, Any]
    attempt: int
    settings: Settings
    keep_alive: Callable[[], bool] = lambda: True  # extends the lease of a long job


class PermanentError(Exception):
    """Raised by a handler when retrying cannot help: the job fails at once, with this reason."""


Handler = Callable[[Session, JobContext], None]
HANDLERS: dict[str, Handler] = {}


def handler(kind: str) -> Callable[[Handler], Handler]:
    """Registers the function that runs jobs of `kind` (used in each feature's tasks.py)."""

    def register(func: Handler) -> Handler:
        HANDLERS[kind] = func
        return func

    return register


def enqueue(
    db: Session,
    kind: str,
    payload: dict[str, Any] | None = None,
    *,
    workspace_id: str | None = None,
    dedupe_key: str | None = None,
    run_after: datetime | None = None,
    max_attempts: int = 8,
) -> int | None:
    """Stores a job in the caller's transaction (durable once it commits).

    With a dedupe_key, a second job of the same kind and key is not stored (returns None).
    """
    return repo.insert(
        db,
        {
            "kind": kind,
            "payload": payload or {},
            "workspace_id": workspace_id,
            "dedupe_key": dedupe_key,
            "run_after": run_after or utcnow(),
            "max_attempts": max_attempts,
            "status": "queued",
        },
    )


def backoff(attempt: int, base_seconds: float) -> timedelta:
    """Delay before retry number `attempt` (1, 2, ...): base·2^(attempt-1), at most an hour."""
    return timedelta(seconds=min(base_seconds * 2 ** (attempt - 1), 3600.0))


@dataclass(frozen=True)
class RunOptions:
    worker: str
    settings: Settings
    lease: timedelta = timedelta(minutes=5)
    retry_base_seconds: float = 2.0
    batch: int = 10


def run_due(factory: sessionmaker[Session], options: RunOptions) -> int:
    """Claims due jobs and runs them one by one; returns how many were claimed."""
    with factory() as db:
        claimed = repo.claim(db, options.worker, utcnow(), options.lease, options.batch)
        db.commit()
    for job in claimed:
        _run(factory, job, options)
    return len(claimed)


def _run(factory: sessionmaker[Session], job: repo.Claimed, options: RunOptions) -> None:
    started = utcnow()
    func = HANDLERS.get(job.kind)
    context = JobContext(
        job.id,
        job.kind,
        job.workspace_id,
        dict(job.payload),
        job.attempts,
        options.settings,
        lambda: _extend_lease(factory, job.id, options),
    )
    with factory() as db:
        try:
            if func is None:
                raise LookupError(f"no handler for job kind '{job.kind}'")
            func(db, context)
            done = {"status": "done", "finished_at": utcnow(), "last_error": None}
            if not repo.finish(db, job.id, options.worker, done):
                db.rollback()  # another worker took over after our lease ran out
                return
            _attempt(db, job, options.worker, started, "done", None)
            db.commit()
            return
        except Exception as exc:
            db.rollback()
            error = _describe(exc)
            permanent = isinstance(exc, PermanentError)
            log.warning("job %s (%s) attempt %s failed: %s", job.id, job.kind, job.attempts, error)
    _record_failure(factory, job, options, started, error, permanent=func is None or permanent)


def _extend_lease(factory: sessionmaker[Session], job_id: int, options: RunOptions) -> bool:
    """Pushes the lease of a running job forward (in its own transaction); False if lost."""
    with factory() as db:
        held = repo.extend(db, job_id, options.worker, utcnow() + options.lease)
        db.commit()
    return held


def _record_failure(
    factory: sessionmaker[Session],
    job: repo.Claimed,
    options: RunOptions,
    started: datetime,
    error: str,
    permanent: bool,
) -> None:
    with factory() as db:
        if permanent or job.attempts >= job.max_attempts:
            values: dict[str, Any] = {"status": "failed", "finished_at": utcnow()}
            outcome = "failed"
        else:
            retry_at = utcnow() + backoff(job.attempts, options.retry_base_seconds)
            values = {"status": "queued", "run_after": retry_at}
            outcome = "retry"
        if repo.finish(db, job.id, options.worker, {**values, "last_error": error}):
            _attempt(db, job, options.worker, started, outcome, error)
        db.commit()


def _attempt(
    db: Session, job: repo.Claimed, worker: str, started: datetime, outcome: str, error: str | None
) -> None:
    repo.add_attempt(
        db,
        job_id=job.id,
        attempt=job.attempts,
        worker=worker,
        started_at=started,
        outcome=outcome,
        error=error,
    )


def _describe(exc: Exception) -> str:
    last = traceback.extract_tb(exc.__traceback__)[-1:] or None
    where = f" (at {last[0].filename.rsplit('/', 1)[-1]}:{last[0].lineno})" if last else ""
    return f"{type(exc).__name__}: {exc}{where}"[:2000]


STATUSES = ("queued", "running", "done", "failed")


def list_jobs(
    db: Session,
    workspace_id: str,
    *,
    status: str | None = None,
    kind: str | None = None,
    before_id: int | None = None,
    limit: int = 50,
) -> list[JobRead]:
    """The workspace's delivery log, newest first, each job with its attempts."""
    if status is not None and status not in STATUSES:
        raise Invalid(f"status: unknown value '{status}'; use one of {', '.join(STATUSES)}")
    if not 1 <= limit <= 500:
        raise Invalid("limit: must be between 1 and 500")
    jobs = repo.list_jobs(db, workspace_id, status, kind, before_id, limit)
    return _read(db, jobs)


def get_job(db: Session, workspace_id: str, job_id: int) -> JobRead:
    job = repo.get(db, job_id, workspace_id)
    if job is None:
        raise NotFound(f"job {job_id} does not exist")
    return _read(db, [job])[0]


def _read(db: Session, jobs: Sequence[Job]) -> list[JobRead]:
    attempts: dict[int, list[AttemptRead]] = {}
    for row in repo.attempts_of(db, [job.id for job in jobs]):
        attempts.setdefault(row.job_id, []).append(AttemptRead.model_validate(row))
    return [
        JobRead.model_validate(job).model_copy(update={"attempt_log": attempts.get(job.id, [])})
        for job in jobs
    ]


def counts(db: Session, workspace_id: str | None = None) -> dict[str, int]:
    return repo.counts(db, workspace_id)


def has_active(db: Session, kind: str, workspace_id: str | None) -> bool:
    """Whether a job of this kind is queued or running for the workspace."""
    return repo.has_active(db, kind, workspace_id)

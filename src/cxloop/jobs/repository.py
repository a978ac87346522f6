"""Every query of the jobs feature: enqueue once, claim with a lease, finish, retry, list."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from cxloop.jobs.models import Job, JobAttempt


@dataclass(frozen=True)
class Claimed:
    id: int
    kind: str
    workspace_id: str | None
    payload: dict[str, Any]
    attempts: int
    max_attempts: int


def insert(db: Session, values: dict[str, Any]) -> int | None:
    """Inserts a job; a job with the same (kind, dedupe_key) already stored wins (None)."""
    dialect = db.get_bind().dialect.name
    builder = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = (
        builder(Job)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["kind", "dedupe_key"])
        .returning(Job.id)
    )
    return db.execute(stmt).scalar_one_or_none()


def claim(db: Session, worker: str, now: datetime, lease: timedelta, limit: int) -> list[Claimed]:
    """Takes up to `limit` due jobs (queued and due, or running with an expired lease).

    On PostgreSQL rows locked by another worker are skipped; SQLite serialises writers.
    """
    due = or_(
        and_(Job.status == "queued", Job.run_after <= now),
        and_(Job.status == "running", Job.locked_until < now),
    )
    pick = select(Job.id).where(due).order_by(Job.run_after, Job.id).limit(limit)
    if db.get_bind().dialect.name == "postgresql":
        pick = pick.with_for_update(skip_locked=True)
    stmt = (
        update(Job)
        .where(Job.id.in_(pick.scalar_subquery()))
        .values(
            status="running",
            locked_by=worker,
            locked_until=now + lease,
            attempts=Job.attempts + 1,
        )
        .returning(Job.id, Job.kind, Job.workspace_id, Job.payload, Job.attempts, Job.max_attempts)
        .execution_options(synchronize_session=False)
    )
    return sorted((Claimed(*row) for row in db.execute(stmt)), key=lambda c: c.id)


def finish(db: Session, job_id: int, worker: str, values: dict[str, Any]) -> bool:
    """Updates a job this worker still holds; False when its lease was lost to another."""
    stmt = (
        update(Job)
        .where(Job.id == job_id, Job.locked_by == worker, Job.status == "running")
        .values(locked_by=None, locked_until=None, **values)
        .execution_options(synchronize_session=False)
    )
    return db.execute(stmt).rowcount == 1  # type: ignore[attr-defined, no-any-return]


def extend(db: Session, job_id: int, worker: str, until: datetime) -> bool:
    """Moves the lease of a job this worker holds to `until`; False when it was lost."""
    stmt = (
        update(Job)
        .where(Job.id == job_id, Job.locked_by == worker, Job.status == "running")
        .values(locked_until=until)
        .execution_options(synchronize_session=False)
    )
    return db.execute(stmt).rowcount == 1  # type: ignore[attr-defined, no-any-return]


def add_attempt(db: Session, **values: Any) -> None:
    db.add(JobAttempt(**values))


def get(db: Session, job_id: int, workspace_id: str | None = None) -> Job | None:
    stmt = select(Job).where(Job.id == job_id)
    if workspace_id is not None:
        stmt = stmt.where(Job.workspace_id == workspace_id)
    return db.scalars(stmt).first()


def list_jobs(
    db: Session,
    workspace_id: str,
    status: str | None,
    kind: str | None,
    before_id: int | None,
    limit: int,
) -> Sequence[Job]:
    stmt = select(Job).where(Job.workspace_id == workspace_id)
    if status:
        stmt = stmt.where(Job.status == status)
    if kind:
        stmt = stmt.where(Job.kind == kind)
    if before_id:
        stmt = stmt.where(Job.id < before_id)
    return db.scalars(stmt.order_by(Job.id.desc()).limit(limit)).all()


def attempts_of(db: Session, job_ids: Sequence[int]) -> Sequence[JobAttempt]:
    if not job_ids:
        return []
    stmt = select(JobAttempt).where(JobAttempt.job_id.in_(job_ids))
    return db.scalars(stmt.order_by(JobAttempt.job_id, JobAttempt.attempt)).all()


def counts(db: Session, workspace_id: str | None = None) -> dict[str, int]:
    stmt = select(Job.status, func.count()).group_by(Job.status)
    if workspace_id is not None:
        stmt = stmt.where(Job.workspace_id == workspace_id)
    return {status: n for status, n in db.execute(stmt)}


def has_active(db: Session, kind: str, workspace_id: str | None) -> bool:
    stmt = select(Job.id).where(
        Job.kind == kind,
        Job.workspace_id == workspace_id,
        Job.status.in_(("queued", "running")),
    )
    return db.scalar(stmt.limit(1)) is not None

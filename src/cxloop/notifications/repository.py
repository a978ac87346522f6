"""Every query of notifications: webhook endpoints, deliveries and their job attempts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from cxloop.jobs.models import JobAttempt
from cxloop.notifications.models import Delivery, WebhookEndpoint


def get_endpoint(db: Session, workspace_id: str, endpoint_id: str) -> WebhookEndpoint | None:
    stmt = select(WebhookEndpoint).where(
        WebhookEndpoint.id == endpoint_id, WebhookEndpoint.workspace_id == workspace_id
    )
    return db.scalars(stmt).first()


def list_endpoints(db: Session, workspace_id: str) -> Sequence[WebhookEndpoint]:
    stmt = select(WebhookEndpoint).where(WebhookEndpoint.workspace_id == workspace_id)
    return db.scalars(stmt.order_by(WebhookEndpoint.created_at, WebhookEndpoint.id)).all()


def active_endpoints(db: Session, workspace_id: str) -> Sequence[WebhookEndpoint]:
    stmt = select(WebhookEndpoint).where(
        WebhookEndpoint.workspace_id == workspace_id, WebhookEndpoint.active.is_(True)
    )
    return db.scalars(stmt.order_by(WebhookEndpoint.created_at, WebhookEndpoint.id)).all()


def insert_delivery(db: Session, values: dict[str, Any]) -> None:
    """Stores the delivery of a job unless one is stored already (the job id is unique)."""
    builder = postgresql.insert if db.get_bind().dialect.name == "postgresql" else sqlite.insert
    stmt = builder(Delivery).values(**values).on_conflict_do_nothing(index_elements=["job_id"])
    db.execute(stmt)


def delivery_of_job(db: Session, job_id: int) -> Delivery | None:
    return db.scalars(select(Delivery).where(Delivery.job_id == job_id)).first()


def get_delivery(db: Session, workspace_id: str, delivery_id: str) -> Delivery | None:
    stmt = select(Delivery).where(Delivery.id == delivery_id, Delivery.workspace_id == workspace_id)
    return db.scalars(stmt).first()


def list_deliveries(
    db: Session,
    workspace_id: str,
    channel: str | None,
    status: str | None,
    reference: str | None,
    limit: int,
    offset: int,
) -> tuple[Sequence[Delivery], int]:
    """A page of the workspace's deliveries, newest first, and how many match in all."""
    where = [Delivery.workspace_id == workspace_id]
    if channel:
        where.append(Delivery.channel == channel)
    if status:
        where.append(Delivery.status == status)
    if reference:
        where.append(Delivery.reference == reference)
    total = db.scalar(select(func.count()).select_from(Delivery).where(*where)) or 0
    stmt = (
        select(Delivery)
        .where(*where)
        .order_by(Delivery.created_at.desc(), Delivery.job_id.desc())
        .limit(limit)
        .offset(offset)
    )
    return db.scalars(stmt).all(), total


def attempts_of(db: Session, job_ids: Sequence[int]) -> Sequence[JobAttempt]:
    """The attempt log of the deliveries' jobs (the jobs feature writes it)."""
    if not job_ids:
        return []
    stmt = select(JobAttempt).where(JobAttempt.job_id.in_(job_ids))
    return db.scalars(stmt.order_by(JobAttempt.job_id, JobAttempt.attempt)).all()

"""Shared setup for alert tests: a program with two touchpoints, alerts, jobs and a worker."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from cxloop.alerts import service, tasks
from cxloop.alerts.models import AlertFiring
from cxloop.alerts.schemas import AlertCreate, AlertRead
from cxloop.comments.models import Comment, CommentTheme
from cxloop.core.settings import Settings
from cxloop.jobs import service as jobs
from cxloop.jobs.models import Job
from cxloop.jobs.worker import Worker


def make_alert(db: Session, workspace_id: str, **fields: Any) -> AlertRead:
    data: dict[str, Any] = {
        "name": "Delivery NPS",
        "metric": "nps",
        "grain": "week",
        "condition": {"kind": "significant_drop"},
    }
    data.update(fields)
    alert = service.create(db, workspace_id, AlertCreate.model_validate(data), None)
    db.commit()
    return alert


def firings(db: Session, alert_id: str) -> list[AlertFiring]:
    db.expire_all()
    stmt = select(AlertFiring).where(AlertFiring.alert_id == alert_id)
    return list(db.scalars(stmt.order_by(AlertFiring.period_start)))


def jobs_of(db: Session, workspace_id: str, kind: str) -> list[Job]:
    db.expire_all()
    stmt = select(Job).where(Job.workspace_id == workspace_id, Job.kind == kind)
    return list(db.scalars(stmt.order_by(Job.id)))


def count_jobs(db: Session, workspace_id: str, kind: str) -> int:
    stmt = select(func.count(Job.id)).where(Job.workspace_id == workspace_id, Job.kind == kind)
    return int(db.scalar(stmt) or 0)


def run_periodic_at(
    monkeypatch: pytest.MonkeyPatch,
    factory: sessionmaker[Session],
    settings: Settings,
    moment: datetime,
) -> None:
    """Runs the worker (periodic checks, then the jobs) as if it were ``moment``."""
    monkeypatch.setattr(tasks, "utcnow", lambda: moment)
    options = jobs.RunOptions(worker="alerts-test", settings=settings, retry_base_seconds=0.0)
    Worker(factory, options, poll_seconds=0.05).drain()


def add_comments(
    db: Session,
    workspace_id: str,
    at: datetime,
    count: int,
    *,
    theme: str | None = None,
    sentiment: str = "neutral",
    touchpoint_id: str | None = None,
) -> None:
    """``count`` analysed comments at ``at``, each with ``theme`` when given."""
    made = [
        Comment(
            workspace_id=workspace_id,
            source="survey",
            occurred_at=at,
            text="Parcel came late" if theme else "Fine",
            language="en",
            sentiment=sentiment,
            touchpoint_id=touchpoint_id,
        )
        for _ in range(count)
    ]
    db.add_all(made)
    db.flush()
    if theme:
        db.add_all(
            CommentTheme(
                comment_id=c.id,
                workspace_id=workspace_id,
                taxonomy="themes",
                theme_key=theme,
                sentiment=sentiment,
                occurred_at=at,
                touchpoint_id=touchpoint_id,
            )
            for c in made
        )
    db.flush()

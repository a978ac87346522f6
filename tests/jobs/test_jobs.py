"""Durable jobs: stored with the change that asks for them, run once, retried, taken over."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from cxloop.accounts.models import Workspace
from cxloop.core.database import utcnow
from cxloop.core.security import Role
from cxloop.core.settings import Settings
from cxloop.jobs import repository as repo
from cxloop.jobs import service as jobs
from cxloop.jobs.models import Job
from cxloop.jobs.worker import Worker
from tests.factories import make_tenant

EFFECTS: dict[str, int] = {}


@jobs.handler("test.count")
def count_effect(db: Session, job: jobs.JobContext) -> None:
    """Writes a row (a workspace rename) and counts calls; fails while payload says so."""
    EFFECTS[job.payload["tag"]] = EFFECTS.get(job.payload["tag"], 0) + 1
    if job.attempt <= job.payload.get("fail_times", 0):
        raise RuntimeError(f"planned failure {job.attempt}")
    workspace = db.get(Workspace, job.workspace_id)
    assert workspace is not None
    workspace.name = f"{workspace.name}+"


def worker(factory: sessionmaker[Session], settings: Settings, name: str = "t1") -> Worker:
    options = jobs.RunOptions(worker=name, settings=settings, retry_base_seconds=0.0)
    return Worker(factory, options, poll_seconds=0.05)


def queue(db: Session, workspace_id: str, **payload: object) -> tuple[int, str]:
    tag = uuid.uuid4().hex
    job_id = jobs.enqueue(db, "test.count", {"tag": tag, **payload}, workspace_id=workspace_id)
    db.commit()
    assert job_id is not None
    return job_id, tag


def test_a_job_runs_once_and_its_effect_commits_with_it(
    db: Session, session_factory: sessionmaker[Session], settings: Settings
) -> None:
    tenant = make_tenant(db, "Jobs")
    job_id, tag = queue(db, tenant.workspace.id)
    assert worker(session_factory, settings).drain() >= 1
    assert worker(session_factory, settings).drain() == 0  # nothing left to do
    db.expire_all()
    job = db.get(Job, job_id)
    assert job is not None and job.status == "done" and job.attempts == 1
    assert EFFECTS[tag] == 1
    assert db.get(Workspace, tenant.workspace.id).name.endswith("+")  # type: ignore[union-attr]


def test_a_dedupe_key_stores_the_job_once(db: Session) -> None:
    tenant = make_tenant(db, "Dedupe")
    key = uuid.uuid4().hex
    first = jobs.enqueue(
        db, "test.count", {"tag": key}, workspace_id=tenant.workspace.id, dedupe_key=key
    )
    second = jobs.enqueue(
        db, "test.count", {"tag": key}, workspace_id=tenant.workspace.id, dedupe_key=key
    )
    db.commit()
    assert first is not None and second is None
    stored = db.scalar(select(func.count()).select_from(Job).where(Job.dedupe_key == key))
    assert stored == 1


def test_failures_are_retried_then_logged_with_every_attempt(
    db: Session, session_factory: sessionmaker[Session], settings: Settings
) -> None:
    tenant = make_tenant(db, "Retry")
    job_id, tag = queue(db, tenant.workspace.id, fail_times=2)
    worker(session_factory, settings).drain()
    read = jobs.get_job(db, tenant.workspace.id, job_id)
    assert read.status == "done" and read.attempts == 3 and EFFECTS[tag] == 3
    assert [a.outcome for a in read.attempt_log] == ["retry", "retry", "done"]
    assert "planned failure 1" in (read.attempt_log[0].error or "")
    db.expire_all()
    # the failed attempts rolled back their write: the name changed exactly once
    assert db.get(Workspace, tenant.workspace.id).name.count("+") == 1  # type: ignore[union-attr]


def test_a_job_that_keeps_failing_ends_failed_with_its_reason(
    db: Session, session_factory: sessionmaker[Session], settings: Settings
) -> None:
    tenant = make_tenant(db, "Fail")
    tag = uuid.uuid4().hex
    job_id = jobs.enqueue(
        db,
        "test.count",
        {"tag": tag, "fail_times": 99},
        workspace_id=tenant.workspace.id,
        max_attempts=3,
    )
    db.commit()
    assert job_id is not None
    worker(session_factory, settings).drain()
    read = jobs.get_job(db, tenant.workspace.id, job_id)
    assert read.status == "failed" and read.attempts == 3
    assert "RuntimeError: planned failure 3" in (read.last_error or "")


def test_unknown_job_kind_fails_at_once(
    db: Session, session_factory: sessionmaker[Session], settings: Settings
) -> None:
    tenant = make_tenant(db, "Unknown")
    job_id = jobs.enqueue(db, "test.no_such_kind", {}, workspace_id=tenant.workspace.id)
    db.commit()
    assert job_id is not None
    worker(session_factory, settings).drain()
    read = jobs.get_job(db, tenant.workspace.id, job_id)
    assert read.status == "failed" and "no handler" in (read.last_error or "")


def test_a_dead_workers_job_is_taken_over_after_its_lease_and_runs_once(
    db: Session, session_factory: sessionmaker[Session], settings: Settings
) -> None:
    tenant = make_tenant(db, "Lease")
    job_id, tag = queue(db, tenant.workspace.id)
    # worker "dead" claims the job and never finishes it (as if killed), with a lease in the past
    with session_factory() as s:
        taken = repo.claim(s, "dead", utcnow(), timedelta(seconds=-1), 100)
        s.commit()
    assert job_id in [c.id for c in taken]
    worker(session_factory, settings, "alive").drain()
    read = jobs.get_job(db, tenant.workspace.id, job_id)
    assert read.status == "done" and read.attempts == 2 and EFFECTS[tag] == 1
    assert [a.worker for a in read.attempt_log] == ["alive"]
    # the dead worker coming back cannot mark the job again: its lease was lost
    with session_factory() as s:
        assert not repo.finish(s, job_id, "dead", {"status": "done"})


def test_the_delivery_log_is_for_admins_of_the_workspace_only(
    db: Session, http: httpx.Client, session_factory: sessionmaker[Session], settings: Settings
) -> None:
    tenant = make_tenant(db, "Log")
    other = make_tenant(db, "Other")
    analyst = make_tenant(db, "Analyst", role=Role.analyst)
    job_id, _ = queue(db, tenant.workspace.id, fail_times=1)
    worker(session_factory, settings).drain()
    listed = http.get("/api/v1/jobs", params={"kind": "test.count"}, headers=tenant.headers())
    assert listed.status_code == 200, listed.text
    (item,) = listed.json()
    assert item["id"] == job_id and [a["outcome"] for a in item["attempt_log"]] == ["retry", "done"]
    assert http.get(f"/api/v1/jobs/{job_id}", headers=other.headers()).status_code == 404
    assert http.get("/api/v1/jobs", headers=analyst.headers()).status_code == 403
    bad = http.get("/api/v1/jobs", params={"status": "weird"}, headers=tenant.headers())
    assert bad.status_code == 422 and "status" in bad.json()["error"]["message"]


@pytest.fixture(autouse=True)
def _forget_effects() -> None:
    EFFECTS.clear()


LEASES: list[tuple[bool, object]] = []


@jobs.handler("test.long")
def long_job(db: Session, job: jobs.JobContext) -> None:
    """A long job keeps its lease alive; the new lease end is visible to other sessions."""
    kept = job.keep_alive()
    with Session(bind=db.get_bind()) as other:
        LEASES.append((kept, other.get(Job, job.id).locked_until))  # type: ignore[union-attr]


def test_a_long_job_extends_its_lease(
    db: Session, session_factory: sessionmaker[Session], settings: Settings
) -> None:
    tenant = make_tenant(db, "Long")
    job_id = jobs.enqueue(db, "test.long", {}, workspace_id=tenant.workspace.id)
    db.commit()
    options = jobs.RunOptions(worker="long", settings=settings, lease=timedelta(hours=2))
    started = utcnow()
    Worker(session_factory, options).drain()
    kept, until = LEASES[-1]
    assert kept is True
    assert isinstance(until, datetime) and until > started + timedelta(minutes=119)
    assert jobs.get_job(db, tenant.workspace.id, job_id or 0).status == "done"

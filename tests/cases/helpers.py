"""Shared setup for case tests: agents, a fixed clock, and a worker."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from cxloop.accounts import service as accounts
from cxloop.accounts.models import User
from cxloop.cases import service
from cxloop.core.security import Role
from cxloop.core.settings import Settings
from cxloop.jobs import service as jobs
from cxloop.jobs.models import Job
from cxloop.jobs.worker import Worker
from tests.factories import Tenant


def add_user(db: Session, tenant: Tenant, role: Role = Role.agent, name: str = "") -> User:
    email = f"{role.value}-{uuid.uuid4().hex[:8]}@example.com"
    user = accounts.create_user(
        db, email, "correct horse battery", name=name, workspace=tenant.workspace, role=role
    )
    db.commit()
    return user


def freeze(monkeypatch: pytest.MonkeyPatch, moment: datetime) -> None:
    """Makes the case service believe it is `moment`."""
    monkeypatch.setattr(service, "utcnow", lambda: moment)


def worker(factory: sessionmaker[Session], settings: Settings) -> Worker:
    options = jobs.RunOptions(worker="cases-test", settings=settings, retry_base_seconds=0.0)
    return Worker(factory, options, poll_seconds=0.05)


PASSWORD = "correct horse battery"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@contextmanager
def signed_in(base_url: str, email: str) -> Iterator[httpx.Client]:
    """A browser-like client logged in as `email`."""
    with httpx.Client(base_url=base_url, timeout=30, follow_redirects=False) as client:
        page = client.get("/login")
        token = CSRF.search(page.text)
        assert token, "no CSRF token on the login page"
        resp = client.post("/login", data={"email": email, "password": PASSWORD, "csrf": token[1]})
        assert resp.status_code == 303, resp.text
        yield client


def csrf(client: httpx.Client, path: str = "/app/cases") -> str:
    token = CSRF.search(client.get(path).text)
    assert token, f"no CSRF token on {path}"
    return token[1]


def jobs_of(db: Session, workspace_id: str, kind: str) -> list[Job]:
    db.expire_all()
    return list(
        db.scalars(
            select(Job).where(Job.workspace_id == workspace_id, Job.kind == kind).order_by(Job.id)
        )
    )

"""Shared setup for case tests: agents, a fixed clock, and a worker."""

from __future__ import annotations

import uuid
from datetime import datetime

import pytest
from sqlalchemy.orm import Session, sessionmaker

from cxloop.accounts import service as accounts
from cxloop.accounts.models import User
from cxloop.cases import service
from cxloop.core.security import Role
from cxloop.core.settings import Settings
from cxloop.jobs import service as jobs
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

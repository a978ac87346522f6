"""The demo uses fixed names (workspace `demo`, user demo@cxloop.local), so its tests get
databases of their own instead of the suite's shared one."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.orm import Session, sessionmaker

from cxloop.core.database import make_engine, make_sessionmaker
from cxloop.core.migrate import upgrade
from cxloop.demo.seed import seed_demo
from tests.conftest import PG_ADMIN_URL

SMALL = {"contacts": 200, "responses": 800, "seed": 7}


@contextmanager
def empty_database(backend: str, folder: Path) -> Iterator[sessionmaker[Session]]:
    """Sessions on a migrated, empty database of this backend, dropped afterwards."""
    name = f"cxloop_demo_{uuid.uuid4().hex[:10]}"
    if backend == "sqlite":
        url = f"sqlite:///{folder / 'demo.sqlite3'}"
    else:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        base = PG_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
        url = f"{base}/{name}"
    engine = make_engine(url)
    try:
        upgrade(engine)
        yield make_sessionmaker(engine)
    finally:
        engine.dispose()
        if backend != "sqlite":
            with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def seed(sessions: sessionmaker[Session], reset: bool = False) -> str:
    with sessions() as db:
        summary = seed_demo(db, reset=reset, base_url="http://demo.test", **SMALL)
        db.commit()
    return summary


@pytest.fixture
def fresh_sessions(backend: str, tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    with empty_database(backend, tmp_path) as sessions:
        yield sessions


@pytest.fixture(scope="module")
def seeded(
    backend: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[sessionmaker[Session], str]]:
    """A database holding the small demo (read-only for the tests): (sessions, summary)."""
    with empty_database(backend, tmp_path_factory.mktemp("demo")) as sessions:
        yield sessions, seed(sessions)

"""Test harness: every test runs on SQLite and on PostgreSQL, against a real server over HTTP.

The database is built by `alembic upgrade head`, once per backend and session. Tests isolate by
creating their own workspaces (see factories.py). In CI (CI=true) a missing PostgreSQL fails.
"""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import pytest
import uvicorn
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from cxloop.app import create_app
from cxloop.core.database import make_engine, make_sessionmaker
from cxloop.core.migrate import upgrade
from cxloop.core.settings import Settings

os.environ.setdefault("CXLOOP_TEST_FAST_HASH", "1")  # argon2's cheapest profile: tests only

PG_ADMIN_URL = os.environ.get("CXLOOP_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
IN_CI = os.environ.get("CI", "").lower() == "true"
BACKENDS = os.environ.get("CXLOOP_TEST_BACKENDS", "sqlite,postgresql").split(",")


def _need(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"{reason} (required in CI)")
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("sqlite") / "test.sqlite3"
        yield f"sqlite:///{path}"
        return
    name = f"cxloop_test_{uuid.uuid4().hex[:10]}"
    try:
        admin = psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        _need(f"PostgreSQL is not reachable at {PG_ADMIN_URL}: {exc}")
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    yield f"{base}/{name}".replace("postgresql://", "postgresql+psycopg://", 1)
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def backend(database_url: str) -> str:
    return "sqlite" if database_url.startswith("sqlite") else "postgresql"


@pytest.fixture(scope="session")
def settings(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    port = free_port()
    return Settings(
        data_dir=tmp_path_factory.mktemp("data"),
        database_url=database_url,
        secret_key="test-secret-" + uuid.uuid4().hex * 2,
        base_url=f"http://127.0.0.1:{port}",
        port=port,
        jobs_embedded=False,  # tests run workers explicitly (tests/comments, tests/jobs)
        webhook_private_targets=True,  # the tests' HTTP receivers listen on 127.0.0.1
    )


@pytest.fixture(scope="session")
def engine(settings: Settings) -> Iterator[Engine]:
    engine = make_engine(settings.sqlalchemy_url)
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def session_factory(engine: Engine) -> sessionmaker[Session]:
    return make_sessionmaker(engine)


@pytest.fixture
def db(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session for arranging data; call db.commit() so the server sees it."""
    session = session_factory()
    yield session
    session.rollback()
    session.close()


class _Server(uvicorn.Server):
    def install_signal_handlers(self) -> None:  # running in a thread
        pass


@pytest.fixture(scope="session")
def server(settings: Settings, engine: Engine) -> Iterator[str]:
    """The real app served by uvicorn on a free port; yields its base URL."""
    app = create_app(settings)
    config = uvicorn.Config(app, host="127.0.0.1", port=settings.port, log_level="warning")
    srv = _Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        if time.monotonic() > deadline:
            raise RuntimeError("test server did not start")
        time.sleep(0.05)
    yield settings.base_url
    srv.should_exit = True
    thread.join(timeout=10)
    app.state.engine.dispose()


@pytest.fixture
def http(server: str) -> Iterator[httpx.Client]:
    """An HTTP client for the server, without credentials."""
    with httpx.Client(base_url=server, timeout=30, follow_redirects=False) as client:
        yield client


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = os.environ.get("CXLOOP_CHROMIUM", "/usr/bin/chromium")
    if not Path(path).exists():
        _need(f"Chromium is not installed at {path} (apt-get install chromium)")
    return path


@pytest.fixture(scope="session")
def browser(chromium_path: str) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=chromium_path,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()

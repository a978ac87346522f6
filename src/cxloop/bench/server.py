"""A fresh database and a real server process for the benchmark, cleaned up afterwards."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import psycopg

from cxloop.core.errors import CxError

DEFAULT_PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


class BenchError(CxError):
    """The benchmark could not run (no database, the server did not start, errors under load)."""


class DatabaseUnreachable(BenchError):
    """The PostgreSQL server for the temp database cannot be reached."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def fresh_database(backend: str, workdir: Path, pg_admin_url: str) -> Iterator[str]:
    """A SQLAlchemy URL of an empty database: a temp SQLite file, or a temp PostgreSQL database."""
    if backend == "sqlite":
        yield f"sqlite:///{workdir / 'bench.sqlite3'}"
        return
    name = f"cxloop_bench_{uuid.uuid4().hex[:10]}"
    try:
        with psycopg.connect(pg_admin_url, autocommit=True, connect_timeout=5) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error as exc:
        raise DatabaseUnreachable(f"PostgreSQL is not reachable at {pg_admin_url}: {exc}") from exc
    base = pg_admin_url.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(pg_admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def server_command(port: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "uvicorn",
        "cxloop.asgi:app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--loop",
        "uvloop",
        "--http",
        "httptools",
        "--no-access-log",
        "--log-level",
        "warning",
    ]


@contextmanager
def running_server(database_url: str, workdir: Path, processes: int) -> Iterator[list[str]]:
    """Starts ``processes`` uvicorn servers of cxloop, each its own process on its own port
    (replicas behind a load balancer: the load generator spreads its connections over them;
    uvicorn's own --workers share one socket and can leave a worker with every connection).
    Yields their base URLs."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CXLOOP_")}
    env.update(
        CXLOOP_DATABASE_URL=database_url,
        CXLOOP_DATA_DIR=str(workdir / "data"),
        CXLOOP_SECRET_KEY=secrets.token_urlsafe(48),
    )
    started: list[tuple[subprocess.Popen[bytes], str, Path]] = []
    try:
        for _ in range(processes):
            port = free_port()
            log_path = workdir / f"server-{port}.log"
            with log_path.open("wb") as log:
                process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
                    server_command(port), env=env, stdout=log, stderr=subprocess.STDOUT
                )
            started.append((process, f"http://127.0.0.1:{port}", log_path))
        for process, url, log_path in started:
            _wait_until_up(url, process, log_path)
        yield [url for _, url, _ in started]
    finally:
        for process, _, _ in started:
            process.terminate()
        for process, _, _ in started:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def children_cpu_seconds() -> float | None:
    """CPU seconds (user + system) used so far by the live child processes of this one.

    Between phases those are the servers only (the load generator has exited), so the
    difference across a phase is the server CPU time it took. Linux only; None elsewhere.
    """
    proc = Path("/proc")
    if not (proc / "self" / "stat").exists():
        return None
    me, ticks = os.getpid(), 0
    for stat in proc.glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue  # the process has just exited
        fields = text[text.rindex(")") + 2 :].split()  # the name may hold spaces
        if int(fields[1]) == me:  # parent pid
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def _wait_until_up(base_url: str, process: subprocess.Popen[bytes], log_path: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = log_path.read_text(errors="replace")[-2000:]
            raise BenchError(f"the server exited with code {process.returncode}:\n{tail}")
        try:
            httpx.get(f"{base_url}/api/v1/me", timeout=2)
            return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise BenchError("the server did not start within 60 s")

"""Workers that run jobs: a thread inside the web process (embedded mode) or separate
processes (`cxloop worker`). Periodic checks (e.g. "are there comments to analyse?") run in
every worker and only enqueue jobs, so several workers never do the same work twice."""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import timedelta

from fastapi import FastAPI
from sqlalchemy.orm import Session, sessionmaker

from cxloop.core.settings import Settings
from cxloop.jobs.service import RunOptions, run_due

log = logging.getLogger("cxloop.jobs")

Poller = Callable[[Session], None]


@dataclass
class Periodic:
    name: str
    every_seconds: float
    func: Poller


PERIODIC: list[Periodic] = []


def periodic(name: str, every_seconds: float) -> Callable[[Poller], Poller]:
    """Registers a check that runs in every worker about every `every_seconds`."""

    def register(func: Poller) -> Poller:
        PERIODIC[:] = [p for p in PERIODIC if p.name != name]
        PERIODIC.append(Periodic(name, every_seconds, func))
        return func

    return register


def load_tasks() -> None:
    """Imports every feature's tasks module so their handlers and checks are registered."""
    from cxloop import tasks  # noqa: F401


def run_options(settings: Settings, name: str) -> RunOptions:
    return RunOptions(
        worker=f"{socket.gethostname()}:{os.getpid()}:{name}"[:80],
        settings=settings,
        lease=timedelta(seconds=settings.jobs_lease_seconds),
        retry_base_seconds=settings.jobs_retry_base_seconds,
    )


@dataclass
class Worker:
    factory: sessionmaker[Session]
    options: RunOptions
    poll_seconds: float = 0.5
    _next_run: dict[str, float] = field(default_factory=dict)

    def tick(self) -> int:
        """Runs the due periodic checks, then the due jobs; returns how many jobs ran."""
        now = time.monotonic()
        for check in list(PERIODIC):
            if self._next_run.get(check.name, 0.0) <= now:
                self._next_run[check.name] = now + check.every_seconds
                try:
                    with self.factory() as db:
                        check.func(db)
                        db.commit()
                except Exception:
                    log.exception("periodic check %s failed", check.name)
        ran = 0
        while True:
            claimed = run_due(self.factory, self.options)
            ran += claimed
            if claimed < self.options.batch:
                return ran

    def run(self, stop: threading.Event) -> None:
        load_tasks()
        while not stop.is_set():
            try:
                ran = self.tick()
            except Exception:
                log.exception("job worker tick failed")
                ran = 0
            if not ran:
                stop.wait(self.poll_seconds)

    def drain(self, timeout: float = 60.0) -> int:
        """Runs ticks until nothing is due (tests and `cxloop analyze`); returns jobs run."""
        load_tasks()
        total, deadline = 0, time.monotonic() + timeout
        while time.monotonic() < deadline:
            self._next_run.clear()
            ran = self.tick()
            total += ran
            if not ran:
                return total
        return total


def start_thread(factory: sessionmaker[Session], settings: Settings) -> threading.Event:
    """Starts the embedded worker thread; set the returned event to stop it."""
    stop = threading.Event()
    worker = Worker(factory, run_options(settings, "embedded"), settings.jobs_poll_seconds)
    threading.Thread(target=worker.run, args=(stop,), name="cxloop-jobs", daemon=True).start()
    return stop


@asynccontextmanager
async def embedded_worker(app: FastAPI) -> AsyncIterator[None]:
    """App lifespan: runs the job worker thread while the web app runs (if configured)."""
    settings: Settings = app.state.settings
    stop = start_thread(app.state.sessionmaker, settings) if settings.jobs_embedded else None
    try:
        yield
    finally:
        if stop is not None:
            stop.set()

"""`cxloop worker`: runs background jobs in separate processes."""

from __future__ import annotations

import multiprocessing
import signal
import threading
from types import FrameType
from typing import Annotated

import typer
from rich.console import Console

from cxloop.core.database import make_engine, make_sessionmaker
from cxloop.core.settings import Settings
from cxloop.jobs.worker import Worker, run_options

err = Console(stderr=True, soft_wrap=True)


def _work(name: str, once: bool) -> None:
    settings = Settings()
    engine = make_engine(settings.sqlalchemy_url)
    worker = Worker(
        make_sessionmaker(engine), run_options(settings, name), settings.jobs_poll_seconds
    )
    stop = threading.Event()

    def _stop(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    try:
        if once:
            worker.drain()
        else:
            worker.run(stop)
    finally:
        engine.dispose()


def worker(
    processes: Annotated[int, typer.Option(min=1, max=64, help="Worker processes.")] = 1,
    once: Annotated[
        bool, typer.Option(help="Run what is due now, then exit (instead of waiting for more).")
    ] = False,
) -> None:
    """Run background jobs (text analysis, emails, webhooks) until stopped with Ctrl-C."""
    from cxloop.cli import runtime

    settings = Settings()
    runtime.initialise(settings)
    err.print(f"cxloop worker: {processes} process(es) on {runtime.describe_url(settings)}")
    if processes == 1:
        _work("w1", once)
        return
    context = multiprocessing.get_context("spawn")
    children = [
        context.Process(target=_work, args=(f"w{i + 1}", once), daemon=False)
        for i in range(processes)
    ]
    for child in children:
        child.start()
    try:
        for child in children:
            child.join()
    except KeyboardInterrupt:
        for child in children:
            child.terminate()
        for child in children:
            child.join()

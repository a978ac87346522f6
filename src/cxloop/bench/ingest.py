"""`cxloop bench ingest`: response ingestion over real HTTP against a raw-insert baseline.

One run: a fresh database, the server in its own process, the load generator in another; then
rounds of (a) single submissions with concurrency, (b) batches of 1,000, (c) the same rows as
(b) inserted straight into the same tables. Medians over the rounds are reported side by side.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from cxloop.accounts import service as accounts
from cxloop.bench.baseline import build_rows, insert_raw
from cxloop.bench.payloads import bench_survey, payloads
from cxloop.bench.server import (
    DEFAULT_PG_ADMIN,
    BenchError,
    children_cpu_seconds,
    fresh_database,
    running_server,
)
from cxloop.core.database import make_engine, make_sessionmaker, session_scope
from cxloop.core.migrate import upgrade
from cxloop.core.security import Role
from cxloop.responses.models import Response
from cxloop.surveys import service as surveys
from cxloop.surveys.definitions import VersionSpec


@dataclass
class IngestOptions:
    backend: str = "sqlite"
    requests: int = 5000  # single submissions per round
    batches: int = 20  # batches per round
    batch_size: int = 1000
    concurrency: int = 16  # connections for single submissions
    batch_concurrency: int = 2  # connections for batches
    rounds: int = 3
    workers: int = 2  # server processes (replicas)
    warmup: int = 300
    pg_admin_url: str = DEFAULT_PG_ADMIN


@dataclass
class Phase:
    """Responses per second of each round, and latencies for the HTTP phases."""

    name: str
    rates: list[float] = field(default_factory=list)
    p50_ms: list[float] = field(default_factory=list)
    p99_ms: list[float] = field(default_factory=list)
    cpu_ms: list[float] = field(default_factory=list)  # server CPU time per response

    @property
    def rate(self) -> float:
        return statistics.median(self.rates) if self.rates else 0.0

    @property
    def p50(self) -> float:
        return statistics.median(self.p50_ms) if self.p50_ms else 0.0

    @property
    def p99(self) -> float:
        return statistics.median(self.p99_ms) if self.p99_ms else 0.0

    @property
    def cpu(self) -> float | None:
        return statistics.median(self.cpu_ms) if self.cpu_ms else None

    def add(self, result: dict[str, Any], cpu_seconds: float | None) -> None:
        """Records one round of the load generator, and the server CPU time it took."""
        self.rates.append(result["responses"] / result["seconds"])
        self.p50_ms.append(result["p50_ms"])
        self.p99_ms.append(result["p99_ms"])
        if cpu_seconds is not None:
            self.cpu_ms.append(1000 * cpu_seconds / result["responses"])


@dataclass
class IngestReport:
    backend: str
    options: IngestOptions
    single: Phase
    batch: Phase
    raw: Phase
    stored: int
    expected: int

    @property
    def batch_vs_raw(self) -> float:
        return self.batch.rate / self.raw.rate if self.raw.rate else 0.0

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.update(batch_vs_raw=self.batch_vs_raw)
        for phase in ("single", "batch", "raw"):
            p: Phase = getattr(self, phase)
            data[phase].update(rate=p.rate, p50=p.p50, p99=p.p99, cpu=p.cpu)
        return data


@dataclass
class Fixture:
    workspace_id: str
    key: str
    survey_id: str
    spec: VersionSpec


def _fixture(engine: Engine) -> Fixture:
    with session_scope(make_sessionmaker(engine)) as db:
        workspace = accounts.create_workspace(db, "Benchmark", "bench")
        key = accounts.create_api_key(db, workspace, Role.analyst, "bench")
        survey = surveys.create_survey(db, workspace.id, bench_survey())
        spec = surveys.version_spec(db, survey.current_version_id or "")
        return Fixture(workspace.id, key, survey.id, spec)


def _client(job: dict[str, Any]) -> dict[str, Any]:
    """Runs the load generator in a separate process and returns its result."""
    done = subprocess.run(
        [sys.executable, "-m", "cxloop.bench.client"],
        input=json.dumps(job),
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    if done.returncode != 0:
        raise BenchError(f"the load generator failed:\n{done.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(done.stdout)
    bad = {s: n for s, n in result["statuses"].items() if not s.startswith("2")}
    if bad:
        raise BenchError(f"the server answered {bad}: {result['first_error']}")
    return result


def _measured(job: dict[str, Any]) -> tuple[dict[str, Any], float | None]:
    """Runs the load generator; returns its result and the server CPU seconds it took."""
    before = children_cpu_seconds()
    result = _client(job)
    after = children_cpu_seconds()
    return result, (after - before if before is not None and after is not None else None)


def _stored(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(Response)) or 0)


def run_ingest(opts: IngestOptions, say: Callable[[str], None] = lambda _: None) -> IngestReport:
    """Runs every phase on a fresh database of ``opts.backend`` and drops it afterwards."""
    single, batch, raw = Phase("single"), Phase("batch"), Phase("raw insert")
    run_id = uuid.uuid4().hex[:8]
    with (
        tempfile.TemporaryDirectory(prefix="cxloop-bench-") as tmp,
        fresh_database(opts.backend, Path(tmp), opts.pg_admin_url) as url,
    ):
        engine = make_engine(url)
        try:
            upgrade(engine)
            fx = _fixture(engine)
            base = {"key": fx.key, "survey_id": fx.survey_id, "batch_size": opts.batch_size}
            with running_server(url, Path(tmp), opts.workers) as servers:
                base["urls"] = servers
                say(f"{len(servers)} server process(es) up; warming up")
                _client(
                    {
                        **base,
                        "mode": "single",
                        "count": opts.warmup,
                        "concurrency": opts.concurrency,
                    }
                    | {"seed": 0, "prefix": f"{run_id}-w"}
                )
                for r in range(opts.rounds):
                    say(f"round {r + 1}/{opts.rounds}: {opts.requests} single submissions")
                    res, cpu = _measured(
                        {**base, "mode": "single", "count": opts.requests}
                        | {
                            "concurrency": opts.concurrency,
                            "seed": 10 + r,
                            "prefix": f"{run_id}-s{r}",
                        }
                    )
                    single.add(res, cpu)
                    n = opts.batches * opts.batch_size
                    say(f"round {r + 1}/{opts.rounds}: {opts.batches} batches of {opts.batch_size}")
                    res, cpu = _measured(
                        {**base, "mode": "batch", "count": n}
                        | {"concurrency": opts.batch_concurrency, "seed": 20 + r}
                        | {"prefix": f"{run_id}-b{r}"}
                    )
                    batch.add(res, cpu)
                    say(f"round {r + 1}/{opts.rounds}: raw insert of {n} responses")
                    items = payloads(fx.survey_id, n, seed=30 + r, prefix=f"{run_id}-r{r}")
                    rows = build_rows(fx.workspace_id, fx.spec, items)
                    raw.rates.append(n / insert_raw(engine, rows, opts.batch_size))
            stored = _stored(engine)
        finally:
            engine.dispose()
    per_round = opts.requests + 2 * opts.batches * opts.batch_size
    expected = opts.warmup + opts.rounds * per_round
    return IngestReport(opts.backend, opts, single, batch, raw, stored, expected)

"""Export benchmark: rows/s and peak memory of each format and layout against a baseline.

``benchmark(n)`` stores n synthetic responses (3 answers each: NPS, comment, choices) in a fresh
SQLite database, then runs each export in its own process and prints its rows per second and
peak resident memory (``getrusage``) next to the baseline: a raw sqlite3 cursor over the same
answers written with ``csv.writer`` (the least work an export can do).

    python -m cxloop.exports.bench 1000000
"""

from __future__ import annotations

import csv
import multiprocessing
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Table, insert

BATCH = 10_000
CONTACTS = 10_000
COMMENTS = ("Fast delivery", "Giao hàng chậm", 'Too "slow", sorry', "Great staff\nthanks")
RUNS = [(fmt, layout) for layout in ("long", "wide") for fmt in ("csv", "xlsx", "parquet")]


def table(model: Any) -> Table:
    found: Table = model.__table__
    return found


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def seed(url: str, n: int) -> str:
    """Builds the database with n responses; returns the workspace id."""
    from cxloop.accounts.service import create_workspace
    from cxloop.contacts.models import Contact
    from cxloop.core.database import make_engine, make_sessionmaker, new_id
    from cxloop.core.migrate import upgrade
    from cxloop.responses.models import Answer, Response
    from cxloop.surveys.models import Question, Survey, SurveyVersion

    engine = make_engine(url)
    upgrade(engine)
    with make_sessionmaker(engine)() as db:
        ws = create_workspace(db, "Bench", "bench").id
        survey = Survey(workspace_id=ws, name="Bench NPS", public_token=new_id())
        db.add(survey)
        db.flush()
        version = SurveyVersion(workspace_id=ws, survey_id=survey.id, number=1)
        db.add(version)
        db.flush()
        kinds = [("nps", "nps"), ("comment", "open_text"), ("reasons", "multiple_choice")]
        questions = [
            Question(workspace_id=ws, version_id=version.id, key=k, kind=kind, position=i)
            for i, (k, kind) in enumerate(kinds)
        ]
        db.add_all(questions)
        contacts: list[dict[str, Any]] = [
            {"id": new_id(), "workspace_id": ws, "external_id": f"c{i}", "email": f"c{i}@x.io"}
            for i in range(CONTACTS)
        ]
        db.connection().execute(insert(table(Contact)), contacts)
        db.flush()
        start = datetime(2024, 1, 1, tzinfo=UTC)
        for first in range(0, n, BATCH):
            responses, answers = [], []
            for i in range(first, min(n, first + BATCH)):
                rid, at = new_id(), start + timedelta(seconds=i)
                responses.append(
                    {
                        "id": rid,
                        "workspace_id": ws,
                        "survey_id": survey.id,
                        "version_id": version.id,
                        "contact_id": contacts[i % CONTACTS]["id"],
                        "channel": "email",
                        "language": "en",
                        "submitted_at": at,
                        "hidden": {"order": f"o{i}", "store": i % 50},
                    }
                )
                common: dict[str, Any] = {
                    "workspace_id": ws,
                    "response_id": rid,
                    "survey_id": survey.id,
                    "submitted_at": at,
                    "value_number": None,
                    "value_text": None,
                    "value_choices": None,
                    "good": 0,
                    "bad": 0,
                }
                answers += [
                    {
                        **common,
                        "question_id": questions[0].id,
                        "kind": "nps",
                        "value_number": i % 11,
                    },
                    {
                        **common,
                        "question_id": questions[1].id,
                        "kind": "open_text",
                        "value_text": COMMENTS[i % len(COMMENTS)],
                    },
                    {
                        **common,
                        "question_id": questions[2].id,
                        "kind": "multiple_choice",
                        "value_choices": ["fast", "kind"][: 1 + i % 2],
                    },
                ]
            db.connection().execute(insert(table(Response)), responses)
            db.connection().execute(insert(table(Answer)), answers)
        db.commit()
    engine.dispose()
    return ws


def _baseline(path: str, out: str) -> int:
    import sqlite3

    con = sqlite3.connect(path)
    rows = 0
    with open(out, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        cursor = con.execute(
            "SELECT r.id, r.submitted_at, r.channel, r.language, q.key, a.kind, a.value_number,"
            " a.value_text, a.value_choices FROM answers a JOIN responses r ON r.id = a.response_id"
            " JOIN questions q ON q.id = a.question_id"
        )
        for row in cursor:
            writer.writerow(row)
            rows += 1
    con.close()
    return rows


def _child(task: tuple[str, str, str, str, str], queue: Any) -> None:
    url, workspace_id, fmt, layout, out = task
    started = time.perf_counter()
    if fmt == "baseline":
        rows = _baseline(url.removeprefix("sqlite:///"), out)
    else:
        from cxloop.core.database import make_engine, make_sessionmaker
        from cxloop.exports.schemas import ResponseFilters
        from cxloop.exports.service import export_responses

        engine = make_engine(url)
        with make_sessionmaker(engine)() as db:
            outcome = export_responses(db, workspace_id, fmt, layout, ResponseFilters(), Path(out))
        rows = outcome.rows
    queue.put((rows, time.perf_counter() - started, _peak_mb()))


def _measure(task: tuple[str, str, str, str, str]) -> tuple[int, float, float]:
    context = multiprocessing.get_context("spawn")  # a fresh process: its own peak memory
    queue = context.Queue()
    process = context.Process(target=_child, args=(task, queue))
    process.start()
    result: tuple[int, float, float] = queue.get()
    process.join()
    return result


def benchmark(n: int) -> None:
    with tempfile.TemporaryDirectory(prefix="cxloop-export-bench-") as folder:
        url = f"sqlite:///{folder}/bench.sqlite3"
        started = time.perf_counter()
        workspace_id = seed(url, n)
        print(f"seeded {n:,} responses ({3 * n:,} answers) in {time.perf_counter() - started:.1f}s")
        rows, seconds, peak = _measure((url, workspace_id, "baseline", "long", f"{folder}/b.csv"))
        base_rate = rows / seconds
        print(
            f"{'export':<16}{'rows':>12}{'seconds':>10}{'rows/s':>12}{'vs base':>9}{'peak MB':>9}"
        )
        name = "baseline csv"
        print(f"{name:<16}{rows:>12,}{seconds:>10.1f}{base_rate:>12,.0f}{1:>9.2f}{peak:>9.0f}")
        for fmt, layout in RUNS:
            out = f"{folder}/out-{layout}.{fmt}"
            rows, seconds, peak = _measure((url, workspace_id, fmt, layout, out))
            rate = rows / seconds
            name = f"{layout} {fmt}"
            print(
                f"{name:<16}{rows:>12,}{seconds:>10.1f}{rate:>12,.0f}"
                f"{rate / base_rate:>9.2f}{peak:>9.0f}"
            )
            Path(out).unlink()


if __name__ == "__main__":
    benchmark(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)

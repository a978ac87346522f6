"""`cxloop analyze` and `cxloop worker`: every comment analysed once, even after a SIGKILL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cxloop.comments.models import Comment
from cxloop.jobs.models import Job
from tests.cli.conftest import Cli, assert_clean_error
from tests.comments.conftest import Shop

TEXTS = [
    "Delivery was late and nobody called me",
    "Nhân viên rất nhiệt tình",
    "Kaina per didelė",
    "พนักงานบริการดีมาก",
]


def comments_of(db: Session, workspace_id: str) -> int:
    db.expire_all()
    stmt = select(func.count()).select_from(Comment).where(Comment.workspace_id == workspace_id)
    return db.scalar(stmt) or 0


def test_analyze_analyses_new_comments_and_can_run_again(cli: Cli, shop: Shop, db: Session) -> None:
    for text in TEXTS:
        shop.say(text)
    slug = shop.tenant.workspace.slug
    first = cli.run("analyze", "--workspace", slug)
    assert first.returncode == 0, first.stderr
    assert "4 new comments" in first.stderr
    again = cli.run("analyze", "--workspace", slug)
    assert again.returncode == 0 and "0 new comments, 4 re-analysed" in again.stderr
    assert comments_of(db, shop.tenant.workspace.id) == 4
    languages = {c["language"] for c in shop.get("/api/v1/comments")["items"]}
    assert languages == {"en", "vi", "lt", "th"}
    assert_clean_error(cli.run("analyze", "--workspace", "no-such-ws"), 1, "no-such-ws")


def test_a_killed_worker_loses_nothing_and_a_new_one_finishes_the_work(
    cli: Cli, shop: Shop, db: Session
) -> None:
    items = [
        {
            "survey_id": shop.survey["id"],
            "answers": {"nps": i % 11, "comment": f"{TEXTS[i % 4]} {i}"},
        }
        for i in range(3000)
    ]
    for start in range(0, len(items), 1000):
        resp = shop.http.post(
            "/api/v1/responses/batch",
            json={"items": items[start : start + 1000]},
            headers=shop.tenant.headers(),
        )
        assert resp.status_code in (200, 201), resp.text
    env = {**cli.env(), "CXLOOP_JOBS_LEASE_SECONDS": "1", "CXLOOP_JOBS_POLL_SECONDS": "0.1"}
    worker = subprocess.Popen(
        [sys.executable, "-m", "cxloop", "worker"], env=env, start_new_session=True
    )
    try:
        deadline = time.monotonic() + 60
        while comments_of(db, shop.tenant.workspace.id) == 0:
            assert time.monotonic() < deadline, "the worker did not start analysing"
            time.sleep(0.05)
    finally:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()
    assert comments_of(db, shop.tenant.workspace.id) < 3000  # killed in the middle
    time.sleep(1.2)  # the dead worker's lease runs out
    done = subprocess.run(
        [sys.executable, "-m", "cxloop", "worker", "--once"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert comments_of(db, shop.tenant.workspace.id) == 3000
    stmt = select(Job.status, func.count()).where(Job.workspace_id == shop.tenant.workspace.id)
    statuses = dict(db.execute(stmt.group_by(Job.status)).all())
    assert set(statuses) == {"done"}, statuses

"""Export jobs through the API: start, follow progress, download; refusals; deletion mid-run."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.orm import Session

from cxloop.core.security import Role
from cxloop.core.settings import Settings
from cxloop.exports import records, service
from tests.exports.conftest import Submitted
from tests.exports.tables import number, read_rows
from tests.factories import make_tenant


def start(http: httpx.Client, sub: Submitted, **body: Any) -> httpx.Response:
    return http.post("/api/v1/exports", json=body, headers=sub.tenant.headers())


def test_export_job_reaches_100_percent_and_the_file_downloads(
    http: httpx.Client, submitted: Submitted, run_jobs: Callable[[], int], tmp_path: Path
) -> None:
    headers = submitted.tenant.headers()
    body = {"kind": "responses", "format": "xlsx", "layout": "wide"}
    created = start(http, submitted, **body)
    assert created.status_code == 202, created.text
    export = created.json()
    assert (export["status"], export["progress"], export["download_url"]) == ("queued", 0, None)
    early = http.get(f"/api/v1/exports/{export['id']}/file", headers=headers)
    assert early.status_code == 409 and "queued" in early.json()["error"]["message"]

    assert run_jobs() >= 1
    done = http.get(f"/api/v1/exports/{export['id']}", headers=headers).json()
    assert (done["status"], done["progress"], done["rows_done"], done["rows_total"]) == (
        "done",
        100,
        5,
        5,
    )
    got = http.get(done["download_url"], headers=headers)
    assert got.status_code == 200
    assert got.headers["content-type"].startswith("application/vnd.openxmlformats")
    disposition = got.headers["content-disposition"]
    assert re.search(r'filename="responses-wide-\d{8}-\d{6}\.xlsx"', disposition), disposition
    path = tmp_path / "download.xlsx"
    path.write_bytes(got.content)
    _, rows = read_rows(path, "xlsx")
    assert [r["response_id"] for r in rows] == [i["id"] for i in submitted.items]
    assert [number(r["nps"]) for r in rows] == [10, 3, 7, None, None]

    listed = http.get("/api/v1/exports", headers=headers).json()
    assert [e["id"] for e in listed] == [export["id"]]


def test_bad_requests_are_refused_before_a_job_exists(
    db: Session, http: httpx.Client, submitted: Submitted
) -> None:
    other = make_tenant(db, "Other")
    bad_format = start(http, submitted, kind="responses", format="xls")
    assert bad_format.status_code == 422
    assert "format" in bad_format.text
    bad_layout = start(http, submitted, kind="responses", format="csv", layout="tall")
    assert bad_layout.status_code == 422
    foreign = http.post(
        "/api/v1/exports",
        json={
            "kind": "responses",
            "format": "csv",
            "filters": {"survey_id": submitted.survey_a["id"]},
        },
        headers=other.headers(),
    )
    assert foreign.status_code == 404
    assert "survey_id" in foreign.json()["error"]["message"]
    backwards = start(
        http,
        submitted,
        kind="responses",
        format="csv",
        filters={"date_from": "2024-03-05", "date_to": "2024-03-01"},
    )
    assert backwards.status_code == 422
    assert "date_from" in backwards.json()["error"]["message"]
    excel_xlsx = start(http, submitted, kind="responses", format="xlsx", excel=True)
    assert excel_xlsx.status_code == 422
    bad_by = start(http, submitted, kind="breakdown", format="csv", metric="nps", by="colour")
    assert bad_by.status_code == 422 and "by" in bad_by.json()["error"]["message"]
    assert http.get("/api/v1/exports", headers=submitted.tenant.headers()).json() == []


def test_exports_need_the_analyst_role_and_stay_in_their_workspace(
    db: Session, http: httpx.Client, submitted: Submitted, run_jobs: Callable[[], int]
) -> None:
    viewer = make_tenant(db, "Viewers", role=Role.viewer)
    refused = http.post(
        "/api/v1/exports", json={"kind": "responses", "format": "csv"}, headers=viewer.headers()
    )
    assert refused.status_code == 403
    export = start(http, submitted, kind="responses", format="csv").json()
    run_jobs()
    other = make_tenant(db, "Other")
    for path in (f"/api/v1/exports/{export['id']}", f"/api/v1/exports/{export['id']}/file"):
        assert http.get(path, headers=other.headers()).status_code == 404


def test_progress_is_visible_while_the_job_runs_and_deleting_stops_it(
    http: httpx.Client,
    submitted: Submitted,
    run_jobs: Callable[[], int],
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(service, "CHUNK", 2)
    monkeypatch.setattr(records, "PROGRESS_EVERY_SECONDS", 0.0)
    headers = submitted.tenant.headers()
    seen: list[tuple[str, float]] = []
    reporter = records._reporter

    def watched(
        db: Session, export_id: str, keep_alive: Callable[[], bool]
    ) -> Callable[[int, int], None]:
        report = reporter(db, export_id, keep_alive)

        def spy(done: int, total: int) -> None:
            report(done, total)
            state = http.get(f"/api/v1/exports/{export_id}", headers=headers).json()
            seen.append((state["status"], state["progress"]))
            if state["progress"] >= 50 and deleting:
                assert (
                    http.delete(f"/api/v1/exports/{export_id}", headers=headers).status_code == 204
                )

        return spy

    monkeypatch.setattr(records, "_reporter", watched)
    deleting = False
    first = start(http, submitted, kind="responses", format="csv", layout="long").json()
    run_jobs()
    assert seen[0] == ("running", 0) and ("running", 36.4) in seen  # 4 of 11 answers
    assert http.get(f"/api/v1/exports/{first['id']}", headers=headers).json()["progress"] == 100

    deleting, seen[:] = True, []
    second = start(http, submitted, kind="responses", format="parquet", layout="long").json()
    run_jobs()
    assert http.get(f"/api/v1/exports/{second['id']}", headers=headers).status_code == 404
    folder = records.export_folder(settings, submitted.tenant.workspace.id)
    assert sorted(p.name for p in folder.iterdir()) == [f"{first['id']}.csv"]


def test_breakdown_export_matches_the_metrics_api(
    http: httpx.Client, submitted: Submitted, run_jobs: Callable[[], int]
) -> None:
    headers = submitted.tenant.headers()
    export = start(
        http, submitted, kind="breakdown", format="csv", metric="nps", by="channel"
    ).json()
    run_jobs()
    got = http.get(f"/api/v1/exports/{export['id']}/file", headers=headers)
    assert got.status_code == 200, got.text
    metrics = http.get("/api/v1/metrics/nps", params={"by": "channel"}, headers=headers).json()
    rows = list(csv.DictReader(io.StringIO(got.text)))
    assert [(r["channel"], r["channel_key"]) for r in rows] == [
        (m["label"], m["key"] or "") for m in metrics["rows"]
    ]
    assert [(int(r["n"]), number(r["value"])) for r in rows] == [
        (m["n"], m["value"]) for m in metrics["rows"]
    ]
    # hand check: email answered 10 and 7 → 1 promoter of 2 → NPS 50; app 3 → -100
    assert {r["channel"]: number(r["value"]) for r in rows} == {"email": 50.0, "app": -100.0}

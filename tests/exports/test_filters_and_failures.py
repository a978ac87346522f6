"""Filters choose the exported responses; bad filters are refused before any file is written;
a failure or cancellation mid-export leaves no file behind (and keeps an older one intact)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from cxloop.accounts.models import Workspace
from cxloop.core.errors import Invalid, NotFound
from cxloop.exports import service
from cxloop.exports.schemas import ResponseFilters
from tests.exports.conftest import Submitted
from tests.exports.tables import read_rows
from tests.factories import make_tenant


def exported_ids(db: Session, sub: Submitted, tmp_path: Path, **filters: Any) -> list[str]:
    path = tmp_path / "f.csv"
    ws = sub.tenant.workspace.id
    service.export_responses(db, ws, "csv", "wide", ResponseFilters(**filters), path)
    return [row["response_id"] for row in read_rows(path, "csv")[1]]


def ids(sub: Submitted, *positions: int) -> list[str]:
    return [sub.items[i]["id"] for i in positions]


def test_filters_by_survey_touchpoint_channel_and_language(
    db: Session, submitted: Submitted, tmp_path: Path
) -> None:
    sub = submitted
    assert exported_ids(db, sub, tmp_path, survey_id=sub.survey_b["id"]) == ids(sub, 3, 4)
    assert exported_ids(db, sub, tmp_path, channel="email") == ids(sub, 0, 2)
    assert exported_ids(db, sub, tmp_path, language="vi") == ids(sub, 1, 4)
    assert exported_ids(db, sub, tmp_path, touchpoint_id=sub.touchpoint["id"], language="vi") == (
        ids(sub, 1)
    )


def test_wide_columns_follow_the_filtered_survey(
    db: Session, submitted: Submitted, tmp_path: Path
) -> None:
    path = tmp_path / "b.csv"
    filters = ResponseFilters(survey_id=submitted.survey_b["id"])
    service.export_responses(db, submitted.tenant.workspace.id, "csv", "wide", filters, path)
    assert read_rows(path, "csv")[0][10:] == ["csat", "comment"]


def test_dates_are_calendar_days_of_the_workspace_time_zone(
    db: Session, submitted: Submitted, tmp_path: Path
) -> None:
    workspace = db.get(Workspace, submitted.tenant.workspace.id)
    assert workspace is not None
    workspace.timezone = "Asia/Ho_Chi_Minh"  # UTC+7: 2024-03-01 20:30 UTC is 2 March there
    db.commit()
    day = "2024-03-02"
    assert exported_ids(db, submitted, tmp_path, date_from=day, date_to=day) == ids(submitted, 0, 1)
    assert exported_ids(db, submitted, tmp_path, date_from="2024-03-04") == ids(submitted, 3, 4)


def test_refused_filters_write_nothing(db: Session, submitted: Submitted, tmp_path: Path) -> None:
    ws = submitted.tenant.workspace.id
    other = make_tenant(db, "Other")
    path = tmp_path / "never.csv"
    backwards = ResponseFilters(date_from="2024-03-05", date_to="2024-03-01")
    with pytest.raises(Invalid, match="date_from: must be on or before date_to"):
        service.export_responses(db, ws, "csv", "long", backwards, path)
    foreign = ResponseFilters(survey_id=submitted.survey_a["id"])
    with pytest.raises(NotFound, match="survey_id"):
        service.export_responses(db, other.workspace.id, "csv", "long", foreign, path)
    with pytest.raises(Invalid, match="format: unknown value 'xls'"):
        service.export_responses(db, ws, "xls", "long", ResponseFilters(), path)
    with pytest.raises(Invalid, match="layout: unknown value 'tall'"):
        service.export_responses(db, ws, "csv", "tall", ResponseFilters(), path)
    assert list(tmp_path.iterdir()) == []


class Boom(RuntimeError):
    pass


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "parquet"])
@pytest.mark.parametrize("layout", ["long", "wide"])
def test_failure_mid_export_leaves_no_partial_file_and_keeps_the_old_one(
    db: Session,
    submitted: Submitted,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    fmt: str,
    layout: str,
) -> None:
    monkeypatch.setattr(service, "CHUNK", 2)  # fetch and report every 2 rows
    path = tmp_path / f"out.{fmt}"
    path.write_bytes(b"the previous export")
    seen: list[int] = []

    def progress(done: int, total: int) -> None:
        seen.append(done)
        if done >= 2:
            raise Boom("disk full")

    ws = submitted.tenant.workspace.id
    with pytest.raises(Boom):
        service.export_responses(db, ws, fmt, layout, ResponseFilters(), path, progress)
    assert seen == [0, 2]  # it failed with rows written, before the end
    assert [p.name for p in tmp_path.iterdir()] == [path.name]
    assert path.read_bytes() == b"the previous export"


def test_progress_counts_up_to_the_total(
    db: Session, submitted: Submitted, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(service, "CHUNK", 4)
    calls: list[tuple[int, int]] = []
    ws = submitted.tenant.workspace.id
    outcome = service.export_responses(
        db,
        ws,
        "parquet",
        "long",
        ResponseFilters(),
        tmp_path / "p.parquet",
        lambda done, total: calls.append((done, total)),
    )
    assert outcome.rows == 11
    assert calls == [(0, 11), (4, 11), (8, 11), (11, 11)]

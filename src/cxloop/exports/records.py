"""Export jobs: a record per export, run in the background, with progress the API can read.

The request is checked when the export is created (bad filters are a 4xx then, not a failed
job later). The job streams the export to a file under ``data_dir/exports/<workspace>/``; its
progress is committed in separate short transactions so readers see it while it runs, and it
stops (deleting the partial file) when the export is cancelled or deleted meanwhile.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from cxloop.analytics.query import parse_dimensions
from cxloop.core.database import utcnow
from cxloop.core.errors import Conflict, CxError, Gone, Invalid, NotFound
from cxloop.core.settings import Settings
from cxloop.exports import repository as repo
from cxloop.exports import service
from cxloop.exports.models import Export
from cxloop.exports.schemas import (
    BreakdownExportCreate,
    ExportOutcome,
    ExportRead,
    ExportStatus,
    ResponseFilters,
    ResponsesExportCreate,
)
from cxloop.jobs import service as jobs
from cxloop.metrics import service as metrics
from cxloop.metrics.schemas import MetricFilters

JOB_KIND = "export.run"
MAX_ATTEMPTS = 3
PROGRESS_EVERY_SECONDS = 0.5
ACTIVE = (ExportStatus.queued.value, ExportStatus.running.value)


class ExportCancelled(Exception):
    """Raised from the progress callback when the export was deleted while it ran."""


def export_folder(settings: Settings, workspace_id: str) -> Path:
    return settings.data_dir / "exports" / workspace_id


def file_path(settings: Settings, export: Export) -> Path:
    return export_folder(settings, export.workspace_id) / f"{export.id}.{export.format}"


def _download_name(export: Export, created: datetime) -> str:
    shape = f"-{export.layout}" if export.layout else ""
    return f"{export.kind}{shape}-{created:%Y%m%d-%H%M%S}.{export.format}"


def to_read(export: Export) -> ExportRead:
    if export.status == ExportStatus.done:
        progress = 100.0
    elif export.rows_total:
        progress = min(99.9, round(100.0 * export.rows_done / export.rows_total, 1))
    else:
        progress = 0.0
    done = export.status == ExportStatus.done
    return ExportRead(
        id=export.id,
        kind=export.kind,
        format=export.format,
        layout=export.layout,
        params=export.params,
        status=ExportStatus(export.status),
        rows_done=export.rows_done,
        rows_total=export.rows_total,
        progress=progress,
        file_name=export.file_name if done else None,
        size_bytes=export.size_bytes,
        error=export.error,
        created_at=export.created_at,
        started_at=export.started_at,
        finished_at=export.finished_at,
        download_url=f"/api/v1/exports/{export.id}/file" if done else None,
    )


def create_export(
    db: Session,
    workspace_id: str,
    request: ResponsesExportCreate | BreakdownExportCreate,
    requested_by: str | None = None,
) -> ExportRead:
    """Checks the request, stores the export and queues its job (in the caller's transaction)."""
    if request.excel and request.format != "csv":
        raise Invalid("excel: only applies to the csv format", details=[{"field": "excel"}])
    if isinstance(request, ResponsesExportCreate):
        service.resolve_scope(db, workspace_id, request.filters)
        layout: str | None = request.layout.value
    else:
        parse_dimensions(request.by)
        metrics.check_filters(db, workspace_id, request.filters)
        layout = None
    params = request.model_dump(mode="json", exclude={"kind", "format", "layout"})
    export = repo.insert_export(
        db,
        {
            "workspace_id": workspace_id,
            "kind": request.kind,
            "format": request.format.value,
            "layout": layout,
            "params": params,
            "status": ExportStatus.queued.value,
            "requested_by": requested_by,
        },
    )
    export.file_name = _download_name(export, export.created_at or utcnow())
    jobs.enqueue(
        db,
        JOB_KIND,
        {"export_id": export.id},
        workspace_id=workspace_id,
        max_attempts=MAX_ATTEMPTS,
    )
    db.flush()
    return to_read(export)


def get_export(db: Session, workspace_id: str, export_id: str) -> Export:
    export = repo.get_export(db, export_id, workspace_id)
    if export is None:
        raise NotFound(f"export '{export_id}' does not exist")
    return export


def list_exports(db: Session, workspace_id: str, limit: int = 50) -> list[ExportRead]:
    if not 1 <= limit <= 500:
        raise Invalid("limit: must be between 1 and 500")
    return [to_read(e) for e in repo.list_exports(db, workspace_id, limit)]


def finished_file(db: Session, settings: Settings, workspace_id: str, export_id: str) -> Path:
    """The finished export's file; Conflict while it runs, Gone when the file was removed."""
    export = get_export(db, workspace_id, export_id)
    if export.status != ExportStatus.done:
        read = to_read(export)
        detail = f": {export.error}" if export.error else ""
        raise Conflict(f"export {export_id} is {export.status} ({read.progress}%){detail}")
    path = file_path(settings, export)
    if not path.is_file():
        raise Gone(f"the file of export {export_id} is no longer on disk; export again")
    return path


def delete_export(db: Session, settings: Settings, workspace_id: str, export_id: str) -> None:
    """Deletes the export and its file; a running export stops at its next progress report."""
    export = get_export(db, workspace_id, export_id)
    file_path(settings, export).unlink(missing_ok=True)
    repo.delete_export(db, export)


def _commit_aside(db: Session, export_id: str, values: dict[str, Any]) -> str | None:
    """Updates the export in its own short transaction; returns its status (None: deleted)."""
    with Session(bind=db.get_bind()) as aside:
        repo.update_export(aside, export_id, values)
        status = repo.export_status(aside, export_id)
        aside.commit()
    return status


def _reporter(
    db: Session, export_id: str, keep_alive: Callable[[], bool]
) -> Callable[[int, int], None]:
    last = 0.0

    def report(done: int, total: int) -> None:
        nonlocal last
        now = time.monotonic()
        if done and now - last < PROGRESS_EVERY_SECONDS:
            return
        last = now
        status = _commit_aside(db, export_id, {"rows_done": done, "rows_total": total})
        if status not in ACTIVE or not keep_alive():  # deleted, or another worker took over
            raise ExportCancelled(export_id)

    return report


def _write(
    db: Session,
    export: Export,
    path: Path,
    settings: Settings,
    keep_alive: Callable[[], bool],
) -> ExportOutcome:
    params, excel = export.params, bool(export.params.get("excel"))
    report = _reporter(db, export.id, keep_alive)
    if export.kind == "responses":
        filters = ResponseFilters.model_validate(params.get("filters") or {})
        layout = export.layout or "long"
        return service.export_responses(
            db, export.workspace_id, export.format, layout, filters, path, report, excel=excel
        )
    filters_m = MetricFilters.model_validate(params.get("filters") or {})
    return service.export_breakdown(
        db,
        export.workspace_id,
        export.format,
        str(params["metric"]),
        str(params["by"]),
        str(params.get("period") or "week"),
        filters_m,
        path,
        settings=settings,
        excel=excel,
    )


def run_export(
    db: Session,
    export_id: str,
    settings: Settings,
    attempt: int = 1,
    keep_alive: Callable[[], bool] = lambda: True,
) -> None:
    """The job: writes the file, then marks the export done in the job's transaction."""
    export = repo.get_export(db, export_id)
    if export is None or export.status not in ACTIVE:
        return  # deleted before it started, or already finished
    path = file_path(settings, export)
    path.parent.mkdir(parents=True, exist_ok=True)
    started = {"status": "running", "started_at": utcnow(), "rows_done": 0, "error": None}
    _commit_aside(db, export_id, started)
    try:
        outcome = _write(db, export, path, settings, keep_alive)
    except ExportCancelled:
        return
    except CxError as exc:  # the data changed since the request was checked: no retry
        _commit_aside(db, export_id, _failed(exc.message))
        return
    except Exception as exc:
        retry = attempt < MAX_ATTEMPTS
        message = f"{type(exc).__name__}: {exc}" + ("; retrying" if retry else "")
        values = {"status": "queued", "error": message} if retry else _failed(message)
        _commit_aside(db, export_id, values)
        raise
    if repo.export_status(db, export_id) not in ACTIVE:
        path.unlink(missing_ok=True)  # deleted while the last rows were written
        return
    repo.update_export(
        db,
        export_id,
        {
            "status": "done",
            "rows_done": outcome.rows,
            "rows_total": outcome.rows,
            "size_bytes": outcome.size_bytes,
            "finished_at": utcnow(),
            "error": None,
        },
    )


def _failed(message: str) -> dict[str, Any]:
    return {"status": "failed", "error": message[:2000], "finished_at": utcnow()}

"""REST API of exports: start one (a background job), follow its progress, download the file."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Query, Response
from fastapi.responses import FileResponse

from cxloop.core.deps import ApiAnalyst, AppSettings, DbSession
from cxloop.exports import records
from cxloop.exports.schemas import ExportCreate, ExportRead
from cxloop.exports.writers import CONTENT_TYPES

router = APIRouter(tags=["exports"])


@router.post("/exports", response_model=ExportRead, status_code=202)
def start_export(
    body: Annotated[ExportCreate, Body()], caller: ApiAnalyst, db: DbSession
) -> ExportRead:
    """Exports responses (long or wide) or a metric breakdown to CSV, XLSX or Parquet in the
    background; follow it at GET /exports/{id}, then download GET /exports/{id}/file."""
    export = records.create_export(
        db, caller.workspace_id, body, caller.user_id or caller.api_key_id
    )
    db.commit()
    return export


@router.get("/exports", response_model=list[ExportRead])
def list_exports(
    caller: ApiAnalyst, db: DbSession, limit: Annotated[int, Query(ge=1, le=500)] = 50
) -> list[ExportRead]:
    """The workspace's exports, newest first."""
    return records.list_exports(db, caller.workspace_id, limit)


@router.get("/exports/{export_id}", response_model=ExportRead)
def read_export(export_id: str, caller: ApiAnalyst, db: DbSession) -> ExportRead:
    """Status and progress (rows done of rows total, percent)."""
    return records.to_read(records.get_export(db, caller.workspace_id, export_id))


@router.get("/exports/{export_id}/file", response_class=FileResponse)
def download_export(
    export_id: str, caller: ApiAnalyst, db: DbSession, settings: AppSettings
) -> FileResponse:
    """The finished file (409 while the export runs or when it failed)."""
    path = records.finished_file(db, settings, caller.workspace_id, export_id)
    export = records.get_export(db, caller.workspace_id, export_id)
    return FileResponse(
        path, media_type=CONTENT_TYPES[export.format], filename=export.file_name or path.name
    )


@router.delete("/exports/{export_id}", status_code=204)
def delete_export(
    export_id: str, caller: ApiAnalyst, db: DbSession, settings: AppSettings
) -> Response:
    """Deletes the export and its file; a running export stops and leaves no file."""
    records.delete_export(db, settings, caller.workspace_id, export_id)
    db.commit()
    return Response(status_code=204)

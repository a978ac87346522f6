"""REST API of responses: submit one, submit a batch, list and read."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, File, Form, Header, Query, Request, Response, UploadFile
from pydantic import BaseModel

from cxloop.core.deps import ApiAnalyst, ApiViewer, DbSession
from cxloop.core.errors import PayloadTooLarge
from cxloop.core.pagination import Page, PageParams, page_params
from cxloop.core.settings import Settings
from cxloop.journeys.models import Channel
from cxloop.responses import progress, service
from cxloop.responses.group_commit import submit_committed
from cxloop.responses.importer import ImportReportRead, import_responses_csv
from cxloop.responses.progress import PartialRead
from cxloop.responses.request_db import AnalystDb, RequestDb
from cxloop.responses.schemas import BatchResult, ResponseBatch, ResponseCreate, ResponseRead

router = APIRouter(tags=["responses"])
JSON = "application/json"


def _json(model: BaseModel, status_code: int) -> Response:
    return Response(model.__pydantic_serializer__.to_json(model), status_code, media_type=JSON)


@router.post("/responses", response_model=ResponseRead, status_code=201)
async def submit_response(
    request: Request,
    body: ResponseCreate,
    ctx: AnalystDb,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> Response:
    """Stores one response. It is committed before the answer is sent (201; 200 when the
    idempotency key was seen before, with the stored response)."""
    if idempotency_key and not body.idempotency_key:
        body.idempotency_key = idempotency_key
    factory = request.app.state.sessionmaker
    try:
        stored = await submit_committed(ctx.session, factory, ctx.caller.workspace_id, body)
    finally:
        ctx.session.close()
    return _json(stored, 200 if stored.duplicate else 201)


@router.post("/responses/batch", response_model=BatchResult, status_code=201)
async def submit_batch(request: Request, body: ResponseBatch, ctx: AnalystDb) -> Response:
    """Stores up to 1,000 responses, all or nothing; errors list every bad item by index."""
    settings: Settings = request.app.state.settings
    result = await ctx.in_thread(_submit_many, ctx, body, settings.batch_max_items)
    return _json(result, 201)


def _submit_many(ctx: RequestDb, body: ResponseBatch, max_items: int) -> BatchResult:
    db = ctx.session
    with service.write_turn(db):
        ids, duplicates = service.submit_batch(
            db, ctx.caller.workspace_id, body.items, max_items=max_items
        )
        db.commit()
    return BatchResult(accepted=len(ids), duplicates=duplicates, ids=ids)


@router.get("/responses", response_model=Page[ResponseRead])
def list_responses(
    caller: ApiViewer,
    db: DbSession,
    page: Annotated[PageParams, Depends(page_params)],
    survey_id: str | None = None,
    touchpoint_id: str | None = None,
    contact_id: str | None = None,
    channel: Channel | None = None,
    language: str | None = None,
    source: str | None = None,
    flagged: Annotated[
        bool | None, Query(description="true: only flagged responses; false: only unflagged.")
    ] = None,
    flag: Annotated[Literal["speeder", "straight_lining", "duplicate"] | None, Query()] = None,
    since: Annotated[datetime | None, Query(alias="from")] = None,
    until: Annotated[datetime | None, Query(alias="to")] = None,
) -> Page[ResponseRead]:
    filters = {
        "survey_id": survey_id,
        "touchpoint_id": touchpoint_id,
        "contact_id": contact_id,
        "channel": channel.value if channel else None,
        "language": language,
        "source": source,
        "flagged": flagged,
        "flag": flag,
        **service.parse_period(since, until),
    }
    items, total = service.list_responses(db, caller.workspace_id, filters, page.limit, page.offset)
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


@router.get("/responses/partial", response_model=Page[PartialRead])
def list_partial(
    caller: ApiViewer,
    db: DbSession,
    page: Annotated[PageParams, Depends(page_params)],
    survey_id: str | None = None,
    status: Literal["in_progress", "completed", "blocked"] | None = None,
) -> Page[PartialRead]:
    """Public-page responses answered page by page: unfinished (in_progress), finished
    (completed, with the stored response's id) and bot submissions (blocked, honeypot)."""
    items, total = progress.list_partial(
        db, caller.workspace_id, survey_id, status, page.limit, page.offset
    )
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


@router.get("/responses/{response_id}", response_model=ResponseRead)
def get_response(response_id: str, caller: ApiViewer, db: DbSession) -> ResponseRead:
    return service.get_response(db, caller.workspace_id, response_id)


MAX_IMPORT_BYTES = 50 * 1024 * 1024


@router.post("/responses/import", response_model=ImportReportRead)
def import_responses(
    file: Annotated[UploadFile, File(description="A CSV file (UTF-8 or Windows-1252).")],
    caller: ApiAnalyst,
    db: DbSession,
    survey_id: Annotated[
        str | None, Form(description="Survey of every row, instead of a survey_id column.")
    ] = None,
) -> ImportReportRead:
    """Imports responses from a CSV file: good rows are stored, bad rows come back with their
    line number and the reason. Columns as for `cxloop import responses`."""
    data = file.file.read(MAX_IMPORT_BYTES + 1)
    if len(data) > MAX_IMPORT_BYTES:
        raise PayloadTooLarge(f"file: at most {MAX_IMPORT_BYTES // 2**20} MB per upload")
    report = import_responses_csv(db, caller.workspace_id, data, survey_id=survey_id or None)
    db.commit()
    return report.to_read()

"""REST API of responses: submit one, submit a batch, list and read."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Response

from cxloop.core.deps import ApiAnalyst, ApiViewer, AppSettings, DbSession
from cxloop.core.pagination import Page, PageParams, page_params
from cxloop.journeys.models import Channel
from cxloop.responses import service
from cxloop.responses.schemas import BatchResult, ResponseBatch, ResponseCreate, ResponseRead

router = APIRouter(tags=["responses"])


@router.post("/responses", response_model=ResponseRead, status_code=201)
def submit_response(
    body: ResponseCreate,
    caller: ApiAnalyst,
    db: DbSession,
    response: Response,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> ResponseRead:
    """Stores one response. It is committed before the answer is sent."""
    if idempotency_key and not body.idempotency_key:
        body.idempotency_key = idempotency_key
    stored = service.submit(db, caller.workspace_id, body)
    db.commit()
    if stored.duplicate:
        response.status_code = 200
    return stored


@router.post("/responses/batch", response_model=BatchResult, status_code=201)
def submit_batch(
    body: ResponseBatch, caller: ApiAnalyst, db: DbSession, settings: AppSettings
) -> BatchResult:
    """Stores up to 1,000 responses, all or nothing; errors list every bad item by index."""
    ids, duplicates = service.submit_batch(
        db, caller.workspace_id, body.items, max_items=settings.batch_max_items
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
        **service.parse_period(since, until),
    }
    items, total = service.list_responses(db, caller.workspace_id, filters, page.limit, page.offset)
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


@router.get("/responses/{response_id}", response_model=ResponseRead)
def get_response(response_id: str, caller: ApiViewer, db: DbSession) -> ResponseRead:
    return service.get_response(db, caller.workspace_id, response_id)

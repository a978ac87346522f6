"""REST API of the interactions feature: record, batch, import, list, and a contact's timeline."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, File, Query, Request, Response, UploadFile

from cxloop.core.deps import ApiAnalyst, ApiViewer, DbSession
from cxloop.core.pagination import Page, PageParams, page_params
from cxloop.core.settings import Settings
from cxloop.interactions import service
from cxloop.interactions.importer import import_interactions_csv
from cxloop.interactions.models import InteractionKind
from cxloop.interactions.repository import InteractionFilter
from cxloop.interactions.schemas import (
    BatchResult,
    ImportReportRead,
    InteractionBatch,
    InteractionCreate,
    InteractionRead,
    TimelineItem,
)
from cxloop.journeys.models import Channel

router = APIRouter(tags=["interactions"])
Paging = Annotated[PageParams, Depends(page_params)]


@router.post("/interactions", response_model=InteractionRead, status_code=201)
def create_interaction(
    body: InteractionCreate, caller: ApiAnalyst, db: DbSession, response: Response
) -> InteractionRead:
    """Records one interaction (201); an `external_id` already stored returns that one (200)."""
    interaction, created = service.create_interaction(db, caller.workspace_id, body)
    db.commit()
    response.status_code = 201 if created else 200
    return InteractionRead.model_validate(interaction)


@router.post("/interactions/batch", response_model=BatchResult)
def create_batch(
    body: InteractionBatch, request: Request, caller: ApiAnalyst, db: DbSession
) -> BatchResult:
    """Records up to 1,000 interactions, all or nothing; the error lists every bad item."""
    settings: Settings = request.app.state.settings
    result = service.create_batch(
        db, caller.workspace_id, body.items, max_items=settings.batch_max_items
    )
    db.commit()
    return result


@router.post("/interactions/import", response_model=ImportReportRead)
def import_csv(
    file: Annotated[UploadFile, File(description="A UTF-8 CSV file.")],
    caller: ApiAnalyst,
    db: DbSession,
) -> ImportReportRead:
    """Imports a CSV file: good rows are stored, bad rows come back with their line number."""
    report = import_interactions_csv(db, caller.workspace_id, file.file)
    db.commit()
    return report.to_read()


@router.get("/interactions", response_model=Page[InteractionRead])
def list_interactions(
    caller: ApiViewer,
    db: DbSession,
    paging: Paging,
    contact_id: str | None = None,
    kind: InteractionKind | None = None,
    channel: Channel | None = None,
    touchpoint_id: str | None = None,
    thread_id: str | None = None,
    occurred_from: Annotated[
        datetime | None, Query(alias="from", description="Occurred at or after.")
    ] = None,
    occurred_to: Annotated[
        datetime | None, Query(alias="to", description="Occurred before.")
    ] = None,
) -> Page[InteractionRead]:
    """Lists interactions, newest first."""
    filters = InteractionFilter(
        contact_id=contact_id,
        kind=kind.value if kind else None,
        channel=channel.value if channel else None,
        touchpoint_id=touchpoint_id,
        thread_id=thread_id,
        occurred_from=occurred_from,
        occurred_to=occurred_to,
    )
    items, total = service.list_interactions(
        db, caller.workspace_id, filters, limit=paging.limit, offset=paging.offset
    )
    return Page(
        items=[InteractionRead.model_validate(i) for i in items],
        total=total,
        limit=paging.limit,
        offset=paging.offset,
    )


@router.get("/interactions/{interaction_id}", response_model=InteractionRead)
def get_interaction(interaction_id: str, caller: ApiViewer, db: DbSession) -> InteractionRead:
    found = service.get_interaction(db, caller.workspace_id, interaction_id)
    return InteractionRead.model_validate(found)


@router.delete("/interactions/{interaction_id}", status_code=204)
def delete_interaction(interaction_id: str, caller: ApiAnalyst, db: DbSession) -> Response:
    service.delete_interaction(db, caller.workspace_id, interaction_id)
    db.commit()
    return Response(status_code=204)


@router.get("/contacts/{contact_id}/timeline", response_model=list[TimelineItem])
def timeline(
    contact_id: str,
    caller: ApiViewer,
    db: DbSession,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[TimelineItem]:
    """The contact's interactions on every channel, newest first."""
    entries = service.timeline(db, caller.workspace_id, contact_id, limit)
    return [TimelineItem.model_validate(e) for e in entries]

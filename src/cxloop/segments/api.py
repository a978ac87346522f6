"""REST API of segments and personas."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from cxloop.core.deps import ApiAnalyst, ApiViewer, DbSession
from cxloop.segments import service
from cxloop.segments.schemas import SegmentCreate, SegmentDefinition, SegmentRead, SegmentUpdate

router = APIRouter(tags=["segments"])


class PreviewRead(BaseModel):
    members: int


@router.get("/segments", response_model=list[SegmentRead])
def list_segments(caller: ApiViewer, db: DbSession) -> list[SegmentRead]:
    """Segments and personas with their current member counts."""
    return service.list_segments(db, caller.workspace_id)


@router.post("/segments", response_model=SegmentRead, status_code=201)
def create_segment(data: SegmentCreate, caller: ApiAnalyst, db: DbSession) -> SegmentRead:
    """A saved filter over contact attributes and behaviour; use its id as `segment_id`."""
    result = service.create(db, caller.workspace_id, data)
    db.commit()
    return result


@router.post("/segments/preview", response_model=PreviewRead)
def preview_segment(definition: SegmentDefinition, caller: ApiViewer, db: DbSession) -> PreviewRead:
    """How many contacts a definition selects, without saving it."""
    return PreviewRead(members=service.preview(db, caller.workspace_id, definition))


@router.get("/segments/{segment_id}", response_model=SegmentRead)
def read_segment(segment_id: str, caller: ApiViewer, db: DbSession) -> SegmentRead:
    return service.get(db, caller.workspace_id, segment_id)


@router.patch("/segments/{segment_id}", response_model=SegmentRead)
def update_segment(
    segment_id: str, data: SegmentUpdate, caller: ApiAnalyst, db: DbSession
) -> SegmentRead:
    result = service.update(db, caller.workspace_id, segment_id, data)
    db.commit()
    return result


@router.delete("/segments/{segment_id}", status_code=204)
def delete_segment(segment_id: str, caller: ApiAnalyst, db: DbSession) -> None:
    service.delete(db, caller.workspace_id, segment_id)
    db.commit()

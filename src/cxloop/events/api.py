"""REST API of the events feature: survey triggers (admin) and the event API (rate-limited)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from cxloop.core.deps import ApiAdmin, ApiAnalyst, ApiViewer, AppSettings, DbSession
from cxloop.events import ratelimit, service, triggers
from cxloop.events.schemas import (
    EventBatch,
    EventBatchResult,
    EventCreate,
    EventResult,
    FiringRead,
    TriggerRead,
    TriggerUpdate,
    TriggerWrite,
)

router = APIRouter(tags=["events"])
RATE_LIMITED: dict[int | str, dict[str, Any]] = {
    429: {"description": "Too many events from this API key; see Retry-After."}
}


@router.post("/events", response_model=EventResult, responses=RATE_LIMITED)
def record_event(
    body: EventCreate, request: Request, caller: ApiAnalyst, db: DbSession, settings: AppSettings
) -> Response | EventResult:
    """Records the event as an interaction and evaluates the survey triggers.

    The answer says what happened: the interaction, whether its touchpoint is unknown
    (flagged, with a warning), and per matching trigger whether the survey was offered,
    scheduled, sampled out or blocked by governance (with the rule and the reason).
    """
    limited = ratelimit.hit(request, "events", caller.api_key_id or caller.workspace_id)
    if limited is not None:
        return limited
    recorded = service.record_event(db, settings, caller.workspace_id, body)
    db.commit()
    return recorded.result


@router.post("/events/batch", response_model=EventBatchResult, responses=RATE_LIMITED)
def record_batch(
    body: EventBatch, request: Request, caller: ApiAnalyst, db: DbSession, settings: AppSettings
) -> Response | EventBatchResult:
    """Up to 100 events, each counted against the rate limit; all or nothing."""
    key = caller.api_key_id or caller.workspace_id
    for _ in body.items:
        limited = ratelimit.hit(request, "events", key)
        if limited is not None:
            return limited
    items = [service.record_event(db, settings, caller.workspace_id, e).result for e in body.items]
    db.commit()
    return EventBatchResult(items=items)


@router.get("/contacts/{contact_id}/survey-triggers", response_model=list[FiringRead])
def contact_firings(
    contact_id: str,
    caller: ApiViewer,
    db: DbSession,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[FiringRead]:
    """What each survey trigger did for this contact, newest first, with governance reasons."""
    return service.contact_firings(db, caller.workspace_id, contact_id, limit)


@router.get("/survey-triggers", response_model=list[TriggerRead])
def list_triggers(caller: ApiViewer, db: DbSession) -> list[TriggerRead]:
    return [TriggerRead.model_validate(t) for t in triggers.list_triggers(db, caller.workspace_id)]


@router.post("/survey-triggers", response_model=TriggerRead, status_code=201)
def create_trigger(body: TriggerWrite, caller: ApiAdmin, db: DbSession) -> TriggerRead:
    trigger = triggers.create_trigger(db, caller.workspace_id, body)
    db.commit()
    return TriggerRead.model_validate(trigger)


@router.get("/survey-triggers/{trigger_id}", response_model=TriggerRead)
def get_trigger(trigger_id: str, caller: ApiViewer, db: DbSession) -> TriggerRead:
    return TriggerRead.model_validate(triggers.get_trigger(db, caller.workspace_id, trigger_id))


@router.patch("/survey-triggers/{trigger_id}", response_model=TriggerRead)
def update_trigger(
    trigger_id: str, body: TriggerUpdate, caller: ApiAdmin, db: DbSession
) -> TriggerRead:
    trigger = triggers.update_trigger(db, caller.workspace_id, trigger_id, body)
    db.commit()
    return TriggerRead.model_validate(trigger)


@router.delete("/survey-triggers/{trigger_id}", status_code=204)
def delete_trigger(trigger_id: str, caller: ApiAdmin, db: DbSession) -> Response:
    triggers.delete_trigger(db, caller.workspace_id, trigger_id)
    db.commit()
    return Response(status_code=204)

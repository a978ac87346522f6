"""REST API of support metrics and the workspace's business calendar."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from cxloop.core.calendar import CalendarSpec
from cxloop.core.deps import ApiAdmin, ApiViewer, DbSession
from cxloop.support import service
from cxloop.support.schemas import SupportMetricsRead

router = APIRouter(tags=["support metrics"])


@router.get("/support-metrics", response_model=SupportMetricsRead)
def read_support_metrics(
    caller: ApiViewer,
    db: DbSession,
    date_from: Annotated[date, Query(alias="from", description="First day (workspace zone).")],
    date_to: Annotated[date, Query(alias="to", description="Last day, included.")],
    by: Annotated[service.By | None, Query(description="Group by touchpoint or channel.")] = None,
) -> SupportMetricsRead:
    """First response and resolution times (median, mean; calendar and business hours) and
    reopen rate of tickets (interactions with a thread_id) opened in the period."""
    return service.metrics(db, caller.workspace_id, date_from, date_to, by)


@router.get("/workspace/calendar", response_model=CalendarSpec)
def read_calendar(caller: ApiViewer, db: DbSession) -> CalendarSpec:
    """Business hours and holidays used by support metrics and SLA clocks."""
    return service.read_calendar(db, caller.workspace_id)


@router.put("/workspace/calendar", response_model=CalendarSpec)
def update_calendar(spec: CalendarSpec, caller: ApiAdmin, db: DbSession) -> CalendarSpec:
    result = service.update_calendar(db, caller.workspace_id, spec)
    db.commit()
    return result

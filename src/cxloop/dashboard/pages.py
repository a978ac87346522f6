"""The dashboard page (/app): metric tiles, NPS trend, breakdowns and the latest comments."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from cxloop.core.deps import AppSettings, DbSession, PageViewer
from cxloop.core.web import render
from cxloop.dashboard import service
from cxloop.dashboard.service import PERIOD_DAYS

router = APIRouter()


@router.get("/app", response_class=HTMLResponse)
def dashboard(
    request: Request,
    caller: PageViewer,
    db: DbSession,
    settings: AppSettings,
    days: Annotated[int, Query(description="Look back 30, 90 or 365 days.")] = 90,
    touchpoint_id: Annotated[str | None, Query(max_length=32)] = None,
    channel: Annotated[str | None, Query(max_length=32)] = None,
) -> Response:
    view = service.build_dashboard(
        db,
        caller.workspace_id,
        days=days,
        touchpoint_id=touchpoint_id,
        channel=channel,
        settings=settings,
    )
    context = {"view": view, "period_days": PERIOD_DAYS, "trend_chart": view.trend_chart()}
    return render(request, "dashboard/index.html", context)

"""REST API of the metrics feature: NPS, CSAT and CES with n and 95% intervals."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from cxloop.core.deps import ApiViewer, DbSession
from cxloop.metrics import service
from cxloop.metrics.schemas import (
    Breakdown,
    Metric,
    MetricBreakdown,
    MetricFilters,
    MetricSummary,
    Period,
)

router = APIRouter(tags=["metrics"])


@router.get("/metrics/{metric}", response_model=MetricSummary | MetricBreakdown)
def read_metric(
    metric: Metric,
    caller: ApiViewer,
    db: DbSession,
    by: Annotated[
        Breakdown | None, Query(description="Break down by touchpoint, channel or period.")
    ] = None,
    period: Annotated[
        Period, Query(description="Bucket for by=period (UTC; weeks start Monday).")
    ] = (Period.week),
    date_from: Annotated[date | None, Query(alias="from", description="First day (UTC).")] = None,
    date_to: Annotated[date | None, Query(alias="to", description="Last day, included.")] = None,
    touchpoint_id: Annotated[str | None, Query(max_length=32)] = None,
    channel: Annotated[str | None, Query(max_length=32)] = None,
    survey_id: Annotated[str | None, Query(max_length=32)] = None,
    journey_id: Annotated[str | None, Query(max_length=32)] = None,
) -> MetricSummary | MetricBreakdown:
    """One metric overall (no ``by``) or one row per touchpoint, channel or period.

    ``value`` is NPS points, the CSAT top-2-box % or the CES % easy; csat and ces also carry
    the mean score with its t-interval. Rows below the workspace's minimum sample have
    ``insufficient: true``.
    """
    filters = MetricFilters(
        date_from=date_from,
        date_to=date_to,
        touchpoint_id=touchpoint_id,
        channel=channel,
        survey_id=survey_id,
        journey_id=journey_id,
    )
    if by is None:
        return service.metric_summary(db, caller.workspace_id, metric, filters)
    return service.metric_breakdown(db, caller.workspace_id, metric, by, period, filters)

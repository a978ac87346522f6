"""REST API of the metrics feature: NPS, CSAT, CES and response rate with n and 95% intervals."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request

from cxloop.core.deps import ApiViewer, AppSettings, DbSession
from cxloop.core.errors import Invalid
from cxloop.metrics import service
from cxloop.metrics.schemas import (
    MetricBreakdown,
    MetricFilters,
    MetricName,
    MetricSummary,
    Period,
)

router = APIRouter(tags=["metrics"])
KNOWN_PARAMS = {
    "by", "period", "from", "to", "touchpoint_id", "channel", "survey_id", "journey_id",
    "stage_id", "language", "attr", "segment_id",
}  # fmt: skip


def parse_attribute_filters(values: list[str]) -> dict[str, list[str]]:
    """['plan:pro,enterprise', 'region:eu'] → {'plan': ['pro', 'enterprise'], 'region': ['eu']}."""
    parsed: dict[str, list[str]] = {}
    for item in values:
        name, sep, rest = item.partition(":")
        accepted = [v.strip() for v in rest.split(",") if v.strip()]
        if not sep or not name.strip() or not accepted:
            message = f"'{item}' is not name:value or name:value1,value2"
            raise Invalid(f"attr: {message}", details=[{"field": "attr", "message": message}])
        parsed.setdefault(name.strip(), []).extend(accepted)
    return parsed


def _reject_unknown(request: Request) -> None:
    unknown = sorted(set(request.query_params) - KNOWN_PARAMS)
    if unknown:
        message = f"unknown filter; use {', '.join(sorted(KNOWN_PARAMS))}"
        raise Invalid(
            f"{unknown[0]}: {message}",
            details=[{"field": name, "message": message} for name in unknown],
        )


@router.get("/metrics/{metric}", response_model=MetricSummary | MetricBreakdown)
def read_metric(
    metric: MetricName,
    request: Request,
    caller: ApiViewer,
    db: DbSession,
    settings: AppSettings,
    by: Annotated[
        str | None,
        Query(
            max_length=200,
            description="One or two dimensions, comma-separated: journey, stage, touchpoint, "
            "channel, language, survey, period, attr:<name> (e.g. 'touchpoint,period').",
        ),
    ] = None,
    period: Annotated[
        Period,
        Query(
            description="Bucket for period: day, week (from Monday), month or quarter, "
            "in the workspace's time zone."
        ),
    ] = Period.week,
    date_from: Annotated[
        date | None, Query(alias="from", description="First day (workspace time).")
    ] = None,
    date_to: Annotated[date | None, Query(alias="to", description="Last day, included.")] = None,
    touchpoint_id: Annotated[str | None, Query(max_length=32)] = None,
    channel: Annotated[str | None, Query(max_length=32)] = None,
    survey_id: Annotated[str | None, Query(max_length=32)] = None,
    journey_id: Annotated[str | None, Query(max_length=32)] = None,
    stage_id: Annotated[str | None, Query(max_length=32)] = None,
    language: Annotated[str | None, Query(max_length=16)] = None,
    segment_id: Annotated[
        str | None, Query(max_length=32, description="Only the segment's contacts.")
    ] = None,
    attr: Annotated[
        list[str] | None,
        Query(
            max_length=500,
            description="Contact attribute filter name:value or name:value1,value2 (any of); "
            "repeat for several attributes (all must hold).",
        ),
    ] = None,
) -> MetricSummary | MetricBreakdown:
    """One metric overall (no ``by``) or one row per group of one or two dimensions.

    ``value`` is NPS points, the CSAT top-2-box % or the CES % easy; csat and ces also carry
    the mean score with its t-interval. For ``response_rate`` it is responses ÷ invitations
    delivered (blocked ones excluded) as a %, with ``n`` the invitations delivered, ``good``
    those answered, and dates and periods by delivery time. Rows below the workspace's minimum
    sample have ``insufficient: true``. Dates and periods are in the workspace's time zone.
    """
    _reject_unknown(request)
    filters = MetricFilters(
        date_from=date_from,
        date_to=date_to,
        touchpoint_id=touchpoint_id,
        channel=channel,
        survey_id=survey_id,
        journey_id=journey_id,
        stage_id=stage_id,
        language=language,
        attributes=parse_attribute_filters(attr or []),
        segment_id=segment_id,
    )
    if by is None:
        return service.metric_summary(db, caller.workspace_id, metric, filters, settings=settings)
    return service.metric_breakdown(
        db, caller.workspace_id, metric, by, period, filters, settings=settings
    )

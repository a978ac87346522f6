"""The dashboard, assembled from the metrics service: tiles, NPS trend, breakdowns, comments."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from cxloop.cases.metrics import case_metrics
from cxloop.cases.schemas import CaseMetricsGroup
from cxloop.comments import insights
from cxloop.comments.schemas import CommentFilters, SentimentByTouchpoint
from cxloop.core.errors import Invalid
from cxloop.core.settings import Settings
from cxloop.invitations import campaigns
from cxloop.invitations.schemas import FunnelRow
from cxloop.journeys.models import Channel
from cxloop.metrics import service as metrics
from cxloop.metrics import significance, stats
from cxloop.metrics.schemas import (
    Breakdown,
    Comment,
    Metric,
    MetricFilters,
    MetricRow,
    MetricSummary,
    Period,
    TouchpointOption,
)

PERIOD_DAYS = (30, 90, 365)
TREND_WEEKS = 52
COMMENT_LIMIT = 20
TILE_TITLES = {
    Metric.nps: "Net Promoter Score",
    Metric.csat: "Customer satisfaction",
    Metric.ces: "Customer effort",
}


@dataclass(frozen=True)
class RankedRow:
    """A breakdown row with how it compares with the overall value (by the 95% interval)."""

    row: MetricRow
    verdict: str | None  # "below" / "above" the overall value, or None when not clear


@dataclass(frozen=True)
class Change:
    """This window against the one before it: Δ in points and whether it is significant (95%)."""

    delta: float
    significant: bool
    previous: float | None

    @property
    def direction(self) -> str:
        if not self.significant:
            return "flat"
        return "up" if self.delta > 0 else "down"


def compare(metric: Metric, before: MetricSummary, now: MetricSummary) -> Change | None:
    """NPS: |ΔNPS|/√(Var₁+Var₂) > 1.96 (stats.nps_differs); CSAT/CES: two-proportion z-test.

    None when either window is below the minimum sample (no claim either way).
    """
    if before.insufficient or now.insufficient or not before.n or not now.n:
        return None
    if metric == Metric.nps:
        delta, z = stats.nps_differs(
            (before.good, before.bad, before.n), (now.good, now.bad, now.n)
        )
        return Change(delta, abs(z) > stats.Z95, before.value)
    test = significance.compare_proportions((before.good, before.n), (now.good, now.n))
    return Change(test.delta, test.significant, before.value)


@dataclass
class Dashboard:
    days: int
    touchpoint_id: str | None
    channel: str | None
    has_data: bool
    tiles: list[tuple[str, MetricSummary]] = field(default_factory=list)
    changes: dict[str, Change | None] = field(default_factory=dict)
    trend: list[MetricRow] = field(default_factory=list)
    by_touchpoint: list[RankedRow] = field(default_factory=list)
    by_channel: list[RankedRow] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)
    sentiment: list[SentimentByTouchpoint] = field(default_factory=list)
    loop: CaseMetricsGroup | None = None  # cases opened in the period
    invitations: FunnelRow | None = None  # every invitation so far (response rate)
    touchpoints: list[TouchpointOption] = field(default_factory=list)
    channels: list[str] = field(default_factory=list)

    @property
    def filtered(self) -> bool:
        return bool(self.touchpoint_id or self.channel)

    @property
    def matches(self) -> bool:
        return any(summary.n for _title, summary in self.tiles) or bool(self.comments)

    def trend_chart(self) -> dict[str, Any]:
        """Chart data for JS (dates and numbers only; weeks below the minimum are gaps)."""

        def shown(row: MetricRow, value: float | None) -> float | None:
            return None if row.insufficient else value

        return {
            "labels": [row.label for row in self.trend],
            "nps": [shown(row, row.value) for row in self.trend],
            "low": [shown(row, row.ci_low) for row in self.trend],
            "high": [shown(row, row.ci_high) for row in self.trend],
            "n": [row.n for row in self.trend],
        }


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def rank(rows: list[MetricRow], overall: float | None) -> list[RankedRow]:
    """Worst first: rows with enough responses by ascending value, then the small ones."""

    def verdict(row: MetricRow) -> str | None:
        if row.insufficient or overall is None or row.ci_low is None or row.ci_high is None:
            return None
        if row.ci_high < overall:
            return "below"
        return "above" if row.ci_low > overall else None

    ordered = sorted(rows, key=lambda r: (r.insufficient, r.value if r.value is not None else 0))
    return [RankedRow(row, verdict(row)) for row in ordered]


def _weekly_trend(
    db: Session, workspace_id: str, filters: MetricFilters, today: date, settings: Settings | None
) -> list[MetricRow]:
    start = monday(today) - timedelta(weeks=TREND_WEEKS - 1)
    window = filters.model_copy(update={"date_from": start, "date_to": today})
    found = metrics.metric_breakdown(
        db, workspace_id, Metric.nps, Breakdown.period, Period.week, window, settings=settings
    ).rows
    by_week = {row.key: row for row in found}
    rows = []
    for offset in range(TREND_WEEKS):
        week = (start + timedelta(weeks=offset)).isoformat()
        empty = MetricRow(
            key=week, label=week, value=None, n=0, ci_low=None, ci_high=None,
            insufficient=True, good=0, bad=0,
        )  # fmt: skip
        rows.append(by_week.get(week, empty))
    return rows


def build_dashboard(
    db: Session,
    workspace_id: str,
    *,
    days: int = 90,
    touchpoint_id: str | None = None,
    channel: str | None = None,
    today: date | None = None,
    settings: Settings | None = None,
) -> Dashboard:
    """Everything the dashboard page shows, for the last ``days`` days (30, 90 or 365), each
    tile compared with the ``days`` before. Days are the workspace's (its time zone)."""
    if days not in PERIOD_DAYS:
        raise Invalid(
            f"days: choose one of {', '.join(map(str, PERIOD_DAYS))}, got {days}",
            details=[{"field": "days", "message": "must be 30, 90 or 365"}],
        )
    today = today or metrics.workspace_today(db, workspace_id, datetime.now(UTC)).date()
    view = Dashboard(
        days=days,
        touchpoint_id=touchpoint_id or None,
        channel=channel or None,
        has_data=metrics.has_answers(db, workspace_id),
        touchpoints=metrics.touchpoint_options(db, workspace_id),
        channels=[c.value for c in Channel],
    )
    base = MetricFilters(touchpoint_id=view.touchpoint_id, channel=view.channel)
    metrics.check_filters(db, workspace_id, base)
    if not view.has_data:
        return view
    recent = base.model_copy(update={"date_from": today - timedelta(days=days - 1)})
    before = base.model_copy(
        update={
            "date_from": today - timedelta(days=2 * days - 1),
            "date_to": today - timedelta(days=days),
        }
    )
    for m in Metric:
        now = metrics.metric_summary(db, workspace_id, m, recent, settings=settings)
        earlier = metrics.metric_summary(db, workspace_id, m, before, settings=settings)
        view.tiles.append((TILE_TITLES[m], now))
        view.changes[m.value] = compare(m, earlier, now)
    overall_nps = view.tiles[0][1].value

    def nps_by(by: Breakdown) -> list[RankedRow]:
        rows = metrics.metric_breakdown(
            db, workspace_id, Metric.nps, by, filters=recent, settings=settings
        ).rows
        return rank(rows, overall_nps)

    view.by_touchpoint = nps_by(Breakdown.touchpoint)
    view.by_channel = nps_by(Breakdown.channel)
    view.trend = _weekly_trend(db, workspace_id, base, today, settings)
    view.comments = metrics.latest_comments(db, workspace_id, recent, COMMENT_LIMIT)
    assert recent.date_from is not None
    view.loop = case_metrics(db, workspace_id, recent.date_from, today).overall
    view.invitations = campaigns.funnel(db, workspace_id, {}).total
    view.sentiment = insights.sentiment_by_touchpoint(
        db,
        workspace_id,
        CommentFilters(
            date_from=recent.date_from, touchpoint_id=view.touchpoint_id, channel=view.channel
        ),
    )
    return view

"""Metric shapes: what is asked (metric, breakdown, period, filters) and what comes back."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, Field


class Metric(StrEnum):
    """The answer metrics: scores given in responses."""

    nps = "nps"
    csat = "csat"
    ces = "ces"


class MetricName(StrEnum):
    """Every metric the metrics API serves: the answer metrics (``Metric``) and
    ``response_rate``, responses ÷ invitations delivered (blocked ones never went out)."""

    nps = "nps"
    csat = "csat"
    ces = "ces"
    response_rate = "response_rate"


RESPONSE_RATE = MetricName.response_rate


class Breakdown(StrEnum):
    """A dimension to group by; contact attributes are ``attr:<name>`` (see ``Dimension``)."""

    journey = "journey"
    stage = "stage"
    touchpoint = "touchpoint"
    channel = "channel"
    language = "language"
    survey = "survey"
    period = "period"


class Period(StrEnum):
    day = "day"
    week = "week"
    month = "month"
    quarter = "quarter"


class MetricFilters(BaseModel):
    """Which answers count. Dates are calendar days in the workspace's time zone, both ends
    included; ``attributes`` maps a contact attribute name to the accepted values (any of)."""

    date_from: date | None = Field(None, description="First day included (workspace time).")
    date_to: date | None = Field(None, description="Last day included (workspace time).")
    survey_id: str | None = None
    touchpoint_id: str | None = None
    channel: str | None = None
    journey_id: str | None = None
    stage_id: str | None = None
    language: str | None = None
    attributes: dict[str, list[str]] = Field(default_factory=dict)
    segment_id: str | None = Field(None, description="Only answers of the segment's contacts.")


class MetricResult(BaseModel):
    """One metric value with its sample size and 95% interval.

    ``value`` is NPS points (-100..100) for nps, the top-2-box % for csat, the % "easy"
    for ces and the % of invitations delivered that got a response for response_rate; ``mean``
    (csat/ces only) is the mean score on the question's scale. ``good``/``bad`` count
    promoters/detractors (nps) or top/bottom boxes (csat, ces); for response_rate ``n`` counts
    the invitations delivered and ``good`` those answered (``bad`` is 0).
    Values are None when there is no answer; ``insufficient`` is true below the
    workspace's minimum sample, and the value should then read "not enough responses".
    """

    value: float | None
    n: int
    ci_low: float | None
    ci_high: float | None
    insufficient: bool
    good: int
    bad: int
    mean: float | None = None
    mean_ci_low: float | None = None
    mean_ci_high: float | None = None
    total: float = Field(0.0, description="Σ scores (for comparisons and re-aggregation).")
    total_sq: float = Field(0.0, description="Σ scores².")


class MetricSummary(MetricResult):
    metric: MetricName
    min_sample: int
    filters: MetricFilters


class MetricRow(MetricResult):
    """One group of a breakdown. ``key``/``label`` name the group on the first dimension
    (a touchpoint id, a channel, a period's first day, ...); ``keys``/``labels`` hold one entry
    per dimension of ``by`` (two for e.g. touchpoint and period)."""

    key: str | None
    label: str
    keys: list[str | None] = Field(default_factory=list)
    labels: list[str] = Field(default_factory=list)


class MetricBreakdown(BaseModel):
    metric: MetricName
    by: str = Field(description="The dimensions, comma-separated, e.g. 'touchpoint,period'.")
    dimensions: list[str]
    period: Period | None
    timezone: str
    engine: str = Field(description="What computed it: 'sql' or 'duckdb' (same numbers).")
    min_sample: int
    filters: MetricFilters
    rows: list[MetricRow]


class Comment(BaseModel):
    """An open-text answer with its context; ``text`` is customer text (escape it)."""

    answer_id: int
    response_id: str
    text: str
    submitted_at: datetime
    language: str
    touchpoint_id: str | None
    touchpoint_name: str | None
    channel: str | None
    score: float | None = Field(None, description="The response's NPS, else CSAT, else CES.")
    score_kind: Metric | None = None


class TouchpointOption(BaseModel):
    id: str
    name: str

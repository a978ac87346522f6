"""Metric shapes: what is asked (metric, breakdown, period, filters) and what comes back."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, Field


class Metric(StrEnum):
    nps = "nps"
    csat = "csat"
    ces = "ces"


class Breakdown(StrEnum):
    touchpoint = "touchpoint"
    channel = "channel"
    period = "period"


class Period(StrEnum):
    day = "day"
    week = "week"
    month = "month"


class MetricFilters(BaseModel):
    """Which answers count. Dates are UTC calendar days, both ends included."""

    date_from: date | None = Field(None, description="First day included (UTC).")
    date_to: date | None = Field(None, description="Last day included (UTC).")
    survey_id: str | None = None
    touchpoint_id: str | None = None
    channel: str | None = None
    journey_id: str | None = None


class MetricResult(BaseModel):
    """One metric value with its sample size and 95% interval.

    ``value`` is NPS points (-100..100) for nps, the top-2-box % for csat and the % "easy"
    for ces; ``mean`` (csat/ces only) is the mean score on the question's scale.
    ``good``/``bad`` count promoters/detractors (nps) or top/bottom boxes (csat, ces).
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


class MetricSummary(MetricResult):
    metric: Metric
    min_sample: int
    filters: MetricFilters


class MetricRow(MetricResult):
    """One group of a breakdown: a touchpoint id, a channel or a period's first day."""

    key: str | None
    label: str


class MetricBreakdown(BaseModel):
    metric: Metric
    by: Breakdown
    period: Period | None
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

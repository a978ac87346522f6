"""Alert shapes: what to watch (metric, slice, grain, condition) and what a check saw."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, computed_field, model_validator

from cxloop.metrics.schemas import MetricFilters


class AlertMetric(StrEnum):
    nps = "nps"
    csat = "csat"
    ces = "ces"
    response_count = "response_count"
    theme_share = "theme_share"
    negative_share = "negative_share"


class Grain(StrEnum):
    day = "day"
    week = "week"
    month = "month"


class Measure(StrEnum):
    share = "share"  # % top two boxes (CSAT) or % easy (CES)
    mean = "mean"  # the mean score on the question's scale (Welch's t-test)


class Compare(StrEnum):
    current = "current"  # the current period so far
    last_complete = "last_complete"


# What a value of each metric can be; thresholds outside it can never be crossed.
RANGES: dict[AlertMetric, tuple[float, float | None]] = {
    AlertMetric.nps: (-100.0, 100.0),
    AlertMetric.csat: (0.0, 100.0),
    AlertMetric.ces: (0.0, 100.0),
    AlertMetric.response_count: (0.0, None),
    AlertMetric.theme_share: (0.0, 100.0),
    AlertMetric.negative_share: (0.0, 100.0),
}
MEAN_RANGE = (0.0, 10.0)
THRESHOLD_KINDS = ("below", "above")


def unit_of(metric: AlertMetric, measure: Measure = Measure.share) -> str:
    """How values read: 'points' (NPS), 'count', 'percent' or 'mean'."""
    if metric == AlertMetric.nps:
        return "points"
    if metric == AlertMetric.response_count:
        return "count"
    return "mean" if measure == Measure.mean else "percent"


class AlertFilters(BaseModel):
    """The slice, in the metrics engine's filter vocabulary (without dates: the period sets
    them); ``attributes`` maps a contact attribute to accepted values."""

    model_config = ConfigDict(extra="forbid")
    survey_id: str | None = Field(None, max_length=32)
    touchpoint_id: str | None = Field(None, max_length=32)
    channel: str | None = Field(None, max_length=32)
    journey_id: str | None = Field(None, max_length=32)
    stage_id: str | None = Field(None, max_length=32)
    language: str | None = Field(None, max_length=16)
    attributes: dict[str, list[str]] = Field(default_factory=dict)
    segment_id: str | None = Field(None, max_length=32)

    def metric_filters(self, date_from: date, date_to: date) -> MetricFilters:
        return MetricFilters(date_from=date_from, date_to=date_to, **self.model_dump())


class Condition(BaseModel):
    """``below``/``above`` a value, or a significant drop/rise against the previous period."""

    model_config = ConfigDict(extra="forbid")
    kind: Literal["below", "above", "significant_drop", "significant_rise"]
    value: float | None = None

    @model_validator(mode="after")
    def _value(self) -> Condition:
        if self.kind in THRESHOLD_KINDS and self.value is None:
            raise ValueError(f"a '{self.kind}' condition needs a value")
        if self.kind not in THRESHOLD_KINDS and self.value is not None:
            raise ValueError(f"a '{self.kind}' condition takes no value")
        return self


class AlertCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=200)
    metric: AlertMetric
    measure: Measure = Field(Measure.share, description="csat/ces: 'share' or 'mean'.")
    theme_key: str | None = Field(None, max_length=64)
    filters: AlertFilters = Field(default_factory=AlertFilters)
    grain: Grain = Grain.week
    condition: Condition
    min_n: int | None = Field(None, ge=1, le=1_000_000, description="Default: workspace's.")
    compare: Compare = Compare.current
    notify: list[str] = Field(default_factory=list, max_length=50)
    active: bool = True
    owner_id: str | None = Field(None, max_length=32)

    @model_validator(mode="after")
    def _consistent(self) -> AlertCreate:
        if self.metric == AlertMetric.theme_share and not (self.theme_key or "").strip():
            raise ValueError("theme_key: give the theme to watch for the theme_share metric")
        if self.metric != AlertMetric.theme_share and self.theme_key:
            raise ValueError("theme_key: only the theme_share metric watches a theme")
        if self.measure == Measure.mean and self.metric not in (AlertMetric.csat, AlertMetric.ces):
            raise ValueError("measure: only csat and ces have a mean; use 'share'")
        value = self.condition.value
        if value is not None:
            low, high = MEAN_RANGE if self.measure == Measure.mean else RANGES[self.metric]
            if value < low or (high is not None and value > high):
                span = f"{low:g} to {high:g}" if high is not None else f"at least {low:g}"
                raise ValueError(
                    f"condition.value: {value:g} is outside the range of {self.metric.value}"
                    f" ({span})"
                )
        return self


class AlertUpdate(BaseModel):
    """Fields to change; the result is checked as a whole."""

    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(None, min_length=1, max_length=200)
    metric: AlertMetric | None = None
    measure: Measure | None = None
    theme_key: str | None = Field(None, max_length=64)
    filters: AlertFilters | None = None
    grain: Grain | None = None
    condition: Condition | None = None
    min_n: int | None = Field(None, ge=1, le=1_000_000)
    compare: Compare | None = None
    notify: list[str] | None = Field(None, max_length=50)
    active: bool | None = None
    owner_id: str | None = Field(None, max_length=32)


class AlertRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: str
    name: str
    metric: AlertMetric
    measure: Measure
    theme_key: str | None
    filters: AlertFilters
    grain: Grain
    condition: Condition
    min_n: int | None
    compare: Compare
    notify: list[str]
    active: bool
    owner_id: str | None
    created_at: datetime
    updated_at: datetime
    last_checked_at: datetime | None
    last_value: float | None
    last_n: int | None
    last_reason: str
    last_fired_at: datetime | None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def unit(self) -> str:
        return unit_of(self.metric, self.measure)


class FiringRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: str
    alert_id: str
    period_start: date
    period_end: date
    fingerprint: str
    condition: Condition
    value: float
    previous_value: float | None
    delta: float | None
    n: int
    previous_n: int | None
    p_value: float | None
    threshold: float | None
    message: str
    created_at: datetime


class Check(BaseModel):
    """What one evaluation saw and why it fired or not (``reason`` is a sentence)."""

    alert_id: str
    evaluated_at: datetime
    metric: AlertMetric
    unit: str = Field(description="points (NPS), count, percent or mean.")
    period: str = Field(description="e.g. 'this week' or 'last month'.")
    period_start: date
    period_end: date
    previous_start: date
    previous_end: date
    value: float | None
    n: int
    previous_value: float | None
    previous_n: int
    delta: float | None
    p_value: float | None
    significant: bool | None
    threshold: float | None
    min_n: int
    condition_met: bool
    fired: bool
    firing_id: str | None
    reason: str

"""Support metric shapes."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel


class DurationRead(BaseModel):
    n: int
    open: int
    invalid: int
    median_hours: float | None
    mean_hours: float | None
    business_median_hours: float | None
    business_mean_hours: float | None


class SupportGroup(BaseModel):
    key: str | None
    label: str
    tickets: int
    first_response: DurationRead
    resolution: DurationRead
    solved: int
    reopened: int
    reopen_rate: float | None


class SupportMetricsRead(BaseModel):
    date_from: date
    date_to: date
    by: Literal["touchpoint", "channel"] | None
    overall: SupportGroup
    groups: list[SupportGroup]

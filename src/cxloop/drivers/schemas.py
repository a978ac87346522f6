"""Key driver shapes: what explains an outcome (NPS, CSAT), with intervals and quadrants."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel


class DriverRead(BaseModel):
    key: str
    label: str
    importance_pct: float
    importance_low: float
    importance_high: float
    shapley_pct: float
    shapley_low: float
    shapley_high: float
    correlation: float
    mean: float
    top2_pct: float | None
    quadrant: str


class KeyDriversRead(BaseModel):
    survey_id: str
    outcome: str
    date_from: date | None
    date_to: date | None
    n: int
    n_dropped: int
    r2: float
    r2_low: float
    r2_high: float
    bootstrap: int
    importance_split: float
    performance_split: float
    drivers: list[DriverRead]

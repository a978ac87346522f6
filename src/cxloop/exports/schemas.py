"""Export shapes: what is asked (responses or a breakdown, a format, filters) and its state."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from cxloop.metrics.schemas import Metric, MetricFilters, Period


class ExportFormat(StrEnum):
    csv = "csv"
    xlsx = "xlsx"
    parquet = "parquet"


class Layout(StrEnum):
    long = "long"
    wide = "wide"


class ExportStatus(StrEnum):
    queued = "queued"
    running = "running"
    done = "done"
    failed = "failed"


class ResponseFilters(BaseModel):
    """Which responses are exported. Dates are calendar days in the workspace's time zone,
    both ends included."""

    model_config = ConfigDict(extra="forbid")

    survey_id: str | None = Field(None, max_length=32)
    touchpoint_id: str | None = Field(None, max_length=32)
    channel: str | None = Field(None, max_length=32)
    language: str | None = Field(None, max_length=16)
    date_from: date | None = Field(None, description="First day included (workspace time).")
    date_to: date | None = Field(None, description="Last day included (workspace time).")


class ResponsesExportCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["responses"]
    format: ExportFormat
    layout: Layout = Field(
        Layout.long,
        description="long: one row per answer; wide: one row per response, a column per "
        "question key and per hidden field (hidden.<name>).",
    )
    filters: ResponseFilters = Field(default_factory=ResponseFilters)
    excel: bool = Field(
        False, description="CSV only: UTF-8 with a byte order mark, formulas neutralised."
    )


class BreakdownExportCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["breakdown"]
    format: ExportFormat
    metric: Metric
    by: str = Field(max_length=200, description="One or two dimensions, e.g. 'touchpoint,period'.")
    period: Period = Period.week
    filters: MetricFilters = Field(default_factory=MetricFilters)
    excel: bool = False


ExportCreate = Annotated[ResponsesExportCreate | BreakdownExportCreate, Field(discriminator="kind")]


class ExportRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    kind: str
    format: str
    layout: str | None
    params: dict[str, object]
    status: ExportStatus
    rows_done: int
    rows_total: int | None
    progress: float = Field(description="Percent done, 0..100.")
    file_name: str | None = Field(description="Download name, once done.")
    size_bytes: int | None
    error: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    download_url: str | None = Field(description="GET it for the file, once done.")


class ExportOutcome(BaseModel):
    rows: int
    size_bytes: int

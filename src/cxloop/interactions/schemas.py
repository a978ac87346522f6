"""Pydantic shapes and small result types of the interactions feature."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from cxloop.contacts.validation import AttributeValue, check_properties
from cxloop.interactions.models import InteractionKind
from cxloop.journeys.models import Channel

MAX_TEXT = 20_000


class InteractionCreate(BaseModel):
    """One event. The contact is named by `contact_id`, or by `contact_external_id` and/or
    `contact_email` (created when missing); the touchpoint by `touchpoint_id` or `touchpoint_key`.
    """

    model_config = ConfigDict(extra="forbid")

    kind: InteractionKind
    occurred_at: datetime | None = Field(None, description="When it happened; default: now.")
    contact_id: str | None = None
    contact_external_id: str | None = Field(None, min_length=1, max_length=200)
    contact_email: str | None = Field(None, max_length=320)
    contact_name: str | None = Field(None, max_length=200, description="Used for a new contact.")
    touchpoint_id: str | None = None
    touchpoint_key: str | None = Field(None, min_length=1, max_length=120)
    channel: Channel | None = Field(None, description="Default: the touchpoint's channel.")
    external_id: str | None = Field(
        None, min_length=1, max_length=200, description="Your id; sending it again stores one."
    )
    thread_id: str | None = Field(None, max_length=200, description="Ticket, chat or order id.")
    text: str | None = Field(None, max_length=MAX_TEXT)
    value: float | None = Field(None, allow_inf_nan=False, description="Amount, rating, ...")
    properties: dict[str, AttributeValue] = Field(default_factory=dict)

    @field_validator("properties", mode="before")
    @classmethod
    def _properties(cls, value: object) -> object:
        return check_properties(value)

    @model_validator(mode="after")
    def _has_contact(self) -> InteractionCreate:
        if not (self.contact_id or self.contact_external_id or self.contact_email):
            raise ValueError("give contact_id, contact_external_id or contact_email")
        return self


class InteractionBatch(BaseModel):
    items: list[Any] = Field(
        description="Up to 1,000 objects shaped like the body of POST /interactions. "
        "All or nothing: one bad item stores none, and the error lists every bad item."
    )


class InteractionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    contact_id: str
    touchpoint_id: str | None
    channel: str | None
    kind: str
    occurred_at: datetime
    external_id: str | None
    thread_id: str | None
    text: str | None
    value: float | None
    properties: dict[str, Any]
    created_at: datetime


class BatchResult(BaseModel):
    created: int = Field(description="Items stored now.")
    duplicates: int = Field(description="Items whose external_id was already stored.")
    ids: list[str] = Field(description="The interaction id of every item, in order.")


class RejectedRow(BaseModel):
    line: int
    message: str


class ImportReportRead(BaseModel):
    accepted: int = Field(description="Good rows, including rows already imported before.")
    duplicates: int = Field(description="Good rows whose external_id was already stored.")
    rejected: list[RejectedRow]


@dataclass
class ImportReport:
    """Outcome of a CSV import: good rows are stored, bad rows listed with their line number."""

    accepted: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)
    duplicates: int = 0

    def to_read(self) -> ImportReportRead:
        return ImportReportRead(
            accepted=self.accepted,
            duplicates=self.duplicates,
            rejected=[RejectedRow(line=line, message=msg) for line, msg in self.rejected],
        )


@dataclass(frozen=True)
class TimelineEntry:
    """One interaction on a contact's timeline, with its touchpoint's names."""

    id: str
    kind: str
    channel: str | None
    occurred_at: datetime
    text: str | None
    value: float | None
    thread_id: str | None
    external_id: str | None
    properties: dict[str, Any]
    touchpoint_id: str | None
    touchpoint_name: str | None
    stage_name: str | None
    journey_name: str | None


class TimelineItem(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    kind: str
    channel: str | None
    occurred_at: datetime
    text: str | None
    value: float | None
    thread_id: str | None
    external_id: str | None
    properties: dict[str, Any]
    touchpoint_id: str | None
    touchpoint_name: str | None
    stage_name: str | None
    journey_name: str | None


@dataclass(frozen=True)
class NewInteraction:
    """A row for record_interactions (already checked by the caller, e.g. response ingestion)."""

    contact_id: str
    kind: InteractionKind | str
    occurred_at: datetime
    touchpoint_id: str | None = None
    channel: str | None = None
    text: str | None = None
    value: float | None = None
    external_id: str | None = None
    thread_id: str | None = None
    properties: dict[str, Any] = field(default_factory=dict)

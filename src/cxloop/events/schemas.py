"""Pydantic shapes of survey triggers and of the event API."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from cxloop.contacts.validation import AttributeValue, check_attributes, check_properties
from cxloop.events.models import TriggerChannel
from cxloop.interactions.models import InteractionKind
from cxloop.journeys.models import Channel

EVENT_NAME = r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,119}$"
Scalar = str | int | float | bool


class Condition(BaseModel):
    """One test on an event property: `eq` one value, or `in` a list of values."""

    model_config = ConfigDict(extra="forbid")

    property: str = Field(min_length=1, max_length=64)
    op: Literal["eq", "in"] = "eq"
    value: Scalar | list[Scalar]

    @model_validator(mode="after")
    def _shape(self) -> Condition:
        if self.op == "in" and not isinstance(self.value, list):
            raise ValueError(f"{self.property}: 'in' needs a list of values")
        if self.op == "eq" and isinstance(self.value, list):
            raise ValueError(f"{self.property}: 'eq' needs one value; use 'in' for a list")
        return self


class TriggerWrite(BaseModel):
    """A trigger fires on an event name and/or a touchpoint (by id or key)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field("", max_length=200)
    event: str | None = Field(None, pattern=EVENT_NAME, description="e.g. checkout_completed")
    touchpoint_id: str | None = None
    touchpoint_key: str | None = Field(None, min_length=1, max_length=120)
    survey_id: str
    channel: TriggerChannel
    delay_seconds: int = Field(
        0, ge=0, le=90 * 86400, description="Wait before offering; widget: on the page."
    )
    sample_percent: float = Field(100.0, ge=0, le=100)
    conditions: list[Condition] = Field(default_factory=list, max_length=20)
    active: bool = True

    @model_validator(mode="after")
    def _needs_a_match(self) -> TriggerWrite:
        if not (self.event or self.touchpoint_id or self.touchpoint_key):
            raise ValueError("give an event name, a touchpoint_id or a touchpoint_key")
        return self


class TriggerUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, max_length=200)
    event: str | None = Field(None, pattern=EVENT_NAME)
    touchpoint_id: str | None = None
    touchpoint_key: str | None = Field(None, min_length=1, max_length=120)
    survey_id: str | None = None
    channel: TriggerChannel | None = None
    delay_seconds: int | None = Field(None, ge=0, le=90 * 86400)
    sample_percent: float | None = Field(None, ge=0, le=100)
    conditions: list[Condition] | None = Field(None, max_length=20)
    active: bool | None = None


class TriggerRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    name: str
    event: str | None
    touchpoint_id: str | None
    survey_id: str
    channel: str
    delay_seconds: int
    sample_percent: float
    conditions: list[dict[str, Any]]
    active: bool
    created_at: datetime


class EventContact(BaseModel):
    """Who did it: at least one of email, phone or external_id."""

    model_config = ConfigDict(extra="forbid")

    email: str | None = Field(None, max_length=320)
    phone: str | None = Field(None, min_length=3, max_length=40)
    external_id: str | None = Field(None, min_length=1, max_length=200)
    name: str | None = Field(None, max_length=200)
    language: str | None = Field(None, max_length=16)
    attributes: dict[str, AttributeValue] = Field(default_factory=dict)

    @field_validator("attributes", mode="before")
    @classmethod
    def _attributes(cls, value: object) -> object:
        return {} if value is None else check_attributes(value)

    @model_validator(mode="after")
    def _identified(self) -> EventContact:
        if not (self.email or self.phone or self.external_id):
            raise ValueError("give the contact's email, phone or external_id")
        return self


class EventCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    contact: EventContact
    event: str | None = Field(None, pattern=EVENT_NAME, description="e.g. checkout_completed")
    touchpoint: str | None = Field(
        None, min_length=1, max_length=120, description="A touchpoint key; default: the event."
    )
    kind: InteractionKind = Field(
        InteractionKind.visit, description="The interaction kind recorded (default visit)."
    )
    channel: Channel | None = Field(None, description="Default: the touchpoint's channel.")
    properties: dict[str, AttributeValue] = Field(default_factory=dict)
    occurred_at: datetime | None = Field(None, description="Default: now.")
    idempotency_key: str | None = Field(
        None, min_length=1, max_length=180, description="Sending it again records one event."
    )

    @field_validator("properties", mode="before")
    @classmethod
    def _properties(cls, value: object) -> object:
        return check_properties(value)

    @model_validator(mode="after")
    def _named(self) -> EventCreate:
        if not (self.event or self.touchpoint):
            raise ValueError("give an event name or a touchpoint key")
        return self


class EventBatch(BaseModel):
    items: list[EventCreate] = Field(min_length=1, max_length=100)


class FiringRead(BaseModel):
    """What one matching trigger did."""

    model_config = ConfigDict(from_attributes=True)

    trigger_id: str
    survey_id: str
    channel: str
    outcome: str = Field(description="offered | blocked | scheduled | sampled_out | ...")
    invitation_id: str | None = None
    rule: str | None = Field(None, description="The governance rule that blocked it.")
    reason: str = ""
    run_after: datetime | None = None
    url: str | None = Field(None, description="The personal survey link (channel link).")


class EventResult(BaseModel):
    interaction_id: str
    contact_id: str
    touchpoint_id: str | None
    duplicate: bool = Field(description="True when the idempotency key was seen before.")
    flagged: bool = Field(description="True when the touchpoint is unknown.")
    warnings: list[str]
    triggers_matched: int
    triggers: list[FiringRead]


class EventBatchResult(BaseModel):
    items: list[EventResult]

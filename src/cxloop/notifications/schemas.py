"""Shapes of webhook endpoints and of the delivery log."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from cxloop.jobs.schemas import AttemptRead

EVENT_TYPE = re.compile(r"^[a-z0-9_]+(\.[a-z0-9_*]+)*$")
KNOWN_EVENTS = (
    "response.submitted",
    "interaction.created",
    "comment.analyzed",
    "alert.fired",
    "case.status_changed",
    "case.sla_breached",
    "rule.matched",
)
Kind = Literal["standard", "slack"]
Channel = Literal["email", "webhook"]
STATUSES = ("queued", "retrying", "sent", "failed", "skipped")


def check_url(value: str) -> str:
    """An absolute http(s) URL with a host; the message says what is wrong."""
    value = value.strip()
    scheme, sep, rest = value.partition("://")
    if not sep or scheme.lower() not in ("http", "https"):
        raise ValueError("must be an http:// or https:// URL")
    host = rest.split("/", 1)[0].split("?", 1)[0].rsplit("@", 1)[-1]
    if not host or host.startswith(":") or any(c.isspace() for c in value):
        raise ValueError("must be an http:// or https:// URL with a host name")
    return value


def check_event_types(values: list[str]) -> list[str]:
    cleaned: list[str] = []
    for value in values:
        value = value.strip()
        if not EVENT_TYPE.match(value) or len(value) > 100:
            raise ValueError(f"'{value}' is not an event type such as 'alert.fired'")
        if value not in cleaned:
            cleaned.append(value)
    return cleaned


class EndpointCreate(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    url: str = Field(max_length=2000, description="http:// or https:// address to POST to")
    kind: Kind = Field("standard", description="`standard` (signed JSON) or `slack`")
    event_types: list[str] = Field(
        default_factory=list, description="Events to send; empty: every event"
    )
    active: bool = True

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        return check_url(value)

    @field_validator("event_types")
    @classmethod
    def _events(cls, value: list[str]) -> list[str]:
        return check_event_types(value)


class EndpointUpdate(BaseModel):
    name: str | None = Field(None, min_length=1, max_length=200)
    url: str | None = Field(None, max_length=2000)
    kind: Kind | None = None
    event_types: list[str] | None = None
    active: bool | None = None

    @field_validator("url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        return None if value is None else check_url(value)

    @field_validator("event_types")
    @classmethod
    def _events(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else check_event_types(value)


class EndpointRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    name: str
    url: str
    kind: str
    event_types: list[str]
    active: bool
    deactivated_reason: str | None
    created_at: datetime
    updated_at: datetime


class EndpointWithSecret(EndpointRead):
    secret: str = Field(description="Shown only now: verify signatures with it")


class TestQueued(BaseModel):
    job_id: int
    delivery_id: str


class DeliveryRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    job_id: int
    channel: str
    target: str
    endpoint_id: str | None
    event_type: str | None
    subject: str | None
    purpose: str | None
    reference: str | None
    status: str
    attempts: int
    last_error: str | None
    response_status: int | None
    message_id: str | None
    created_at: datetime
    updated_at: datetime
    sent_at: datetime | None
    attempt_log: list[AttemptRead] = []


class DeliveryPage(BaseModel):
    items: list[DeliveryRead]
    total: int
    limit: int
    offset: int

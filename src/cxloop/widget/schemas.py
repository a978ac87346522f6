"""Pydantic shapes of the widget: its settings, and what the embedded script sends."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, JsonValue

from cxloop.contacts.validation import AttributeValue
from cxloop.events.schemas import EVENT_NAME


class WidgetRead(BaseModel):
    key: str = Field(description="Public widget key (not a secret); rotate it to revoke.")
    allowed_origins: list[str]
    script_url: str
    snippet: str = Field(description="The one tag to paste into a website.")
    rotated_at: datetime | None


class OriginsWrite(BaseModel):
    model_config = ConfigDict(extra="forbid")

    allowed_origins: list[str] = Field(
        max_length=50, description='Sites that may embed the widget, e.g. "https://shop.example".'
    )


class Visitor(BaseModel):
    """Who the page says the visitor is (``cxloop('identify', ...)``)."""

    model_config = ConfigDict(extra="ignore")

    email: str | None = Field(None, max_length=320)
    external_id: str | None = Field(None, min_length=1, max_length=200)
    language: str | None = Field(None, max_length=35)


class TrackBody(BaseModel):
    model_config = ConfigDict(extra="ignore")

    event: str = Field(pattern=EVENT_NAME)
    visitor: Visitor
    properties: dict[str, AttributeValue] = Field(default_factory=dict)
    languages: list[str] = Field(default_factory=list, max_length=10, description="navigator")


class AnswerBody(BaseModel):
    model_config = ConfigDict(extra="ignore")

    prompt: str = Field(min_length=1, max_length=64)
    answers: dict[str, JsonValue]


class SeenBody(BaseModel):
    model_config = ConfigDict(extra="ignore")

    prompt: str = Field(min_length=1, max_length=64)

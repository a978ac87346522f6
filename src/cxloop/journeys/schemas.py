"""Pydantic shapes of the journeys feature."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator

from cxloop.journeys.models import Channel

KEY_PATTERN = r"^[a-z0-9][a-z0-9_.-]{0,119}$"


class JourneyTemplate(StrEnum):
    purchase = "purchase"
    five_es = "five_es"


TEMPLATE_STAGES: dict[JourneyTemplate, tuple[str, ...]] = {
    JourneyTemplate.purchase: ("Before purchase", "During purchase", "After purchase"),
    JourneyTemplate.five_es: ("Entice", "Enter", "Engage", "Exit", "Extend"),
}


class JourneyCreate(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    description: str = Field("", max_length=5000)
    template: JourneyTemplate | None = Field(
        None, description="Start with the stages of a template: purchase or five_es."
    )


class JourneyUpdate(BaseModel):
    name: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = Field(None, max_length=5000)


class StageCreate(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    position: int | None = Field(
        None, ge=0, description="0-based place among the stages; default: at the end."
    )


class StageUpdate(BaseModel):
    name: str | None = Field(None, min_length=1, max_length=200)
    position: int | None = Field(None, ge=0, description="Move the stage to this 0-based place.")


class StageOrder(BaseModel):
    stage_ids: list[str] = Field(description="Every stage of the journey, in the new order.")


class TouchpointCreate(BaseModel):
    stage_id: str
    name: str = Field(min_length=1, max_length=200)
    channel: Channel
    key: str | None = Field(
        None,
        pattern=KEY_PATTERN,
        description="Slug unique in the workspace that integrations use, e.g. 'checkout-web'.",
    )
    description: str = Field("", max_length=5000)


class TouchpointUpdate(BaseModel):
    stage_id: str | None = None
    name: str | None = Field(None, min_length=1, max_length=200)
    channel: Channel | None = None
    key: str | None = Field(None, pattern=KEY_PATTERN)
    description: str | None = Field(None, max_length=5000)


class StageRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    journey_id: str
    name: str
    position: int
    created_at: datetime


class JourneyRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    name: str
    description: str
    created_at: datetime


class JourneyDetail(JourneyRead):
    stages: list[StageRead]


class TouchpointRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    stage_id: str
    name: str
    key: str | None
    channel: Channel
    description: str
    created_at: datetime

    @field_validator("key", mode="before")
    @classmethod
    def _empty_key_is_none(cls, value: str | None) -> str | None:
        return value or None


class TouchpointDetail(TouchpointRead):
    stage_name: str
    journey_id: str
    journey_name: str


@dataclass(frozen=True)
class TouchpointInfo:
    """A touchpoint with the names of its stage and journey (for other features and pages)."""

    id: str
    name: str
    key: str | None
    channel: str
    description: str
    created_at: datetime
    stage_id: str
    stage_name: str
    stage_position: int
    journey_id: str
    journey_name: str

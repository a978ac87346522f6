"""Segment shapes: a definition is conditions joined by all (and) or any (or)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from cxloop.contacts.validation import ATTRIBUTE_NAME
from cxloop.interactions.models import InteractionKind

Scalar = str | int | float | bool


class AttributeCondition(BaseModel):
    """A contact attribute compared with a value, e.g. plan = pro, orders >= 3."""

    model_config = ConfigDict(extra="forbid")

    field: Literal["attribute"]
    key: str
    op: Literal["eq", "ne", "in", "not_in", "gt", "gte", "lt", "lte", "exists", "missing"]
    value: Scalar | list[Scalar] | None = None

    @field_validator("key")
    @classmethod
    def _key(cls, key: str) -> str:
        if not ATTRIBUTE_NAME.match(key):
            raise ValueError(f"'{key}' is not an attribute name")
        return key


class LanguageCondition(BaseModel):
    model_config = ConfigDict(extra="forbid")

    field: Literal["language"]
    op: Literal["eq", "in", "ne"]
    value: str | list[str]


class InteractionCondition(BaseModel):
    """Behaviour: the contact had (or had not) interactions of some kinds recently."""

    model_config = ConfigDict(extra="forbid")

    field: Literal["interaction"]
    kinds: list[InteractionKind] = Field(min_length=1)
    within_days: int | None = Field(None, ge=1, le=3650)
    touchpoint_id: str | None = None
    min_count: int = Field(1, ge=1)
    negate: bool = Field(False, description="True: contacts WITHOUT such interactions.")


class ScoreCondition(BaseModel):
    """Survey behaviour: the contact gave an NPS/CSAT/CES answer compared with a value."""

    model_config = ConfigDict(extra="forbid")

    field: Literal["score"]
    metric: Literal["nps", "csat", "ces"]
    op: Literal["eq", "gt", "gte", "lt", "lte"]
    value: float
    within_days: int | None = Field(None, ge=1, le=3650)


Condition = Annotated[
    AttributeCondition | LanguageCondition | InteractionCondition | ScoreCondition,
    Field(discriminator="field"),
]


class SegmentDefinition(BaseModel):
    model_config = ConfigDict(extra="forbid")

    match: Literal["all", "any"] = "all"
    conditions: list[Condition] = Field(min_length=1, max_length=20)


class SegmentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    kind: Literal["segment", "persona"] = "segment"
    description: str = Field("", max_length=4000)
    definition: SegmentDefinition


class SegmentUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = Field(None, max_length=4000)
    definition: SegmentDefinition | None = None


class SegmentRead(BaseModel):
    id: str
    name: str
    kind: str
    description: str
    definition: SegmentDefinition
    members: int
    created_at: datetime

"""Pydantic shapes of rules, their versions, runs, previews and record tags."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Trigger = Literal[
    "response.submitted",
    "interaction.created",
    "comment.analyzed",
    "alert.fired",
    "case.status_changed",
    "case.sla_breached",
]
Outcome = Literal["matched", "not_matched", "error"]


class RuleCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    trigger: Trigger = "response.submitted"
    active: bool = True
    conditions: dict[str, Any] = Field(
        description='A tree of {"all": [...]}, {"any": [...]}, {"not": {...}} and leaves '
        '{"field": "nps", "op": "lte", "value": 6}.'
    )
    actions: list[dict[str, Any]] = Field(min_length=1, max_length=20)


class RuleUpdate(BaseModel):
    """Changing name, trigger, conditions or actions writes a new version; `active` does not."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, min_length=1, max_length=200)
    trigger: Trigger | None = None
    active: bool | None = None
    conditions: dict[str, Any] | None = None
    actions: list[dict[str, Any]] | None = Field(None, min_length=1, max_length=20)


class RuleRead(BaseModel):
    id: str
    name: str
    trigger: str
    active: bool
    version: int
    conditions: dict[str, Any]
    actions: list[dict[str, Any]]
    created_by: str | None
    created_at: datetime
    updated_at: datetime
    matches: int = Field(0, description="Runs that matched, all versions.")
    last_run_at: datetime | None = None


class RuleVersionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    number: int
    name: str
    trigger: str
    conditions: dict[str, Any]
    actions: list[dict[str, Any]]
    created_by: str | None
    created_at: datetime


class RuleRunRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    rule_id: str
    version: int
    version_id: str
    trigger: str
    subject_id: str
    outcome: str
    actions: list[dict[str, Any]]
    error: str | None
    job_id: int | None
    created_at: datetime


class RuleRunPage(BaseModel):
    items: list[RuleRunRead]
    total: int
    limit: int
    offset: int


class PreviewRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    trigger: Trigger = "response.submitted"
    conditions: dict[str, Any]


class PreviewMatch(BaseModel):
    id: str
    summary: str


class PreviewRead(BaseModel):
    trigger: str
    evaluated: int = Field(description="How many recent subjects were tested (at most 100).")
    matched: int
    matches: list[PreviewMatch]
    errors: int = 0


class TagRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    subject_kind: str
    subject_id: str
    tag: str
    rule_id: str | None
    created_at: datetime

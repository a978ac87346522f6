"""Pydantic shapes of cases, teams, root causes, SLA policy and case metrics."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from cxloop.comments.schemas import CommentRead
from cxloop.interactions.schemas import TimelineItem
from cxloop.responses.schemas import ResponseRead

Priority = Literal["low", "normal", "high", "urgent"]
Status = Literal["new", "open", "waiting_on_customer", "resolved", "closed", "reopened"]
OwnerStrategy = Literal["fixed", "round_robin", "unit_manager", "none"]
PRIORITIES: tuple[Priority, ...] = ("low", "normal", "high", "urgent")


class CaseCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=300)
    priority: Priority = "normal"
    contact_id: str | None = None
    response_id: str | None = None
    comment_id: int | None = None
    touchpoint_id: str | None = None
    source_key: str | None = Field(
        None, min_length=1, max_length=200, description="Opening twice with it returns one case."
    )
    owner_strategy: OwnerStrategy = Field(
        "fixed",
        description="fixed (owner_id), round_robin (within team_id), unit_manager (the manager "
        "of the team whose unit is the contact's unit attribute), none.",
    )
    owner_id: str | None = None
    team_id: str | None = None
    unit_attribute: str = Field(
        "unit", min_length=1, max_length=64, description="unit_manager: the contact attribute."
    )


class CaseUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str | None = Field(None, min_length=1, max_length=300)
    priority: Priority | None = None
    owner_id: str | None = None
    team_id: str | None = None


class Transition(BaseModel):
    model_config = ConfigDict(extra="forbid")

    to: Status
    root_cause_id: str | None = Field(None, description="Required to resolve.")
    resolution: str | None = Field(None, max_length=10000, description="Required to resolve.")
    reason: str | None = Field(None, max_length=2000)
    resurvey: bool = Field(False, description="On closing: offer the customer a re-survey.")
    resurvey_survey_id: str | None = Field(
        None, description="The survey to re-send; default: the survey of the case's response."
    )


class NoteCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    body: str = Field(min_length=1, max_length=20000)


class ClockRead(BaseModel):
    due_at: datetime
    target_hours: float
    remaining_business_seconds: float = Field(description="Negative once breached.")
    running: bool
    met: bool | None = Field(description="Set once the clock has stopped for good.")
    breached: bool


class CaseRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    number: int
    title: str
    status: str
    priority: str
    owner_id: str | None
    team_id: str | None
    contact_id: str | None
    response_id: str | None
    comment_id: int | None
    touchpoint_id: str | None
    source_key: str | None
    root_cause_id: str | None
    resolution: str | None
    opened_at: datetime
    first_action_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    first_action_due: datetime
    resolution_due: datetime
    reopened_count: int
    resurvey_survey_id: str | None = None
    resurvey_invitation_id: str | None = None
    resurvey_sent_at: datetime | None = None
    resurvey_blocked_reason: str | None = None
    resurvey_response_id: str | None = None
    first_action_clock: ClockRead | None = None
    resolution_clock: ClockRead | None = None
    breached: bool = False


class CaseEventRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    actor: str
    data: dict[str, Any]
    created_at: datetime


class CaseNoteRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    body: str
    status: str = Field(description="internal | outbox | queued | sent | failed | blocked")
    actor: str
    created_at: datetime
    delivery_job_id: int | None = None
    delivery_error: str | None = None


class CaseContext(BaseModel):
    """What the agent needs to know about the customer."""

    response: ResponseRead | None = None
    comments: list[CommentRead] = []
    earlier_responses: list[ResponseRead] = []
    interactions: list[TimelineItem] = []
    earlier_cases: list[CaseRead] = []


class CaseDetail(CaseRead):
    events: list[CaseEventRead] = []
    notes: list[CaseNoteRead] = []
    context: CaseContext = CaseContext()


class CasePage(BaseModel):
    items: list[CaseRead]
    total: int
    limit: int
    offset: int


class TeamWrite(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    unit: str | None = Field(
        None, min_length=1, max_length=200, description="The store, region ... the team serves."
    )
    manager_id: str | None = None
    member_ids: list[str] = Field(default_factory=list, max_length=500)


class TeamUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, min_length=1, max_length=200)
    unit: str | None = Field(None, min_length=1, max_length=200)
    manager_id: str | None = None
    member_ids: list[str] | None = Field(None, max_length=500)


class TeamRead(BaseModel):
    id: str
    name: str
    unit: str | None = None
    manager_id: str | None
    member_ids: list[str]


class RootCauseCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    description: str = Field("", max_length=2000)
    obstacle: bool = Field(False, description="A policy or process obstacle.")


class RootCauseUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = Field(None, max_length=2000)
    obstacle: bool | None = None
    active: bool | None = None


class RootCauseRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    name: str
    description: str
    obstacle: bool
    active: bool


class ObstacleRead(BaseModel):
    root_cause_id: str
    name: str
    cases: int


class SlaTargetWrite(BaseModel):
    model_config = ConfigDict(extra="forbid")

    first_action_hours: float = Field(gt=0, le=10000)
    resolution_hours: float = Field(gt=0, le=100000)


class SlaPolicy(BaseModel):
    """Business hours per priority: first action within, resolution within."""

    model_config = ConfigDict(extra="forbid")

    low: SlaTargetWrite = SlaTargetWrite(first_action_hours=24, resolution_hours=80)
    normal: SlaTargetWrite = SlaTargetWrite(first_action_hours=8, resolution_hours=40)
    high: SlaTargetWrite = SlaTargetWrite(first_action_hours=4, resolution_hours=24)
    urgent: SlaTargetWrite = SlaTargetWrite(first_action_hours=1, resolution_hours=8)


class CaseMetricsGroup(BaseModel):
    key: str | None
    label: str
    opened: int
    closed: int
    closed_within_sla: int
    closed_loop_rate: float | None = Field(description="% of opened closed within SLA.")
    median_first_action_hours: float | None = Field(description="Business hours.")
    median_close_hours: float | None = Field(description="Business hours.")
    resolved: int
    reopened: int
    reopen_rate: float | None
    detractors_followed_up: int = Field(description="Detractor cases with a later NPS answer.")
    recovered: int = Field(description="Of those, the next NPS answer was 7 or more.")
    recovery_rate: float | None


class CaseMetricsRead(BaseModel):
    date_from: datetime
    date_to: datetime
    by: str | None
    overall: CaseMetricsGroup
    groups: list[CaseMetricsGroup]

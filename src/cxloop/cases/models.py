"""Closed-loop cases: the case with its SLA clocks, its event log and notes, teams, root causes
and the workspace's SLA policy per priority."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from cxloop.core.database import Base, IdMixin, TimestampMixin, utcnow
from cxloop.responses.models import BigId


class Team(IdMixin, TimestampMixin, Base):
    __tablename__ = "case_teams"
    __table_args__ = (UniqueConstraint("workspace_id", "name"),)

    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str | None] = mapped_column(String(200), default=None)  # store, region ...
    manager_id: Mapped[str | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )


class TeamMember(IdMixin, TimestampMixin, Base):
    """A member of a team; assigned_seq orders round-robin (lowest is assigned next)."""

    __tablename__ = "case_team_members"
    __table_args__ = (UniqueConstraint("team_id", "user_id"),)

    team_id: Mapped[str] = mapped_column(ForeignKey("case_teams.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    assigned_seq: Mapped[int] = mapped_column(default=0)


class RootCause(IdMixin, TimestampMixin, Base):
    __tablename__ = "root_causes"
    __table_args__ = (UniqueConstraint("workspace_id", "name"),)

    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    obstacle: Mapped[bool] = mapped_column(default=False)  # a policy or process obstacle
    active: Mapped[bool] = mapped_column(default=True)


class SlaTarget(Base):
    """The workspace's SLA for one priority, in business hours (defaults apply when absent)."""

    __tablename__ = "case_sla_targets"

    workspace_id: Mapped[str] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True
    )
    priority: Mapped[str] = mapped_column(String(16), primary_key=True)
    first_action_hours: Mapped[float]
    resolution_hours: Mapped[float]


class CaseCounter(Base):
    """The last case number given out in a workspace (numbers are 1, 2, 3, ... per workspace)."""

    __tablename__ = "case_counters"

    workspace_id: Mapped[str] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True
    )
    last_number: Mapped[int] = mapped_column(default=0)


class Case(IdMixin, TimestampMixin, Base):
    """A follow-up. The resolution clock stops (paused_at) while waiting on the customer and
    once resolved; paused_seconds is the business time it stood still before."""

    __tablename__ = "cases"
    __table_args__ = (
        UniqueConstraint("workspace_id", "number"),
        UniqueConstraint("workspace_id", "source_key"),
        Index("ix_cases_workspace_status", "workspace_id", "status"),
        Index("ix_cases_status_due", "status", "resolution_due"),  # the SLA check's scan
        Index("ix_cases_resurvey_sent", "resurvey_sent_at"),  # the re-survey link-back scan
    )

    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    number: Mapped[int]
    title: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(32), default="new")
    priority: Mapped[str] = mapped_column(String(16), default="normal")
    owner_id: Mapped[str | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None, index=True
    )
    team_id: Mapped[str | None] = mapped_column(
        ForeignKey("case_teams.id", ondelete="SET NULL"), default=None, index=True
    )
    contact_id: Mapped[str | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="SET NULL"), default=None, index=True
    )
    response_id: Mapped[str | None] = mapped_column(String(32), default=None, index=True)
    comment_id: Mapped[int | None] = mapped_column(BigId, default=None)
    touchpoint_id: Mapped[str | None] = mapped_column(String(32), default=None)
    source_key: Mapped[str | None] = mapped_column(String(200), default=None)
    root_cause_id: Mapped[str | None] = mapped_column(
        ForeignKey("root_causes.id", ondelete="SET NULL"), default=None
    )
    resolution: Mapped[str | None] = mapped_column(Text, default=None)
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    first_action_at: Mapped[datetime | None] = mapped_column(default=None)
    resolved_at: Mapped[datetime | None] = mapped_column(default=None)
    closed_at: Mapped[datetime | None] = mapped_column(default=None)
    first_action_due: Mapped[datetime]
    resolution_due: Mapped[datetime]
    paused_at: Mapped[datetime | None] = mapped_column(default=None)
    paused_seconds: Mapped[float] = mapped_column(default=0.0)
    first_action_breached_at: Mapped[datetime | None] = mapped_column(default=None)
    resolution_breached_at: Mapped[datetime | None] = mapped_column(default=None)
    resolved_count: Mapped[int] = mapped_column(default=0)
    reopened_count: Mapped[int] = mapped_column(default=0)
    # the re-survey sent on closing (or why governance refused it) and the answer it brought
    resurvey_survey_id: Mapped[str | None] = mapped_column(String(32), default=None)
    resurvey_invitation_id: Mapped[str | None] = mapped_column(String(32), default=None)
    resurvey_sent_at: Mapped[datetime | None] = mapped_column(default=None)
    resurvey_blocked_reason: Mapped[str | None] = mapped_column(Text, default=None)
    resurvey_response_id: Mapped[str | None] = mapped_column(String(32), default=None)


class CaseEvent(Base):
    """One change of a case: who did what, when (the case's audit log)."""

    __tablename__ = "case_events"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(64))  # user:<id>, key:<id>, job:<id> or system
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CaseNote(Base):
    """An internal note (status "internal") or a message to the customer: "queued" once its
    email job is stored (delivery_job_id; the page shows "sent" when that job is done), or
    "blocked" when the customer cannot be emailed (delivery_error says why)."""

    __tablename__ = "case_notes"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))  # note | message
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))  # internal | outbox | queued | blocked
    actor: Mapped[str] = mapped_column(String(64))
    delivery_job_id: Mapped[int | None] = mapped_column(BigId, default=None)
    delivery_error: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

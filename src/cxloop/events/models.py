"""Survey triggers (which event offers which survey on which channel) and their firings."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from cxloop.core.database import Base, IdMixin, TimestampMixin


class TriggerChannel(StrEnum):
    email = "email"
    sms = "sms"
    widget = "widget"
    link = "link"


class Outcome(StrEnum):
    offered = "offered"  # governance allowed it: an invitation exists
    blocked = "blocked"  # governance said no (rule and reason stored)
    scheduled = "scheduled"  # a delayed offer waits in the job queue
    sampled_out = "sampled_out"  # the contact fell outside the sample percentage
    cancelled = "cancelled"  # the trigger was deleted or paused before the delay ran out
    failed = "failed"  # the offer could not be made (e.g. the survey was closed)


class SurveyTrigger(IdMixin, TimestampMixin, Base):
    __tablename__ = "survey_triggers"

    workspace_id: Mapped[str] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200), default="")
    event: Mapped[str | None] = mapped_column(String(120), default=None)
    touchpoint_id: Mapped[str | None] = mapped_column(
        ForeignKey("touchpoints.id", ondelete="CASCADE"), default=None
    )
    survey_id: Mapped[str] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(16))
    delay_seconds: Mapped[int] = mapped_column(default=0)
    sample_percent: Mapped[float] = mapped_column(default=100.0)
    # [{"property": "plan", "op": "eq" | "in", "value": "gold" | ["gold", "silver"]}]
    conditions: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(default=True)


class TriggerFiring(IdMixin, TimestampMixin, Base):
    """What one trigger did for one event: the answer to "why was (not) this contact surveyed"."""

    __tablename__ = "trigger_firings"
    __table_args__ = (
        UniqueConstraint("trigger_id", "interaction_id"),
        Index("ix_trigger_firings_contact", "workspace_id", "contact_id", "created_at"),
    )

    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    trigger_id: Mapped[str] = mapped_column(
        ForeignKey("survey_triggers.id", ondelete="CASCADE"), index=True
    )
    interaction_id: Mapped[str] = mapped_column(String(32))
    contact_id: Mapped[str] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    survey_id: Mapped[str] = mapped_column(String(32))
    channel: Mapped[str] = mapped_column(String(16))
    outcome: Mapped[str] = mapped_column(String(16))
    invitation_id: Mapped[str | None] = mapped_column(String(32), default=None)
    rule: Mapped[str | None] = mapped_column(String(64), default=None)
    reason: Mapped[str] = mapped_column(Text, default="")
    run_after: Mapped[datetime | None] = mapped_column(default=None)
    job_id: Mapped[int | None] = mapped_column(default=None)

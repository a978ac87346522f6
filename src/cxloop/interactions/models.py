"""Interactions: typed events between a contact and the brand at a touchpoint on a channel."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from cxloop.core.database import Base, IdMixin, TimestampMixin


class InteractionKind(StrEnum):
    ticket_opened = "ticket_opened"
    agent_replied = "agent_replied"
    ticket_solved = "ticket_solved"
    ticket_reopened = "ticket_reopened"
    chat = "chat"
    call = "call"
    order = "order"
    visit = "visit"
    review = "review"
    social_mention = "social_mention"
    survey_response = "survey_response"


class Interaction(IdMixin, TimestampMixin, Base):
    __tablename__ = "interactions"
    __table_args__ = (
        UniqueConstraint("workspace_id", "external_id"),
        Index("ix_interactions_contact_time", "contact_id", "occurred_at"),
        Index("ix_interactions_workspace_time", "workspace_id", "occurred_at"),
    )

    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    contact_id: Mapped[str] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    touchpoint_id: Mapped[str | None] = mapped_column(
        ForeignKey("touchpoints.id", ondelete="SET NULL"), default=None
    )
    channel: Mapped[str | None] = mapped_column(String(32), default=None)
    kind: Mapped[str] = mapped_column(String(32))
    occurred_at: Mapped[datetime]
    external_id: Mapped[str | None] = mapped_column(String(200), default=None)
    thread_id: Mapped[str | None] = mapped_column(String(200), default=None, index=True)
    text: Mapped[str | None] = mapped_column(Text, default=None)
    value: Mapped[float | None] = mapped_column(default=None)
    properties: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

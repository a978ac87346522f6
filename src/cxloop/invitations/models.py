"""Invitations and email campaigns."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from cxloop.core.database import Base, IdMixin, TimestampMixin


class Campaign(IdMixin, TimestampMixin, Base):
    __tablename__ = "invitation_campaigns"

    workspace_id: Mapped[str] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), index=True
    )
    survey_id: Mapped[str] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(16), default="email")
    segment_id: Mapped[str | None] = mapped_column(String(32), default=None)
    send_at: Mapped[datetime | None] = mapped_column(default=None)
    reminder_after_days: Mapped[int | None] = mapped_column(default=None)
    max_reminders: Mapped[int] = mapped_column(default=0)
    contacts: Mapped[int] = mapped_column(default=0)


class Invitation(IdMixin, TimestampMixin, Base):
    """One survey offered to one contact on one channel (blocked ones keep the reason)."""

    __tablename__ = "invitations"
    __table_args__ = (
        Index("ix_invitations_workspace_survey", "workspace_id", "survey_id"),
        Index("ix_invitations_contact", "workspace_id", "contact_id"),
        Index("ix_invitations_token", "workspace_id", "token"),
    )

    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    survey_id: Mapped[str] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    contact_id: Mapped[str] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    campaign_id: Mapped[str | None] = mapped_column(String(32), default=None, index=True)
    channel: Mapped[str] = mapped_column(String(16))
    touchpoint_id: Mapped[str | None] = mapped_column(String(32), default=None)
    language: Mapped[str] = mapped_column(String(16), default="en")
    hidden: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    source: Mapped[str] = mapped_column(String(200), default="api")
    token: Mapped[str | None] = mapped_column(String(500), default=None)
    # queued | sent | delivered | opened | started | completed | blocked | bounced | failed
    status: Mapped[str] = mapped_column(String(16), default="queued")
    blocked_rule: Mapped[str | None] = mapped_column(String(40), default=None)
    blocked_reason: Mapped[str | None] = mapped_column(String(500), default=None)
    send_after: Mapped[datetime | None] = mapped_column(default=None)
    sent_at: Mapped[datetime | None] = mapped_column(default=None)
    delivered_at: Mapped[datetime | None] = mapped_column(default=None)
    opened_at: Mapped[datetime | None] = mapped_column(default=None)
    started_at: Mapped[datetime | None] = mapped_column(default=None)
    completed_at: Mapped[datetime | None] = mapped_column(default=None)
    response_id: Mapped[str | None] = mapped_column(String(32), default=None)
    nps_score: Mapped[int | None] = mapped_column(default=None)
    reminder_after_days: Mapped[int | None] = mapped_column(default=None)
    max_reminders: Mapped[int] = mapped_column(default=0)
    reminders_sent: Mapped[int] = mapped_column(default=0)
    last_sent_at: Mapped[datetime | None] = mapped_column(default=None)

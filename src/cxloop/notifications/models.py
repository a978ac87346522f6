"""Webhook endpoints of a workspace and the delivery log (one row per email or webhook job)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from cxloop.core.database import Base, IdMixin, TimestampMixin, utcnow
from cxloop.responses.models import BigId


class WebhookEndpoint(IdMixin, TimestampMixin, Base):
    """Where events are posted: Standard Webhooks (signed JSON) or a Slack incoming webhook."""

    __tablename__ = "webhook_endpoints"

    workspace_id: Mapped[str] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    url: Mapped[str] = mapped_column(String(2000))
    kind: Mapped[str] = mapped_column(String(16), default="standard")  # standard | slack
    secret: Mapped[str] = mapped_column(String(100))  # whsec_<base64>, needed to sign
    previous_secret: Mapped[str | None] = mapped_column(String(100), default=None)
    previous_secret_until: Mapped[datetime | None] = mapped_column(default=None)
    event_types: Mapped[list[str]] = mapped_column(JSON, default=list)  # empty: every event
    active: Mapped[bool] = mapped_column(default=True)
    deactivated_reason: Mapped[str | None] = mapped_column(Text, default=None)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Delivery(IdMixin, TimestampMixin, Base):
    """One email or webhook message: its target, state, attempts and the last error."""

    __tablename__ = "deliveries"
    __table_args__ = (Index("ix_deliveries_workspace_created", "workspace_id", "created_at"),)

    workspace_id: Mapped[str | None] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), default=None
    )
    job_id: Mapped[int] = mapped_column(BigId, unique=True)
    channel: Mapped[str] = mapped_column(String(16))  # email | webhook
    target: Mapped[str] = mapped_column(String(2000))  # address or URL
    endpoint_id: Mapped[str | None] = mapped_column(
        ForeignKey("webhook_endpoints.id", ondelete="SET NULL"), default=None, index=True
    )
    event_type: Mapped[str | None] = mapped_column(String(100), default=None)
    subject: Mapped[str | None] = mapped_column(String(300), default=None)
    purpose: Mapped[str | None] = mapped_column(String(40), default=None)
    reference: Mapped[str | None] = mapped_column(String(200), default=None, index=True)
    status: Mapped[str] = mapped_column(String(16), default="queued")
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    response_status: Mapped[int | None] = mapped_column(default=None)
    message_id: Mapped[str | None] = mapped_column(String(300), default=None)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(default=None)

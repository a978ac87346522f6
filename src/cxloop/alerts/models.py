"""Metric alerts and their firings.

An alert watches one metric on one slice per day, week or month (workspace time) and fires on a
threshold or a significant change against the previous period. A firing is unique per alert,
period and condition fingerprint, so an alert never fires twice for the same condition and
period (editing the condition gives a new fingerprint).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from cxloop.core.database import Base, IdMixin, TimestampMixin, utcnow


class Alert(IdMixin, TimestampMixin, Base):
    __tablename__ = "alerts"
    __table_args__ = (Index("ix_alerts_due", "active", "next_check_at"),)

    workspace_id: Mapped[str] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    metric: Mapped[str] = mapped_column(String(32))
    measure: Mapped[str] = mapped_column(String(8), default="share")
    theme_key: Mapped[str | None] = mapped_column(String(64), default=None)
    filters: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    grain: Mapped[str] = mapped_column(String(8), default="week")
    condition: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    min_n: Mapped[int | None] = mapped_column(default=None)
    compare: Mapped[str] = mapped_column(String(16), default="current")
    notify: Mapped[list[str]] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(default=True)
    owner_id: Mapped[str | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    next_check_at: Mapped[datetime | None] = mapped_column(default=None)
    last_checked_at: Mapped[datetime | None] = mapped_column(default=None)
    last_value: Mapped[float | None] = mapped_column(default=None)
    last_n: Mapped[int | None] = mapped_column(default=None)
    last_reason: Mapped[str] = mapped_column(String(300), default="")
    last_fired_at: Mapped[datetime | None] = mapped_column(default=None)


class AlertFiring(IdMixin, Base):
    __tablename__ = "alert_firings"
    __table_args__ = (
        UniqueConstraint("alert_id", "period_start", "fingerprint"),
        Index("ix_alert_firings_workspace_time", "workspace_id", "created_at"),
    )

    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    alert_id: Mapped[str] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"))
    period_start: Mapped[date]
    period_end: Mapped[date]  # last day included
    fingerprint: Mapped[str] = mapped_column(String(32))
    condition: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    value: Mapped[float]
    previous_value: Mapped[float | None] = mapped_column(default=None)
    delta: Mapped[float | None] = mapped_column(default=None)
    n: Mapped[int]
    previous_n: Mapped[int | None] = mapped_column(default=None)
    p_value: Mapped[float | None] = mapped_column(default=None)
    threshold: Mapped[float | None] = mapped_column(default=None)
    message: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

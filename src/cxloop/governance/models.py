"""Governance tables: settings, per-contact lock rows, opt-outs, consent, suppression, decisions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from cxloop.core.database import Base, IdMixin, TimestampMixin, utcnow


class GovernanceSettings(IdMixin, TimestampMixin, Base):
    """A workspace's contact rules (one row per workspace; absent = the defaults)."""

    __tablename__ = "governance_settings"

    workspace_id: Mapped[str] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), unique=True
    )
    workspace_cap: Mapped[int | None] = mapped_column(default=None)
    workspace_period_days: Mapped[int] = mapped_column(default=30)
    survey_cap: Mapped[int | None] = mapped_column(default=None)
    survey_period_days: Mapped[int] = mapped_column(default=90)
    touchpoint_cap: Mapped[int | None] = mapped_column(default=None)
    touchpoint_period_days: Mapped[int] = mapped_column(default=30)
    reminders_count: Mapped[bool] = mapped_column(default=False)
    quarantine_days: Mapped[int] = mapped_column(default=0)
    quiet_start: Mapped[str | None] = mapped_column(String(5), default=None)  # "21:00"
    quiet_end: Mapped[str | None] = mapped_column(String(5), default=None)  # "08:00"
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class ContactLock(Base):
    """One row per contact: offers lock it (FOR UPDATE) so caps hold under concurrency."""

    __tablename__ = "governance_contact_locks"

    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    contact_id: Mapped[str] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True
    )
    offers: Mapped[int] = mapped_column(default=0, server_default=text("0"))


class OptOut(IdMixin, TimestampMixin, Base):
    """A contact said no: on one channel, or on all ("all")."""

    __tablename__ = "governance_opt_outs"
    __table_args__ = (UniqueConstraint("workspace_id", "contact_id", "channel"),)

    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    contact_id: Mapped[str] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(200), default="api")


class ConsentRecord(IdMixin, TimestampMixin, Base):
    """Every consent given or withdrawn, with its source and time (append-only)."""

    __tablename__ = "governance_consents"
    __table_args__ = (Index("ix_governance_consents_contact", "workspace_id", "contact_id"),)

    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    contact_id: Mapped[str] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(16))
    granted: Mapped[bool] = mapped_column(default=True)
    source: Mapped[str] = mapped_column(String(200), default="api")


class Suppression(IdMixin, TimestampMixin, Base):
    """An address never contacted: added by hand (reason "manual") or after a bounce."""

    __tablename__ = "governance_suppressions"
    __table_args__ = (UniqueConstraint("workspace_id", "kind", "value"),)

    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(8))  # email | phone
    value: Mapped[str] = mapped_column(String(320))
    reason: Mapped[str] = mapped_column(String(16), default="manual")  # manual | bounce
    note: Mapped[str] = mapped_column(String(500), default="")


class Decision(IdMixin, Base):
    """Each governance decision, kept to explain "why was this contact (not) surveyed?"."""

    __tablename__ = "governance_decisions"
    __table_args__ = (Index("ix_governance_decisions_contact", "workspace_id", "contact_id", "at"),)

    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    contact_id: Mapped[str] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    survey_id: Mapped[str | None] = mapped_column(String(32), default=None)
    touchpoint_id: Mapped[str | None] = mapped_column(String(32), default=None)
    channel: Mapped[str] = mapped_column(String(16))
    is_reminder: Mapped[bool] = mapped_column(default=False)
    allowed: Mapped[bool] = mapped_column(default=False)
    rule: Mapped[str | None] = mapped_column(String(40), default=None)
    reason: Mapped[str] = mapped_column(String(500), default="")
    at: Mapped[datetime] = mapped_column(default=utcnow)

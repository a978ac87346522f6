"""Rules, their immutable versions, the log of every evaluation, and tags rules put on records.

Editing a rule writes a new version; a run names the version it evaluated. A run is unique per
(version, trigger, subject), so a retried evaluation job runs each rule once per subject.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from cxloop.core.database import Base, IdMixin, TimestampMixin, utcnow
from cxloop.responses.models import BigId


class Rule(IdMixin, TimestampMixin, Base):
    __tablename__ = "rules"
    __table_args__ = (Index("ix_rules_active_trigger", "workspace_id", "trigger", "active"),)

    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    trigger: Mapped[str] = mapped_column(String(40))
    active: Mapped[bool] = mapped_column(default=True)
    version: Mapped[int] = mapped_column(default=1)  # the current version's number
    created_by: Mapped[str | None] = mapped_column(String(32), default=None)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class RuleVersion(IdMixin, TimestampMixin, Base):
    """What a rule said at one time; never changed once written."""

    __tablename__ = "rule_versions"
    __table_args__ = (UniqueConstraint("rule_id", "number"),)

    rule_id: Mapped[str] = mapped_column(ForeignKey("rules.id", ondelete="CASCADE"))
    number: Mapped[int]
    name: Mapped[str] = mapped_column(String(200))
    trigger: Mapped[str] = mapped_column(String(40))
    conditions: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    actions: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_by: Mapped[str | None] = mapped_column(String(32), default=None)


class RuleRun(Base):
    __tablename__ = "rule_runs"
    __table_args__ = (
        UniqueConstraint("version_id", "trigger", "subject_id"),
        Index("ix_rule_runs_rule_time", "rule_id", "created_at"),
        Index("ix_rule_runs_workspace_time", "workspace_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    rule_id: Mapped[str] = mapped_column(ForeignKey("rules.id", ondelete="CASCADE"))
    version_id: Mapped[str] = mapped_column(ForeignKey("rule_versions.id", ondelete="CASCADE"))
    version: Mapped[int]
    trigger: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[str] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(16))  # matched | not_matched | error
    actions: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    error: Mapped[str | None] = mapped_column(Text, default=None)
    job_id: Mapped[int | None] = mapped_column(BigId, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class RecordTag(Base):
    """A tag a rule put on a response, interaction or comment."""

    __tablename__ = "record_tags"
    __table_args__ = (
        UniqueConstraint("workspace_id", "subject_kind", "subject_id", "tag"),
        Index("ix_record_tags_subject", "workspace_id", "subject_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    subject_kind: Mapped[str] = mapped_column(String(16))  # response | interaction | comment
    subject_id: Mapped[str] = mapped_column(String(64))
    tag: Mapped[str] = mapped_column(String(100))
    rule_id: Mapped[str | None] = mapped_column(
        ForeignKey("rules.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

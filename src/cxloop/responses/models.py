"""Responses and their answers in long format (one row per answer) so metrics run in SQL.

Each answer row repeats the few columns every metric groups or filters by (touchpoint,
channel, survey, time), and stores the metric classification decided at write time:
``good`` is a promoter / top-box CSAT / easy CES, ``bad`` a detractor / bottom-box.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from cxloop.core.database import Base, IdMixin, TimestampMixin, utcnow

BigId = BigInteger().with_variant(Integer(), "sqlite")


class Response(IdMixin, TimestampMixin, Base):
    __tablename__ = "responses"
    __table_args__ = (
        UniqueConstraint("workspace_id", "idempotency_key"),
        Index("ix_responses_workspace_time", "workspace_id", "submitted_at"),
    )

    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    survey_id: Mapped[str] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    version_id: Mapped[str] = mapped_column(ForeignKey("survey_versions.id", ondelete="CASCADE"))
    touchpoint_id: Mapped[str | None] = mapped_column(
        ForeignKey("touchpoints.id", ondelete="SET NULL"), default=None
    )
    contact_id: Mapped[str | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="SET NULL"), default=None, index=True
    )
    channel: Mapped[str | None] = mapped_column(String(32), default=None)
    language: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(16), default="api")
    submitted_at: Mapped[datetime]
    idempotency_key: Mapped[str | None] = mapped_column(String(200), default=None)
    hidden: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # quality flags, comma-separated: speeder, straight_lining, duplicate (see quality.py)
    flags: Mapped[str] = mapped_column(String(200), default="", server_default="")
    duration_seconds: Mapped[float | None] = mapped_column(default=None)


class ResponseProgress(IdMixin, TimestampMixin, Base):
    """A public-page response being answered page by page (answers kept as JSON).

    It holds no answer rows, so metrics never see it; the last page stores the real response
    and marks this one completed. ``blocked`` ones are bot submissions (honeypot) kept only
    to be counted.
    """

    __tablename__ = "response_progress"
    __table_args__ = (
        UniqueConstraint("workspace_id", "submission_key"),
        Index("ix_response_progress_survey", "survey_id", "status"),
    )

    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    survey_id: Mapped[str] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    version_id: Mapped[str] = mapped_column(ForeignKey("survey_versions.id", ondelete="CASCADE"))
    contact_id: Mapped[str | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="SET NULL"), default=None, index=True
    )
    submission_key: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="in_progress")
    language: Mapped[str] = mapped_column(String(16))
    page: Mapped[int] = mapped_column(default=1)
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    flags: Mapped[str] = mapped_column(String(200), default="")
    invitation_token: Mapped[str | None] = mapped_column(String(500), default=None)
    response_id: Mapped[str | None] = mapped_column(String(32), default=None)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class Answer(Base):
    __tablename__ = "answers"
    __table_args__ = (
        Index(
            "ix_answers_metric",
            "workspace_id",
            "kind",
            "submitted_at",
            "touchpoint_id",
            "channel",
            "value_number",
            "good",
            "bad",
        ),
        Index("ix_answers_response", "response_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    response_id: Mapped[str] = mapped_column(ForeignKey("responses.id", ondelete="CASCADE"))
    question_id: Mapped[str] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"))
    survey_id: Mapped[str] = mapped_column(String(32))
    touchpoint_id: Mapped[str | None] = mapped_column(String(32), default=None)
    channel: Mapped[str | None] = mapped_column(String(32), default=None)
    submitted_at: Mapped[datetime]
    kind: Mapped[str] = mapped_column(String(32))
    value_number: Mapped[float | None] = mapped_column(default=None)
    value_text: Mapped[str | None] = mapped_column(Text, default=None)
    value_choices: Mapped[list[str] | None] = mapped_column(JSON, default=None)
    good: Mapped[int] = mapped_column(default=0)
    bad: Mapped[int] = mapped_column(default=0)

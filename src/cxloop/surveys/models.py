"""Surveys, their immutable-once-answered versions, and questions with per-language texts."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from cxloop.core.database import Base, IdMixin, TimestampMixin


class QuestionKind(StrEnum):
    nps = "nps"
    csat = "csat"
    ces = "ces"
    rating = "rating"
    single_choice = "single_choice"
    multiple_choice = "multiple_choice"
    open_text = "open_text"


class SurveyStatus(StrEnum):
    draft = "draft"
    live = "live"
    closed = "closed"


class Survey(IdMixin, TimestampMixin, Base):
    __tablename__ = "surveys"

    workspace_id: Mapped[str] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), index=True
    )
    touchpoint_id: Mapped[str | None] = mapped_column(
        ForeignKey("touchpoints.id", ondelete="SET NULL"), default=None, index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), default=SurveyStatus.draft)
    default_language: Mapped[str] = mapped_column(String(16), default="en")
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    public_token: Mapped[str] = mapped_column(String(64), unique=True)
    current_version_id: Mapped[str | None] = mapped_column(String(32), default=None)
    closes_at: Mapped[datetime | None] = mapped_column(default=None)


class SurveyVersion(IdMixin, TimestampMixin, Base):
    __tablename__ = "survey_versions"
    __table_args__ = (UniqueConstraint("survey_id", "number"),)

    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    survey_id: Mapped[str] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(default=1)
    # {lang: {"title": ..., "intro": ..., "thanks": ...}}
    texts: Mapped[dict[str, dict[str, str]]] = mapped_column(JSON, default=dict)


class Question(IdMixin, Base):
    __tablename__ = "questions"
    __table_args__ = (UniqueConstraint("version_id", "key"),)

    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    version_id: Mapped[str] = mapped_column(
        ForeignKey("survey_versions.id", ondelete="CASCADE"), index=True
    )
    key: Mapped[str] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(default=0)
    kind: Mapped[str] = mapped_column(String(32))
    required: Mapped[bool] = mapped_column(default=False)
    scale_min: Mapped[int | None] = mapped_column(default=None)
    scale_max: Mapped[int | None] = mapped_column(default=None)
    # ces: "agreement" (high = easy) or "effort" (low = easy)
    direction: Mapped[str | None] = mapped_column(String(16), default=None)
    top_box: Mapped[int] = mapped_column(default=2)
    # the public page starts a new page before this question
    page_break: Mapped[bool] = mapped_column(default=False, server_default=text("false"))
    # [{"key": "fast", "texts": {"en": "Fast", "vi": "Nhanh"}}]
    options: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # {lang: {"prompt": ..., "low": ..., "high": ...}}
    texts: Mapped[dict[str, dict[str, str]]] = mapped_column(JSON, default=dict)

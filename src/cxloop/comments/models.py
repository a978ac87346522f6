"""Comments (open-text answers and customer-written interaction texts) with their analysis.

Machine labels (language, sentiment, themes, key phrases) are rewritten by re-analysis; a
person's corrections live in their own columns and rows and are never overwritten by it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from cxloop.core.database import Base, IdMixin, TimestampMixin, utcnow
from cxloop.responses.models import BigId


class Comment(Base):
    __tablename__ = "comments"
    __table_args__ = (Index("ix_comments_workspace_time", "workspace_id", "occurred_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    answer_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("answers.id", ondelete="CASCADE"), unique=True, default=None
    )
    interaction_id: Mapped[str | None] = mapped_column(
        ForeignKey("interactions.id", ondelete="CASCADE"), unique=True, default=None
    )
    response_id: Mapped[str | None] = mapped_column(String(32), default=None)
    contact_id: Mapped[str | None] = mapped_column(String(32), default=None, index=True)
    touchpoint_id: Mapped[str | None] = mapped_column(String(32), default=None)
    channel: Mapped[str | None] = mapped_column(String(32), default=None)
    source: Mapped[str] = mapped_column(String(32))  # survey or the interaction kind
    occurred_at: Mapped[datetime]
    text: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(16))
    language_confidence: Mapped[float] = mapped_column(default=0.0)
    sentiment: Mapped[str] = mapped_column(String(16))
    sentiment_score: Mapped[float] = mapped_column(default=0.0)
    key_phrases: Mapped[list[str]] = mapped_column(JSON, default=list)
    analyser: Mapped[str] = mapped_column(String(160), default="")
    analysed_at: Mapped[datetime] = mapped_column(default=utcnow)
    corrected_sentiment: Mapped[str | None] = mapped_column(String(16), default=None)
    themes_corrected: Mapped[bool] = mapped_column(default=False)
    corrected_by: Mapped[str | None] = mapped_column(String(32), default=None)
    corrected_at: Mapped[datetime | None] = mapped_column(default=None)


class CommentTheme(Base):
    """A theme (or pillar) a comment mentions, with the polarity of the part that mentions it."""

    __tablename__ = "comment_themes"
    __table_args__ = (
        UniqueConstraint("comment_id", "taxonomy", "theme_key"),
        Index("ix_comment_themes_trend", "workspace_id", "taxonomy", "theme_key", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    comment_id: Mapped[int] = mapped_column(BigId, ForeignKey("comments.id", ondelete="CASCADE"))
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    taxonomy: Mapped[str] = mapped_column(String(16))  # themes | pillars
    theme_key: Mapped[str] = mapped_column(String(64))
    sentiment: Mapped[str] = mapped_column(String(16))
    score: Mapped[float] = mapped_column(default=0.0)
    source: Mapped[str] = mapped_column(String(16), default="machine")  # machine | person
    occurred_at: Mapped[datetime]
    touchpoint_id: Mapped[str | None] = mapped_column(String(32), default=None)


class ThemeDefinition(IdMixin, TimestampMixin, Base):
    """A workspace's own theme, or its edited copy of a default theme (same key)."""

    __tablename__ = "theme_definitions"
    __table_args__ = (UniqueConstraint("workspace_id", "taxonomy", "key"),)

    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    taxonomy: Mapped[str] = mapped_column(String(16), default="themes")
    key: Mapped[str] = mapped_column(String(64))
    name: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    description: Mapped[str] = mapped_column(Text, default="")
    keywords: Mapped[dict[str, list[str]]] = mapped_column(JSON, default=dict)
    examples: Mapped[dict[str, list[str]]] = mapped_column(JSON, default=dict)
    enabled: Mapped[bool] = mapped_column(default=True)


class ThemeSuggestion(IdMixin, TimestampMixin, Base):
    """A theme proposed by discovery from comments no theme covers."""

    __tablename__ = "theme_suggestions"

    workspace_id: Mapped[str] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), index=True
    )
    label: Mapped[str] = mapped_column(String(200))
    language: Mapped[str] = mapped_column(String(16), default="und")
    keywords: Mapped[list[str]] = mapped_column(JSON, default=list)
    quotes: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    size: Mapped[int] = mapped_column(default=0)
    status: Mapped[str] = mapped_column(String(16), default="proposed")
    theme_key: Mapped[str | None] = mapped_column(String(64), default=None)


class TextProfile(Base):
    """A workspace's text settings and its sentiment model retrained from corrections."""

    __tablename__ = "text_profiles"

    workspace_id: Mapped[str] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True
    )
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    model: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    model_corrections: Mapped[int] = mapped_column(default=0)
    trained_at: Mapped[datetime | None] = mapped_column(default=None)
    taxonomy_version: Mapped[int] = mapped_column(default=0)

"""The web widget: a public per-workspace key with allowed origins, and the surveys it showed."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from cxloop.core.database import Base, IdMixin, TimestampMixin


class WidgetConfig(IdMixin, TimestampMixin, Base):
    __tablename__ = "widget_configs"

    workspace_id: Mapped[str] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), unique=True
    )
    key: Mapped[str] = mapped_column(String(64), unique=True)  # public, not a secret
    allowed_origins: Mapped[list[str]] = mapped_column(JSON, default=list)
    rotated_at: Mapped[datetime | None] = mapped_column(default=None)


class WidgetPrompt(IdMixin, TimestampMixin, Base):
    """A survey the widget was told to show: the browser answers it by this row's id."""

    __tablename__ = "widget_prompts"

    workspace_id: Mapped[str] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), index=True
    )
    invitation_id: Mapped[str | None] = mapped_column(String(32), default=None)
    token: Mapped[str | None] = mapped_column(String(400), default=None)  # the invitation's
    survey_id: Mapped[str] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    contact_id: Mapped[str] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    touchpoint_id: Mapped[str | None] = mapped_column(String(32), default=None)
    language: Mapped[str] = mapped_column(String(16), default="en")
    hidden: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    opened_at: Mapped[datetime | None] = mapped_column(default=None)
    response_id: Mapped[str | None] = mapped_column(String(32), default=None)

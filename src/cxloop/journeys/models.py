"""Journeys, their ordered stages, and touchpoints on stages with a channel."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from cxloop.core.database import Base, IdMixin, TimestampMixin


class Channel(StrEnum):
    web = "web"
    app = "app"
    email = "email"
    sms = "sms"
    phone = "phone"
    chat = "chat"
    store = "store"
    social = "social"
    review_site = "review_site"
    partner = "partner"


class Journey(IdMixin, TimestampMixin, Base):
    __tablename__ = "journeys"

    workspace_id: Mapped[str] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")


class Stage(IdMixin, TimestampMixin, Base):
    __tablename__ = "stages"

    workspace_id: Mapped[str] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), index=True
    )
    journey_id: Mapped[str] = mapped_column(
        ForeignKey("journeys.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(default=0)


class Touchpoint(IdMixin, TimestampMixin, Base):
    __tablename__ = "touchpoints"

    workspace_id: Mapped[str] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), index=True
    )
    stage_id: Mapped[str] = mapped_column(ForeignKey("stages.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    key: Mapped[str] = mapped_column(String(120), default="")
    channel: Mapped[str] = mapped_column(String(32))
    description: Mapped[str] = mapped_column(Text, default="")

"""Every query of the widget feature."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from cxloop.widget.models import WidgetConfig, WidgetPrompt


def config_of(db: Session, workspace_id: str) -> WidgetConfig | None:
    return db.scalar(select(WidgetConfig).where(WidgetConfig.workspace_id == workspace_id))


def config_by_key(db: Session, key: str) -> WidgetConfig | None:
    return db.scalar(select(WidgetConfig).where(WidgetConfig.key == key))


def prompt(db: Session, workspace_id: str, prompt_id: str) -> WidgetPrompt | None:
    return db.scalar(
        select(WidgetPrompt).where(
            WidgetPrompt.workspace_id == workspace_id, WidgetPrompt.id == prompt_id
        )
    )

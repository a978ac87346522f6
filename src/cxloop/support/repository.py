"""Ticket timelines from interactions: one row per thread (ticket) with its key moments."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from cxloop.interactions.models import Interaction
from cxloop.journeys.models import Touchpoint

KINDS = ("ticket_opened", "agent_replied", "ticket_solved", "ticket_reopened")


@dataclass(frozen=True)
class TicketRow:
    created: datetime
    first_reply: datetime | None
    solved: datetime | None
    reopened: int
    touchpoint_id: str | None
    channel: str | None


def tickets(db: Session, workspace_id: str, start: datetime, end: datetime) -> list[TicketRow]:
    """Tickets opened in [start, end): created, first agent reply after it, last solve,
    reopen count, and the touchpoint and channel of the opening event."""
    i = Interaction
    opened = func.min(case((i.kind == "ticket_opened", i.occurred_at), else_=None))
    stmt = (
        select(
            opened,
            func.min(case((i.kind == "agent_replied", i.occurred_at), else_=None)),
            func.max(case((i.kind == "ticket_solved", i.occurred_at), else_=None)),
            func.sum(case((i.kind == "ticket_reopened", 1), else_=0)),
            func.max(case((i.kind == "ticket_opened", i.touchpoint_id), else_=None)),
            func.max(case((i.kind == "ticket_opened", i.channel), else_=None)),
        )
        .where(i.workspace_id == workspace_id, i.kind.in_(KINDS), i.thread_id.is_not(None))
        .group_by(i.contact_id, i.thread_id)
        .having(opened >= start, opened < end)
    )
    return [
        TicketRow(created, reply, solved, int(reopened or 0), touchpoint, channel)
        for created, reply, solved, reopened, touchpoint, channel in db.execute(stmt)
    ]


def touchpoint_names(db: Session, workspace_id: str) -> dict[str, str]:
    stmt = select(Touchpoint.id, Touchpoint.name).where(Touchpoint.workspace_id == workspace_id)
    return {i: n for i, n in db.execute(stmt)}

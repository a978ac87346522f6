"""Support metrics: first response and resolution times (median and mean, calendar and
business hours of the workspace calendar) and reopen rate, overall or by touchpoint/channel."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict
from datetime import date
from typing import Literal

from sqlalchemy.orm import Session

from cxloop.accounts import service as accounts
from cxloop.core.calendar import BusinessCalendar, CalendarSpec, default_calendar
from cxloop.metrics.support import SupportMetrics, Ticket, support_metrics
from cxloop.support import repository as repo
from cxloop.support.schemas import DurationRead, SupportGroup, SupportMetricsRead

By = Literal["touchpoint", "channel"]


def calendar_of(db: Session, workspace_id: str) -> BusinessCalendar:
    """The workspace's business calendar (default: Mon-Fri 09:00-17:00 in its time zone)."""
    workspace = accounts.get_workspace(db, workspace_id)
    if workspace.calendar:
        return BusinessCalendar.from_json(workspace.calendar)
    return default_calendar(workspace.timezone)


def read_calendar(db: Session, workspace_id: str) -> CalendarSpec:
    return calendar_of(db, workspace_id).spec


def update_calendar(db: Session, workspace_id: str, spec: CalendarSpec) -> CalendarSpec:
    workspace = accounts.get_workspace(db, workspace_id)
    workspace.calendar = spec.model_dump(mode="json")
    db.flush()
    return spec


def _group(key: str | None, label: str, result: SupportMetrics) -> SupportGroup:
    return SupportGroup(
        key=key,
        label=label,
        tickets=result.tickets,
        first_response=DurationRead(**asdict(result.first_response)),
        resolution=DurationRead(**asdict(result.resolution)),
        solved=result.solved,
        reopened=result.reopened,
        reopen_rate=result.reopen_rate,
    )


def metrics(
    db: Session, workspace_id: str, date_from: date, date_to: date, by: By | None = None
) -> SupportMetricsRead:
    """Tickets opened on the days date_from..date_to (inclusive, workspace time zone)."""
    start, end = accounts.workspace_days(db, workspace_id, date_from, date_to)
    assert start is not None and end is not None
    calendar = calendar_of(db, workspace_id)
    rows = repo.tickets(db, workspace_id, start, end)
    tickets = [Ticket(r.created, r.first_reply, r.solved, r.reopened) for r in rows]
    groups: list[SupportGroup] = []
    if by is not None:
        names = repo.touchpoint_names(db, workspace_id) if by == "touchpoint" else {}
        split: dict[str | None, list[Ticket]] = defaultdict(list)
        for row, ticket in zip(rows, tickets, strict=True):
            split[row.touchpoint_id if by == "touchpoint" else row.channel].append(ticket)
        for key, part in split.items():
            label = names.get(key or "", key or f"(no {by})") if by == "touchpoint" else key
            groups.append(_group(key, label or f"(no {by})", support_metrics(part, calendar)))
        groups.sort(key=lambda g: (-g.tickets, g.label))
    return SupportMetricsRead(
        date_from=date_from,
        date_to=date_to,
        by=by,
        overall=_group(None, "all tickets", support_metrics(tickets, calendar)),
        groups=groups,
    )

"""Per-contact activity from interactions, counted in SQL for one period."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.orm import Session

from cxloop.interactions.models import Interaction


@dataclass(frozen=True)
class Counts:
    """One group's counts: S, E, N, lost, and revenue of active customers over the last year."""

    customers_start: int
    customers_end: int
    new_customers: int
    lost: int
    revenue_last_year: float


def group_counts(
    db: Session,
    workspace_id: str,
    start: datetime,
    end: datetime,
    window: timedelta,
    activity_kinds: list[str],
    support_kinds: list[str],
) -> dict[bool, Counts]:
    """Counts for contacts who contacted support in [start, end) (True) and the others (False).

    Active at t: an activity interaction in (t - window, t]. New: active at the end and first
    active in [start, end). Lost: active at the start and not at the end.
    """
    i = Interaction
    activity = i.kind.in_(activity_kinds)

    def flag(condition: ColumnElement[bool]) -> ColumnElement[int]:
        return func.max(case((condition, 1), else_=0))

    per_contact = (
        select(
            i.contact_id,
            flag(activity & (i.occurred_at > start - window) & (i.occurred_at <= start)).label(
                "at_start"
            ),
            flag(activity & (i.occurred_at > end - window) & (i.occurred_at <= end)).label(
                "at_end"
            ),
            func.min(case((activity, i.occurred_at), else_=None)).label("first_active"),
            func.sum(
                case(
                    (
                        activity
                        & (i.occurred_at > end - timedelta(days=365))
                        & (i.occurred_at <= end),
                        func.coalesce(i.value, 0.0),
                    ),
                    else_=0.0,
                )
            ).label("revenue"),
            flag(
                i.kind.in_(support_kinds) & (i.occurred_at >= start) & (i.occurred_at < end)
            ).label("support"),
        )
        .where(i.workspace_id == workspace_id, i.occurred_at <= end)
        .group_by(i.contact_id)
        .subquery()
    )
    c = per_contact.c
    is_new = (c.at_end == 1) & (c.first_active >= start) & (c.first_active < end)
    stmt = select(
        c.support,
        func.sum(c.at_start),
        func.sum(c.at_end),
        func.sum(case((is_new, 1), else_=0)),
        func.sum(case(((c.at_start == 1) & (c.at_end == 0), 1), else_=0)),
        func.sum(case((c.at_end == 1, c.revenue), else_=0.0)),
    ).group_by(c.support)
    result = {
        bool(support): Counts(
            int(s or 0), int(e or 0), int(n or 0), int(lost or 0), float(rev or 0)
        )
        for support, s, e, n, lost, rev in db.execute(stmt)
    }
    empty = Counts(0, 0, 0, 0, 0.0)
    return {True: result.get(True, empty), False: result.get(False, empty)}

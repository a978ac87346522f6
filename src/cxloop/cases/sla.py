"""SLA clocks of a case in business time: due dates, pauses, countdowns and breaches.

First action: from opening to the first action of a person. Resolution: from opening to
resolution, standing still while the case waits on the customer or is resolved (paused_at),
so its due date moves by the business time it stood still.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from cxloop.cases import repository as repo
from cxloop.cases.models import Case
from cxloop.cases.schemas import PRIORITIES, ClockRead, SlaPolicy, SlaTargetWrite
from cxloop.core.calendar import BusinessCalendar

HOUR = 3600.0
CLOCKS = ("first_action", "resolution")


def policy(db: Session, workspace_id: str) -> SlaPolicy:
    """The workspace's targets per priority; defaults for priorities it has not set."""
    stored = {
        row.priority: SlaTargetWrite(
            first_action_hours=row.first_action_hours, resolution_hours=row.resolution_hours
        )
        for row in repo.sla_targets(db, workspace_id)
    }
    return SlaPolicy().model_copy(update=stored)


def update_policy(db: Session, workspace_id: str, new: SlaPolicy) -> SlaPolicy:
    rows = [{"priority": p, **getattr(new, p).model_dump()} for p in PRIORITIES]
    repo.replace_sla_targets(db, workspace_id, rows)
    return policy(db, workspace_id)


def target(rules: SlaPolicy, priority: str) -> SlaTargetWrite:
    found: SlaTargetWrite = getattr(rules, priority)
    return found


def set_due_dates(case: Case, calendar: BusinessCalendar, rules: SlaPolicy) -> None:
    """Due dates from the opening, the priority's targets and the time the clock stood still."""
    goal = target(rules, case.priority)
    case.first_action_due = calendar.add_business_time(
        case.opened_at, goal.first_action_hours * HOUR
    )
    case.resolution_due = calendar.add_business_time(
        case.opened_at, goal.resolution_hours * HOUR + case.paused_seconds
    )


def pause(case: Case, now: datetime) -> None:
    if case.paused_at is None:
        case.paused_at = now


def resume(case: Case, now: datetime, calendar: BusinessCalendar, rules: SlaPolicy) -> None:
    """Restarts the resolution clock; its due date moves by the business time it stood."""
    if case.paused_at is not None:
        case.paused_seconds += max(0.0, calendar.business_seconds(case.paused_at, now))
        case.paused_at = None
    set_due_dates(case, calendar, rules)


def clocks(
    case: Case, calendar: BusinessCalendar, rules: SlaPolicy, now: datetime
) -> tuple[ClockRead, ClockRead]:
    """The first-action and resolution clocks with remaining business time."""
    goal = target(rules, case.priority)
    active = case.status not in ("resolved", "closed")
    first_end = case.first_action_at or now
    first_left = goal.first_action_hours * HOUR - calendar.business_seconds(
        case.opened_at, first_end
    )
    first = ClockRead(
        due_at=case.first_action_due,
        target_hours=goal.first_action_hours,
        remaining_business_seconds=first_left,
        running=case.first_action_at is None and active,
        met=None if case.first_action_at is None else first_left >= 0,
        breached=first_left < 0 or case.first_action_breached_at is not None,
    )
    stop = case.paused_at or now
    used = calendar.business_seconds(case.opened_at, stop) - case.paused_seconds
    left = goal.resolution_hours * HOUR - used
    resolution = ClockRead(
        due_at=case.resolution_due,
        target_hours=goal.resolution_hours,
        remaining_business_seconds=left,
        running=case.paused_at is None and active,
        met=(case.resolved_at is not None and left >= 0) if case.status == "closed" else None,
        breached=left < 0 or case.resolution_breached_at is not None,
    )
    return first, resolution


def still_breached(case: Case, clock: str, now: datetime) -> bool:
    """Whether `clock` is running and past due now (checked again before escalating)."""
    if case.status in ("resolved", "closed"):
        return False
    if clock == "first_action":
        return case.first_action_at is None and case.first_action_due < now
    return case.paused_at is None and case.resolution_due < now

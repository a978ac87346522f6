"""What the case pages show besides a case: who can work cases, workload per owner and team,
the obstacle report with example cases, and how an SLA clock reads to a person."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from cxloop.cases import repository as repo
from cxloop.cases import teams
from cxloop.cases.models import Case
from cxloop.cases.schemas import CaseRead, ClockRead, ObstacleRead
from cxloop.core.database import utcnow
from cxloop.core.security import Role, role_at_least


@dataclass(frozen=True)
class Person:
    id: str
    label: str
    email: str
    role: str


@dataclass(frozen=True)
class Load:
    key: str | None
    label: str
    active: int
    breached: int
    waiting: int


@dataclass(frozen=True)
class Obstacle:
    cause: ObstacleRead
    examples: list[Case]


@dataclass(frozen=True)
class ClockView:
    text: str
    state: str  # ok | soon | overdue | paused | met | missed | stopped


def people(db: Session, workspace_id: str) -> list[Person]:
    return [Person(i, n or e, e, r) for i, n, e, r in repo.members_of(db, workspace_id)]


def workers(db: Session, workspace_id: str) -> list[Person]:
    """Members who can own cases (agent or higher)."""
    return [p for p in people(db, workspace_id) if role_at_least(p.role, Role.agent)]


def workload(
    db: Session, workspace_id: str, now: datetime | None = None
) -> tuple[list[Load], list[Load]]:
    """Active cases per owner and per team: how many, how many breached, how many waiting."""
    now = now or utcnow()
    names = {p.id: p.label for p in people(db, workspace_id)}
    team_names = {t.id: t.name for t in teams.list_teams(db, workspace_id)}
    owners = [
        Load(k, names.get(k, k) if k else "(unassigned)", n, b, w)
        for k, n, b, w in repo.workload(db, workspace_id, Case.owner_id, now)
    ]
    by_team = [
        Load(k, team_names.get(k, k) if k else "(no team)", n, b, w)
        for k, n, b, w in repo.workload(db, workspace_id, Case.team_id, now)
    ]
    return owners, by_team


def obstacle_report(
    db: Session, workspace_id: str, start: datetime | None, end: datetime | None, limit: int = 20
) -> list[Obstacle]:
    """The most frequent policy or process obstacles, each with its latest cases."""
    found = teams.obstacles(db, workspace_id, start, end, limit)
    examples = repo.obstacle_examples(
        db, workspace_id, [o.root_cause_id for o in found], start, end
    )
    return [Obstacle(o, examples.get(o.root_cause_id, [])) for o in found]


def duration(seconds: float) -> str:
    """Business time as a person reads it: 45m, 3h 05m."""
    minutes = int(abs(seconds) // 60)
    hours, rest = divmod(minutes, 60)
    return f"{hours}h {rest:02d}m" if hours else f"{rest}m"


def clock_view(clock: ClockRead | None, kind: str, case: CaseRead) -> ClockView:
    """How a clock reads: time left or overdue while it runs, else how it ended."""
    if clock is None:
        return ClockView("—", "stopped")
    left = clock.remaining_business_seconds
    if kind == "first_action" and case.first_action_at is not None:
        return ClockView("met" if left >= 0 else "missed", "met" if left >= 0 else "missed")
    if case.status == "closed" or (kind == "first_action" and not clock.running):
        if clock.met is None:
            return ClockView("stopped", "stopped")
        return ClockView("met" if clock.met else "missed", "met" if clock.met else "missed")
    if case.status == "resolved":
        return ClockView(
            "resolved in time" if left >= 0 else "resolved late",
            "met" if left >= 0 else "missed",
        )
    if left < 0:
        return ClockView(f"overdue by {duration(left)}", "overdue")
    paused = "" if clock.running else "paused · "
    state = "paused" if not clock.running else ("soon" if left < 3600 else "ok")
    return ClockView(f"{paused}{duration(left)} left", state)

"""Case metrics over the cases opened in a period, overall or by owner, team, touchpoint or
root cause: closed-loop rate, times in business hours, reopen rate and recovery rate."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from statistics import median
from typing import Literal

from sqlalchemy.orm import Session

from cxloop.accounts import service as accounts
from cxloop.cases import repository as repo
from cxloop.cases.models import Case
from cxloop.cases.schemas import CaseMetricsGroup, CaseMetricsRead
from cxloop.core.calendar import BusinessCalendar
from cxloop.journeys import service as journeys
from cxloop.support.service import calendar_of

By = Literal["owner", "team", "touchpoint", "root_cause"]
HOUR = 3600.0
DETRACTOR_MAX, RECOVERED_MIN = 6.0, 7.0


@dataclass(frozen=True)
class Recovery:
    """A detractor case: whether the contact answered NPS again later, and how."""

    followed_up: bool
    recovered: bool


def _rate(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 2) if whole else None


def _median_hours(values: list[float]) -> float | None:
    return round(median(values) / HOUR, 4) if values else None


def recoveries(db: Session, workspace_id: str, cases: Sequence[Case]) -> dict[str, Recovery]:
    """Detractor cases (their response's NPS ≤ 6) by id, with the contact's next NPS answer."""
    linked = [c for c in cases if c.response_id and c.contact_id]
    answers = repo.nps_answers(db, workspace_id, sorted({str(c.contact_id) for c in linked}))
    by_contact: dict[str, list[tuple[str, datetime, float]]] = defaultdict(list)
    for contact_id, response_id, at, score in answers:
        by_contact[contact_id].append((response_id, at, score))
    found: dict[str, Recovery] = {}
    for case in linked:
        history = by_contact.get(str(case.contact_id), [])
        own = next((a for a in history if a[0] == case.response_id), None)
        if own is None or own[2] > DETRACTOR_MAX:
            continue
        later = next((a for a in history if a[1] > own[1]), None)
        found[case.id] = Recovery(
            later is not None, later is not None and later[2] >= RECOVERED_MIN
        )
    return found


def _group(
    key: str | None,
    label: str,
    cases: Sequence[Case],
    calendar: BusinessCalendar,
    recovered: dict[str, Recovery],
) -> CaseMetricsGroup:
    closed = [c for c in cases if c.status == "closed"]
    within = [c for c in closed if c.resolved_at is not None and c.resolved_at <= c.resolution_due]
    first = [
        calendar.business_seconds(c.opened_at, c.first_action_at)
        for c in cases
        if c.first_action_at is not None
    ]
    to_close = [
        calendar.business_seconds(c.opened_at, c.closed_at)
        for c in closed
        if c.closed_at is not None
    ]
    resolved = sum(1 for c in cases if c.resolved_count > 0)
    reopened = sum(1 for c in cases if c.reopened_count > 0)
    detractors = [recovered[c.id] for c in cases if c.id in recovered]
    followed = sum(1 for r in detractors if r.followed_up)
    back = sum(1 for r in detractors if r.recovered)
    return CaseMetricsGroup(
        key=key,
        label=label,
        opened=len(cases),
        closed=len(closed),
        closed_within_sla=len(within),
        closed_loop_rate=_rate(len(within), len(cases)),
        median_first_action_hours=_median_hours(first),
        median_close_hours=_median_hours(to_close),
        resolved=resolved,
        reopened=reopened,
        reopen_rate=_rate(reopened, resolved),
        detractors_followed_up=followed,
        recovered=back,
        recovery_rate=_rate(back, followed),
    )


def _labels(db: Session, workspace_id: str, by: By, keys: list[str]) -> dict[str, str]:
    if by == "owner":
        return repo.user_labels(db, keys)
    if by == "team":
        return {t.id: t.name for t in repo.teams(db, workspace_id)}
    if by == "root_cause":
        return {r.id: r.name for r in repo.root_causes(db, workspace_id)}
    return {t.id: t.name for t in journeys.list_touchpoints(db, workspace_id, ids=keys)}


KEYS: dict[By, Callable[[Case], str | None]] = {
    "owner": lambda c: c.owner_id,
    "team": lambda c: c.team_id,
    "touchpoint": lambda c: c.touchpoint_id,
    "root_cause": lambda c: c.root_cause_id,
}


def case_metrics(
    db: Session, workspace_id: str, date_from: date, date_to: date, by: By | None = None
) -> CaseMetricsRead:
    """Cases opened on the days date_from..date_to (inclusive, workspace time zone)."""
    start, end = accounts.workspace_days(db, workspace_id, date_from, date_to)
    assert start is not None and end is not None
    calendar = calendar_of(db, workspace_id)
    cases = repo.opened_between(db, workspace_id, start, end)
    recovered = recoveries(db, workspace_id, cases)
    groups: list[CaseMetricsGroup] = []
    if by is not None:
        split: dict[str | None, list[Case]] = defaultdict(list)
        for case in cases:
            split[KEYS[by](case)].append(case)
        labels = _labels(db, workspace_id, by, sorted(k for k in split if k))
        for key, part in split.items():
            label = labels.get(key, key) if key else f"(no {by.replace('_', ' ')})"
            groups.append(_group(key, label, part, calendar, recovered))
        groups.sort(key=lambda g: (-g.opened, g.label))
    return CaseMetricsRead(
        date_from=start,
        date_to=end,
        by=by,
        overall=_group(None, "all cases", cases, calendar, recovered),
        groups=groups,
    )

"""Day, week (from Monday) and month periods in the workspace's time zone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from cxloop.alerts.schemas import Compare, Grain

CURRENT = {Grain.day: "today", Grain.week: "this week", Grain.month: "this month"}
LAST = {Grain.day: "yesterday", Grain.week: "last week", Grain.month: "last month"}


@dataclass(frozen=True)
class Window:
    """The period watched (first to last day) and the one before it, with a label."""

    start: date
    end: date
    previous_start: date
    previous_end: date
    label: str
    elapsed: float  # share of the watched period that has passed (1.0 when complete)


def period_start(day: date, grain: Grain) -> date:
    if grain == Grain.day:
        return day
    if grain == Grain.week:
        return day - timedelta(days=day.weekday())
    return day.replace(day=1)


def next_start(start: date, grain: Grain) -> date:
    if grain == Grain.day:
        return start + timedelta(days=1)
    if grain == Grain.week:
        return start + timedelta(days=7)
    return (start.replace(day=28) + timedelta(days=4)).replace(day=1)


def previous_start(start: date, grain: Grain) -> date:
    return period_start(start - timedelta(days=1), grain)


def window(now: datetime, tz: ZoneInfo, grain: Grain, compare: Compare) -> Window:
    """The period to judge at ``now`` (aware) and the previous one."""
    local = now.astimezone(tz)
    start = period_start(local.date(), grain)
    if compare == Compare.last_complete:
        start = previous_start(start, grain)
        elapsed = 1.0
        label = LAST[grain]
    else:
        begun = datetime.combine(start, datetime.min.time(), tzinfo=tz)
        ends = datetime.combine(next_start(start, grain), datetime.min.time(), tzinfo=tz)
        elapsed = max(0.0, min(1.0, (local - begun) / (ends - begun)))
        label = CURRENT[grain]
    before = previous_start(start, grain)
    end = next_start(start, grain) - timedelta(days=1)
    return Window(start, end, before, start - timedelta(days=1), label, elapsed)

"""Support metrics from per-ticket timestamps (DESIGN.md "Metric definitions").

- first response time = first agent reply - ticket created
- resolution time = solved - ticket created
- reopen rate = solved tickets reopened at least once ÷ solved tickets * 100

Each time is reported as median and mean, in calendar hours and in business hours (working time
of a BusinessCalendar). A ticket without a reply (or not solved) is left out of that statistic
and counted as ``open``; one whose reply/solve time lies before its creation is left out and
counted as ``invalid`` (bad data, not a fast answer).
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from cxloop.core.calendar import BusinessCalendar, default_calendar
from cxloop.core.errors import Invalid

HOUR = 3600.0


@dataclass(frozen=True)
class Ticket:
    created: datetime
    first_reply: datetime | None = None
    solved: datetime | None = None
    reopened: int | bool = 0  # times reopened, or a flag


@dataclass(frozen=True)
class Duration:
    """One time metric in hours; the values are None when n == 0."""

    n: int
    open: int
    invalid: int
    median_hours: float | None
    mean_hours: float | None
    business_median_hours: float | None
    business_mean_hours: float | None


@dataclass(frozen=True)
class SupportMetrics:
    tickets: int
    first_response: Duration
    resolution: Duration
    solved: int
    reopened: int
    reopen_rate: float | None  # None when nothing was solved


def _duration(
    pairs: list[tuple[datetime, datetime | None]], calendar: BusinessCalendar
) -> Duration:
    calendar_hours: list[float] = []
    business_hours: list[float] = []
    open_count = invalid = 0
    for created, event in pairs:
        if event is None:
            open_count += 1
            continue
        if event < created:
            invalid += 1
            continue
        calendar_hours.append((event - created).total_seconds() / HOUR)
        business_hours.append(calendar.business_seconds(created, event) / HOUR)
    if not calendar_hours:
        return Duration(0, open_count, invalid, None, None, None, None)
    return Duration(
        n=len(calendar_hours),
        open=open_count,
        invalid=invalid,
        median_hours=statistics.median(calendar_hours),
        mean_hours=statistics.fmean(calendar_hours),
        business_median_hours=statistics.median(business_hours),
        business_mean_hours=statistics.fmean(business_hours),
    )


def support_metrics(
    tickets: Iterable[Ticket], calendar: BusinessCalendar | None = None
) -> SupportMetrics:
    """First response and resolution times, and the reopen rate, of the given tickets.

    Datetimes must be timezone-aware (Invalid otherwise); ``calendar`` defaults to
    Mon-Fri 09:00-17:00 UTC.
    """
    calendar = calendar or default_calendar()
    rows = list(tickets)
    for index, ticket in enumerate(rows):
        for field in ("created", "first_reply", "solved"):
            value: datetime | None = getattr(ticket, field)
            if value is not None and value.utcoffset() is None:
                raise Invalid(f"tickets[{index}].{field}: a timezone-aware datetime is required")
    solved = [t for t in rows if t.solved is not None and t.solved >= t.created]
    reopened = sum(1 for t in solved if int(t.reopened) > 0)
    return SupportMetrics(
        tickets=len(rows),
        first_response=_duration([(t.created, t.first_reply) for t in rows], calendar),
        resolution=_duration([(t.created, t.solved) for t in rows], calendar),
        solved=len(solved),
        reopened=reopened,
        reopen_rate=100.0 * reopened / len(solved) if solved else None,
    )

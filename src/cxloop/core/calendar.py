"""Business hours: how many working seconds lie between two moments, and SLA due dates.

A calendar has an IANA time zone, working intervals per weekday (several per day allowed, e.g.
09:00-12:00 and 13:00-17:00; "24:00" ends a day) and holidays (local dates without work).
Working time is real elapsed time: each interval is converted to UTC on its own date, so a
00:00-24:00 day across a DST change counts 23 or 25 hours. Long spans are summed from
per-year prefix sums of whole days (O(years), not minute by minute).

Stored as JSON through ``CalendarSpec`` (pydantic); ``BusinessCalendar.from_json`` turns
validation errors into ``Invalid`` naming the field.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from itertools import accumulate, pairwise
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from cxloop.core.errors import Invalid

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$|^24:00$")
MAX_YEARS = 100


@lru_cache(maxsize=1)
def _zones() -> frozenset[str]:
    return frozenset(available_timezones())


def _minutes(value: str) -> int:
    hours, minutes = value.split(":")
    return int(hours) * 60 + int(minutes)


class WorkInterval(BaseModel):
    """One working interval of a day, local time "HH:MM"-"HH:MM" (end may be "24:00")."""

    model_config = ConfigDict(extra="forbid")
    start: str = Field(examples=["09:00"])
    end: str = Field(examples=["17:00"])

    @field_validator("start", "end")
    @classmethod
    def _hhmm(cls, value: str) -> str:
        if not _HHMM.match(value):
            raise ValueError(f"'{value}' is not a time in HH:MM format (00:00 to 24:00)")
        return value

    @model_validator(mode="after")
    def _ordered(self) -> WorkInterval:
        if _minutes(self.end) <= _minutes(self.start):
            raise ValueError(f"end {self.end} must be after start {self.start}")
        return self


def _office_hours() -> dict[Weekday, list[WorkInterval]]:
    return {day: [WorkInterval(start="09:00", end="17:00")] for day in WEEKDAYS[:5]}


class CalendarSpec(BaseModel):
    """The JSON form of a business calendar."""

    model_config = ConfigDict(extra="forbid")
    timezone: str = "UTC"
    hours: dict[Weekday, list[WorkInterval]] = Field(default_factory=_office_hours)
    holidays: list[date] = Field(default_factory=list)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        if value not in _zones():
            raise ValueError(f"unknown time zone '{value}' (use an IANA name like Europe/Paris)")
        return value

    @model_validator(mode="after")
    def _no_overlap(self) -> CalendarSpec:
        for day, intervals in self.hours.items():
            spans = sorted((_minutes(i.start), _minutes(i.end)) for i in intervals)
            for (_, end), (start, _) in pairwise(spans):
                if start < end:
                    raise ValueError(f"hours.{day}: working intervals overlap")
        if not any(self.hours.values()):
            raise ValueError("hours: the calendar needs at least one working interval")
        return self


class BusinessCalendar:
    """Working time arithmetic for one CalendarSpec. Inputs must be timezone-aware."""

    def __init__(self, spec: CalendarSpec) -> None:
        self.spec = spec
        try:
            self.tz = ZoneInfo(spec.timezone)
        except ZoneInfoNotFoundError:
            raise Invalid(f"timezone: unknown time zone '{spec.timezone}'") from None
        self._days: list[list[tuple[time | None, time | None]]] = [[] for _ in WEEKDAYS]
        for day, intervals in spec.hours.items():
            self._days[WEEKDAYS.index(day)] = sorted(
                (_clock(i.start), _clock(i.end)) for i in intervals
            )
        self._holidays = frozenset(spec.holidays)
        self._year_cache = lru_cache(maxsize=256)(self._year_prefix)
        self._spans = lru_cache(maxsize=4096)(self._day_spans)

    @classmethod
    def from_json(cls, data: Any) -> BusinessCalendar:
        """Validates stored/posted JSON; errors become Invalid with one detail per field."""
        try:
            spec = CalendarSpec.model_validate(data)
        except ValidationError as exc:
            details = [
                {
                    "field": ".".join(str(p) for p in err["loc"] if p != "[key]") or "calendar",
                    "message": err["msg"].removeprefix("Value error, "),
                }
                for err in exc.errors()
            ]
            first = details[0]
            raise Invalid(f"{first['field']}: {first['message']}", details=details) from None
        return cls(spec)

    def _day_spans(self, day: date) -> tuple[tuple[float, float], ...]:
        """The day's working intervals as UTC timestamps (empty on holidays)."""
        if day in self._holidays:
            return ()
        spans = []
        for start, end in self._days[day.weekday()]:
            begin = datetime.combine(day, start or time(0), self.tz)
            finish = (
                datetime.combine(day + timedelta(days=1), time(0), self.tz)
                if end is None
                else datetime.combine(day, end, self.tz)
            )
            spans.append((begin.timestamp(), finish.timestamp()))
        return tuple(spans)

    def _day_seconds(self, day: date) -> float:
        return sum(end - start for start, end in self._spans(day))

    def _year_prefix(self, year: int) -> list[float]:
        """Cumulative working seconds of whole days: entry i = days 0..i-1 of the year."""
        first = date(year, 1, 1)
        days = (date(year + 1, 1, 1) - first).days
        seconds = (self._day_seconds(first + timedelta(days=i)) for i in range(days))
        return [0.0, *accumulate(seconds)]

    def _whole_days(self, first: date, last: date) -> float:
        """Working seconds of the whole days first..last (inclusive)."""
        if last < first:
            return 0.0
        if last.year - first.year > MAX_YEARS:
            raise Invalid(f"business time spans more than {MAX_YEARS} years")
        total = 0.0
        for year in range(first.year, last.year + 1):
            prefix = self._year_cache(year)
            lo = (first - date(year, 1, 1)).days if year == first.year else 0
            hi = (last - date(year, 1, 1)).days + 1 if year == last.year else len(prefix) - 1
            total += prefix[hi] - prefix[lo]
        return total

    def _overlap(self, day: date, lo: float, hi: float) -> float:
        return sum(max(0.0, min(hi, end) - max(lo, start)) for start, end in self._spans(day))

    def business_seconds(self, start: datetime, end: datetime) -> float:
        """Working seconds between two aware datetimes (negative when end is before start)."""
        _aware(start, "start")
        _aware(end, "end")
        if end < start:
            return -self.business_seconds(end, start)
        lo, hi = start.timestamp(), end.timestamp()
        first, last = start.astimezone(self.tz).date(), end.astimezone(self.tz).date()
        if first == last:
            return self._overlap(first, lo, hi)
        return (
            self._overlap(first, lo, hi)
            + self._whole_days(first + timedelta(days=1), last - timedelta(days=1))
            + self._overlap(last, lo, hi)
        )

    def add_business_time(self, start: datetime, seconds: float) -> datetime:
        """The moment ``seconds`` of working time after ``start`` (e.g. an SLA due date)."""
        _aware(start, "start")
        if seconds < 0:
            raise Invalid("seconds must be zero or more")
        remaining, now = float(seconds), start.timestamp()
        day = start.astimezone(self.tz).date()
        limit = day + timedelta(days=366 * MAX_YEARS)
        while day <= limit:
            spans = self._spans(day)
            full = sum(end - start_ for start_, end in spans)
            # skip whole days quickly once we are past their beginning
            if spans and now <= spans[0][0] and remaining > full:
                remaining -= full
            else:
                for begin, end in spans:
                    begin = max(begin, now)
                    if end <= begin:
                        continue
                    if remaining <= end - begin:
                        return datetime.fromtimestamp(begin + remaining, UTC).astimezone(self.tz)
                    remaining -= end - begin
            day += timedelta(days=1)
            now = max(now, datetime.combine(day, time(0), self.tz).timestamp())
        raise Invalid(f"no working time within {MAX_YEARS} years of {start.isoformat()}")


def _clock(value: str) -> time | None:
    """ "HH:MM" as a time; "24:00" (the end of the day) as None."""
    if value == "24:00":
        return None
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


def _aware(value: datetime, name: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise Invalid(f"{name}: a timezone-aware datetime is required, got {value.isoformat()}")


def default_calendar(timezone: str = "UTC") -> BusinessCalendar:
    """Mon-Fri 09:00-17:00 in the workspace's time zone, no holidays."""
    return BusinessCalendar.from_json({"timezone": timezone})


__all__ = ["BusinessCalendar", "CalendarSpec", "WorkInterval", "default_calendar"]

"""What a metric query asks, resolved and checked, shared by the SQL and the DuckDB paths.

Both paths bucket periods in the workspace's time zone the same way: the UTC offsets in force
over the queried time span are listed as ``Segment``s (one per DST change) and the SQL adds
the offset of the segment that holds each timestamp. No database time-zone data is used, so
SQLite, PostgreSQL and DuckDB give identical buckets.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cxloop.core.errors import Invalid
from cxloop.metrics.schemas import Breakdown, Period

ATTRIBUTE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]{0,63}$")
MAX_DIMENSIONS = 2


@dataclass(frozen=True)
class Dim:
    """A breakdown dimension: one of ``Breakdown``, or ``attr`` with the attribute's name."""

    name: str
    attribute: str | None = None

    @property
    def label(self) -> str:
        return f"attr:{self.attribute}" if self.name == "attr" else self.name


@dataclass(frozen=True)
class Segment:
    """From ``start`` (naive UTC; None = the beginning of time) the local time is UTC + minutes."""

    start: datetime | None
    minutes: int


@dataclass(frozen=True)
class MetricQuery:
    workspace_id: str
    kind: str
    dims: tuple[Dim, ...] = ()
    period: Period = Period.week
    since: datetime | None = None  # naive UTC, included
    until: datetime | None = None  # naive UTC, excluded
    survey_id: str | None = None
    touchpoint_id: str | None = None
    channel: str | None = None
    journey_id: str | None = None
    stage_id: str | None = None
    language: str | None = None
    attributes: tuple[tuple[str, tuple[str, ...]], ...] = ()
    segments: tuple[Segment, ...] = field(default=(Segment(None, 0),))
    timezone: str = "UTC"  # the zone the segments were computed for
    # a contact segment: SELECT of member contact ids (SQL path); the DuckDB path gets the ids
    members: Any = field(default=None, compare=False)

    @property
    def needs_response(self) -> bool:
        """Whether language or contact attributes (from the response) are involved."""
        return bool(
            self.language is not None
            or self.attributes
            or self.members is not None
            or any(d.name in ("language", "attr") for d in self.dims)
        )


def parse_dimensions(by: str | Breakdown) -> tuple[Dim, ...]:
    """'touchpoint,period' → two dims; unknown names and repeats raise Invalid naming ``by``."""
    allowed = ", ".join([*(b.value for b in Breakdown), "attr:<name>"])
    names = [part.strip() for part in str(by).split(",")]
    if not names or len(names) > MAX_DIMENSIONS or any(not n for n in names):
        raise _invalid("by", f"give one or two dimensions separated by a comma ({allowed})")
    dims: list[Dim] = []
    for name in names:
        if name.startswith("attr:"):
            attribute = name[5:]
            if not ATTRIBUTE_NAME.match(attribute):
                raise _invalid("by", f"'{attribute}' is not a contact attribute name")
            dims.append(Dim("attr", attribute))
        elif name in Breakdown.__members__:
            dims.append(Dim(name))
        else:
            raise _invalid("by", f"unknown dimension '{name}'; use one of {allowed}")
    if len(set(dims)) != len(dims):
        raise _invalid("by", "the same dimension is given twice")
    return tuple(dims)


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise _invalid("timezone", f"'{name}' is not an IANA time zone") from None


def zone_or_utc(name: str) -> ZoneInfo:
    """The zone by name; UTC for a name zoneinfo does not know (a stale setting)."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local_midnight_utc(day: date, tz: ZoneInfo) -> datetime:
    """The UTC instant (naive) at which ``day`` starts in ``tz``."""
    local = datetime.combine(day, time.min, tzinfo=tz)
    return local.astimezone(UTC).replace(tzinfo=None)


def _offset_minutes(tz: ZoneInfo, at: datetime) -> int:
    offset = at.replace(tzinfo=UTC).astimezone(tz).utcoffset() or timedelta(0)
    return int(offset.total_seconds() // 60)


def segments(tz: ZoneInfo, low: datetime | None, high: datetime | None) -> tuple[Segment, ...]:
    """The UTC offsets of ``tz`` in force between ``low`` and ``high`` (naive UTC).

    Scans day by day and bisects each change to the second, so every timestamp in the span
    gets exactly the offset zoneinfo gives it.
    """
    if low is None or high is None or high < low:
        low = high = low or high or datetime(2000, 1, 1)
    low, high = low - timedelta(days=1), high + timedelta(days=1)
    found = [Segment(None, _offset_minutes(tz, low))]
    cursor = low
    while cursor < high:
        step = min(cursor + timedelta(days=1), high)
        if _offset_minutes(tz, step) != found[-1].minutes:
            lo, hi = cursor, step  # offset(lo) is the current one, offset(hi) the new one
            while hi - lo > timedelta(seconds=1):
                mid = lo + (hi - lo) / 2
                if _offset_minutes(tz, mid) == found[-1].minutes:
                    lo = mid
                else:
                    hi = mid
            hi = hi.replace(microsecond=0)  # changes fall on whole seconds in (lo, hi]
            found.append(Segment(hi, _offset_minutes(tz, hi)))
        cursor = step
    return tuple(found)


def _invalid(field_name: str, message: str) -> Invalid:
    return Invalid(f"{field_name}: {message}", details=[{"field": field_name, "message": message}])

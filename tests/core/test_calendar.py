"""Business-hours arithmetic, checked by hand and against a minute-by-minute count."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from cxloop.core.calendar import WEEKDAYS, BusinessCalendar, CalendarSpec, default_calendar
from cxloop.core.errors import Invalid

PARIS = ZoneInfo("Europe/Paris")
HOUR = 3600.0


def _brute_force(spec: CalendarSpec, start: datetime, end: datetime) -> float:
    """Counts working minutes one by one (start and end on whole minutes)."""
    tz = ZoneInfo(spec.timezone)
    total, moment = 0, start.astimezone(UTC)
    while moment < end:
        local = moment.astimezone(tz)
        day = WEEKDAYS[local.weekday()]
        clock = local.strftime("%H:%M")
        if local.date() not in spec.holidays and any(
            i.start <= clock < i.end for i in spec.hours.get(day, [])
        ):
            total += 60
        moment += timedelta(minutes=1)
    return float(total)


def test_a_working_week_is_40_hours() -> None:
    cal = default_calendar("Europe/Paris")
    monday = datetime(2025, 3, 3, 8, 0, tzinfo=PARIS)
    assert cal.business_seconds(monday, monday + timedelta(days=7)) == 40 * HOUR
    # 10:30 → 12:00 the same Tuesday; and a weekend counts nothing
    tuesday = datetime(2025, 3, 4, 10, 30, tzinfo=PARIS)
    assert cal.business_seconds(tuesday, tuesday.replace(hour=12, minute=0)) == 1.5 * HOUR
    saturday = datetime(2025, 3, 8, 9, tzinfo=PARIS)
    assert cal.business_seconds(saturday, saturday + timedelta(days=1, hours=8)) == 0.0
    # the same moments given in UTC give the same answer; reversed gives the negative
    utc_monday = monday.astimezone(UTC)
    assert cal.business_seconds(utc_monday, utc_monday + timedelta(days=7)) == 40 * HOUR
    assert cal.business_seconds(monday + timedelta(days=7), monday) == -40 * HOUR


def test_lunch_breaks_and_holidays() -> None:
    morning_afternoon = [{"start": "09:00", "end": "12:00"}, {"start": "13:00", "end": "17:00"}]
    cal = BusinessCalendar.from_json(
        {
            "timezone": "Europe/Paris",
            "hours": {d: morning_afternoon for d in ("mon", "tue", "wed", "thu", "fri")},
            "holidays": ["2025-05-01"],
        }
    )
    # Wednesday 11:00 → 14:00 = 1 h before lunch + 1 h after
    wed = datetime(2025, 4, 30, 11, tzinfo=PARIS)
    assert cal.business_seconds(wed, wed.replace(hour=14)) == 2 * HOUR
    # Wednesday 11:00 → Friday 10:00 skips Thursday 1 May: 1 + 4 + 0 + 1 = 6 h
    assert cal.business_seconds(wed, datetime(2025, 5, 2, 10, tzinfo=PARIS)) == 6 * HOUR


def test_dst_days_count_real_elapsed_time() -> None:
    always = {"start": "00:00", "end": "24:00"}
    days = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    cal = BusinessCalendar.from_json(
        {"timezone": "Europe/Paris", "hours": {key: [always] for key in days}}
    )
    # Sunday 30 March 2025 has 23 hours, Sunday 26 October 2025 has 25
    spring = datetime(2025, 3, 29, tzinfo=PARIS)
    assert cal.business_seconds(spring, datetime(2025, 3, 31, tzinfo=PARIS)) == 47 * HOUR
    autumn = datetime(2025, 10, 25, tzinfo=PARIS)
    assert cal.business_seconds(autumn, datetime(2025, 10, 27, tzinfo=PARIS)) == 49 * HOUR
    # a whole year of a 24/7 calendar is exactly the elapsed time
    year = datetime(2025, 1, 1, tzinfo=PARIS), datetime(2026, 1, 1, tzinfo=PARIS)
    assert cal.business_seconds(*year) == (year[1] - year[0]).total_seconds()


@pytest.mark.parametrize("seed", range(6))
def test_matches_a_minute_by_minute_count(seed: int) -> None:
    rng = random.Random(seed)
    spec = CalendarSpec.model_validate(
        {
            "timezone": "America/New_York",
            "hours": {
                "mon": [{"start": "08:30", "end": "12:00"}, {"start": "13:00", "end": "18:15"}],
                "wed": [{"start": "00:00", "end": "03:00"}, {"start": "22:00", "end": "24:00"}],
                "fri": [{"start": "09:00", "end": "17:00"}],
                "sat": [{"start": "01:30", "end": "02:45"}],
            },
            "holidays": ["2025-03-10", "2025-11-03"],
        }
    )
    cal = BusinessCalendar(spec)
    base = datetime(2025, 3, 5, tzinfo=UTC) if seed % 2 else datetime(2025, 10, 29, tzinfo=UTC)
    start = base + timedelta(minutes=rng.randrange(0, 4 * 1440))
    end = start + timedelta(minutes=rng.randrange(0, 9 * 1440))
    assert cal.business_seconds(start, end) == _brute_force(spec, start, end)


def test_long_spans_match_a_day_by_day_sum() -> None:
    cal = default_calendar("Asia/Tokyo")
    start = datetime(2023, 6, 14, 15, 0, tzinfo=ZoneInfo("Asia/Tokyo"))
    end = datetime(2026, 2, 3, 10, 0, tzinfo=ZoneInfo("Asia/Tokyo"))
    weekdays = sum(
        1
        for i in range(1, (end.date() - start.date()).days)
        if (start.date() + timedelta(days=i)).weekday() < 5
    )
    # Wed 15:00-17:00 = 2 h, Tue 09:00-10:00 = 1 h, plus 8 h per weekday in between
    assert cal.business_seconds(start, end) == (2 + 1 + 8 * weekdays) * HOUR


def test_add_business_time_lands_on_the_right_moment() -> None:
    cal = default_calendar("Europe/Paris")
    friday = datetime(2025, 3, 7, 16, tzinfo=PARIS)
    # 1 h on Friday, then 2 h on Monday from 09:00 → Monday 11:00
    assert cal.add_business_time(friday, 3 * HOUR) == datetime(2025, 3, 10, 11, tzinfo=PARIS)
    # starting at night moves to the next opening
    night = datetime(2025, 3, 4, 23, tzinfo=PARIS)
    assert cal.add_business_time(night, 30 * 60) == datetime(2025, 3, 5, 9, 30, tzinfo=PARIS)
    assert cal.add_business_time(friday, 0) == friday
    rng = random.Random(4)
    for _ in range(30):
        start = datetime(2025, 1, 1, tzinfo=UTC) + timedelta(minutes=rng.randrange(0, 500_000))
        seconds = float(rng.randrange(0, 400 * 3600))
        due = cal.add_business_time(start, seconds)
        assert cal.business_seconds(start, due) == pytest.approx(seconds)
        if seconds:  # the due moment is inside working hours, not after a night
            assert cal.business_seconds(start, due - timedelta(seconds=1)) < seconds


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"timezone": "Mars/Olympus"}, "timezone", "unknown time zone"),
        ({"hours": {"mon": [{"start": "9:00", "end": "17:00"}]}}, "hours.mon.0.start", "HH:MM"),
        ({"hours": {"mon": [{"start": "17:00", "end": "09:00"}]}}, "hours.mon.0", "after start"),
        ({"hours": {"tue": [{"start": "09:00", "end": "25:00"}]}}, "hours.tue.0.end", "HH:MM"),
        ({"hours": {"funday": []}}, "hours.funday", "Input should be"),
        (
            {
                "hours": {
                    "mon": [{"start": "09:00", "end": "13:00"}, {"start": "12:00", "end": "17:00"}]
                }
            },
            "calendar",
            "overlap",
        ),
        ({"hours": {}}, "calendar", "at least one working interval"),
    ],
)
def test_bad_calendars_are_rejected_naming_the_field(
    data: dict[str, Any], field: str, message: str
) -> None:
    with pytest.raises(Invalid) as info:
        BusinessCalendar.from_json(data)
    assert any(d["field"] == field and message in d["message"] for d in info.value.details)
    assert message in info.value.message


def test_naive_datetimes_are_refused() -> None:
    cal = default_calendar()
    with pytest.raises(Invalid, match="timezone-aware"):
        cal.business_seconds(datetime(2025, 1, 1), datetime(2025, 1, 2, tzinfo=UTC))
    with pytest.raises(Invalid, match="zero or more"):
        cal.add_business_time(datetime(2025, 1, 1, tzinfo=UTC), -1)


def test_default_calendar_round_trips_as_json() -> None:
    spec = default_calendar("America/Chicago").spec
    assert spec.hours.keys() == {"mon", "tue", "wed", "thu", "fri"}
    again = CalendarSpec.model_validate_json(spec.model_dump_json())
    assert again == spec
    assert again.holidays == [] and isinstance(date.today(), date)

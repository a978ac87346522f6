"""First response, resolution and reopen rate from ticket timestamps, worked out by hand."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from cxloop.core.calendar import default_calendar
from cxloop.core.errors import Invalid
from cxloop.metrics.support import Ticket, support_metrics

PARIS = ZoneInfo("Europe/Paris")


def _at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2025, 3, day, hour, minute, tzinfo=PARIS)  # 3 March 2025 is a Monday


def test_times_in_calendar_and_business_hours() -> None:
    tickets = [
        # Mon 10:00, reply 11:00 (1 h / 1 h), solved Tue 10:00 (24 h / 8 h)
        Ticket(_at(3, 10), _at(3, 11), _at(4, 10)),
        # Fri 16:00, reply Mon 10:00 (66 h / 2 h), solved Mon 12:00 (68 h / 4 h), reopened twice
        Ticket(_at(7, 16), _at(10, 10), _at(10, 12), reopened=2),
        # Tue 09:00, reply 09:30 (0.5 h / 0.5 h), still open
        Ticket(_at(4, 9), _at(4, 9, 30)),
        # Wed 08:00, no reply yet
        Ticket(_at(5, 8)),
    ]
    result = support_metrics(tickets, default_calendar("Europe/Paris"))
    assert result.tickets == 4
    fr = result.first_response
    assert (fr.n, fr.open, fr.invalid) == (3, 1, 0)
    assert fr.median_hours == pytest.approx(1.0)
    assert fr.mean_hours == pytest.approx((1 + 66 + 0.5) / 3)
    assert fr.business_median_hours == pytest.approx(1.0)
    assert fr.business_mean_hours == pytest.approx((1 + 2 + 0.5) / 3)
    res = result.resolution
    assert (res.n, res.open) == (2, 2)
    assert res.median_hours == pytest.approx((24 + 68) / 2)
    assert res.business_mean_hours == pytest.approx((8 + 4) / 2)
    # 1 of 2 solved tickets was reopened (counted once however often)
    assert (result.solved, result.reopened) == (2, 1)
    assert result.reopen_rate == pytest.approx(50.0)


def test_no_tickets_or_nothing_solved_gives_no_numbers() -> None:
    empty = support_metrics([])
    assert empty.first_response.n == 0 and empty.first_response.median_hours is None
    assert empty.reopen_rate is None
    unsolved = support_metrics([Ticket(_at(3, 10), _at(3, 12))])
    assert unsolved.reopen_rate is None
    assert unsolved.resolution.open == 1


def test_a_reply_before_creation_is_counted_as_invalid_not_as_fast() -> None:
    created = _at(3, 10)
    result = support_metrics(
        [
            Ticket(created, created - timedelta(hours=1)),
            Ticket(created, created + timedelta(hours=2)),
        ]
    )
    assert (result.first_response.n, result.first_response.invalid) == (1, 1)
    assert result.first_response.mean_hours == pytest.approx(2.0)


def test_naive_timestamps_are_rejected_naming_the_ticket() -> None:
    with pytest.raises(Invalid, match=r"tickets\[1\]\.solved"):
        support_metrics([Ticket(_at(3, 10)), Ticket(_at(3, 10), solved=datetime(2025, 3, 4))])

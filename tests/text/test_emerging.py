"""Emerging issues: exact tests pinned by hand, planted spikes found, flat or small series not."""

from __future__ import annotations

from math import comb

import pytest

from cxloop.core.errors import Invalid
from cxloop.text.emerging import (
    ThemePeriodCount,
    detect_emerging,
    negativity_p_value,
    volume_p_value,
)

WEEKS = [f"2025-W{week:02d}" for week in range(1, 11)]  # W01..W10, W10 the latest


def _two_sided(probabilities: list[float], observed: int) -> float:
    """Exact two-sided p: total probability of outcomes no more likely than the observed one."""
    limit = probabilities[observed] * (1 + 1e-7)
    return sum(p for p in probabilities if p <= limit)


def test_volume_p_value_is_the_conditional_binomial_test() -> None:
    # 12 mentions in 100 comments now; 20 in 800 before. Under "same rate" the 32 mentions
    # fall into the current period with probability 100 / 900 = 1/9 each.
    n, q = 32, 1 / 9
    probabilities = [comb(n, k) * q**k * (1 - q) ** (n - k) for k in range(n + 1)]
    expected = _two_sided(probabilities, 12)
    assert volume_p_value(12, 100, 20, 800) == pytest.approx(expected, rel=1e-9)
    assert expected < 0.001  # 12 seen where 3.6 were expected


def test_negativity_p_value_is_fishers_exact_test() -> None:
    # 8 of 10 mentions negative now, 10 of 40 before: 18 negative among 50 mentions; the
    # number landing in the current 10 is hypergeometric.
    total = comb(50, 10)
    probabilities = [comb(18, k) * comb(32, 10 - k) / total for k in range(11)]
    expected = _two_sided(probabilities, 8)
    assert negativity_p_value(8, 10, 10, 40) == pytest.approx(expected, rel=1e-9)
    assert 0.0001 < expected < 0.01


def _series(
    key: str, mentions: list[int], negative: list[int] | None = None, comments: int = 100
) -> list[ThemePeriodCount]:
    negative = negative or [0] * len(mentions)
    return [
        ThemePeriodCount(key, "store", week, m, n, comments)
        for week, m, n in zip(WEEKS, mentions, negative, strict=True)
    ]


def _flat_series() -> list[ThemePeriodCount]:
    return [
        *_series(
            "delivery", [10, 12, 9, 11, 10, 13, 9, 11, 10, 12], [3, 4, 2, 3, 3, 4, 2, 3, 3, 4]
        ),
        *_series("price", [5, 4, 6, 5, 3, 5, 6, 4, 5, 5], [1, 1, 2, 1, 0, 1, 2, 1, 1, 1]),
        *_series("staff", [20, 18, 22, 19, 21, 20, 23, 18, 20, 21], [2, 3, 2, 2, 3, 2, 3, 2, 2, 3]),
    ]


def test_flat_series_flags_nothing() -> None:
    assert detect_emerging(_flat_series()) == []


def test_planted_volume_spike_is_found_in_the_latest_period() -> None:
    series = _flat_series() + _series("parking", [3, 2, 4, 3, 2, 3, 4, 3, 2, 15])
    issues = detect_emerging(series)
    assert [(i.key, i.metric, i.direction) for i in issues] == [("parking", "volume", "up")]
    issue = issues[0]
    assert issue.period == "2025-W10" and issue.touchpoint == "store"
    assert (
        issue.count == issue.mentions == 15 and issue.baseline_count == 23
    )  # W02..W09: the last 8 weeks
    assert issue.current == pytest.approx(0.15)
    assert issue.baseline == pytest.approx(23 / 800)
    assert issue.lift == pytest.approx(0.15 / (23 / 800), rel=1e-3)
    assert issue.p_value == pytest.approx(volume_p_value(15, 100, 23, 800))
    assert issue.p_adjusted < 0.05


def test_planted_negativity_spike_is_found() -> None:
    negative = [4, 5, 4, 3, 4, 5, 4, 4, 3, 16]
    series = _flat_series() + _series("checkout", [20] * 10, negative)
    issues = detect_emerging(series)
    assert [(i.key, i.metric, i.direction) for i in issues] == [("checkout", "negativity", "up")]
    assert issues[0].current == pytest.approx(0.8)
    assert issues[0].baseline == pytest.approx(32 / 160)
    assert issues[0].lift == pytest.approx(4.0)


def test_a_drop_is_reported_as_down() -> None:
    series = _flat_series() + _series("queue", [30, 28, 32, 31, 29, 30, 33, 30, 28, 4])
    issues = detect_emerging(series)
    assert [(i.key, i.metric, i.direction) for i in issues] == [("queue", "volume", "down")]


def test_small_counts_are_not_flagged_even_when_unlikely() -> None:
    series = _flat_series() + _series("wifi", [0, 0, 0, 0, 0, 0, 0, 0, 0, 3])
    assert detect_emerging(series) == []
    tested = detect_emerging(series, only_significant=False, adjust=False)
    wifi = next(i for i in tested if i.key == "wifi")
    assert wifi.p_value < 0.01 and wifi.lift == pytest.approx(0.03 / (0.5 / 800))
    assert not wifi.significant  # 3 mentions < min_mentions
    flagged = detect_emerging(series, min_mentions=3, adjust=False)
    assert [i.key for i in flagged] == ["wifi"]


def test_items_without_enough_history_are_not_tested() -> None:
    young = [
        ThemePeriodCount("parking", "kiosk", week, m, 0, 100)
        for week, m in zip(WEEKS[-4:], [2, 3, 2, 40], strict=True)
    ]
    assert detect_emerging(young, only_significant=False) == []  # 3 weeks < min_history 4
    assert [i.key for i in detect_emerging(young, min_history=3)] == ["parking"]


def test_earlier_periods_can_be_tested() -> None:
    mentions = [3, 2, 4, 3, 2, 25, 3, 2, 3, 3]
    series = _flat_series() + _series("parking", mentions)
    assert detect_emerging(series) == []
    issues = detect_emerging(series, periods=["2025-W06", "2025-W10"], baseline_periods=5)
    assert [(i.key, i.period) for i in issues] == [("parking", "2025-W06")]


def test_bad_input_names_the_field() -> None:
    bad = [ThemePeriodCount("parking", None, "2025-W01", 3, 5, 100)]
    with pytest.raises(Invalid, match="negative <= mentions"):
        detect_emerging(bad)
    clash = [
        ThemePeriodCount("parking", None, "2025-W01", 3, 0, 100),
        ThemePeriodCount("wifi", None, "2025-W01", 3, 0, 90),
    ]
    with pytest.raises(Invalid, match="total"):
        detect_emerging(clash)
    with pytest.raises(Invalid, match="periods"):
        detect_emerging(_flat_series(), periods=["2024-W01"])
    with pytest.raises(Invalid, match="min_history"):
        detect_emerging(_flat_series(), baseline_periods=3)

"""Emerging issues: themes whose volume or negativity jumps against their own recent past.

For each (theme, touchpoint) and tested period, two exact tests against the previous
`baseline_periods` periods (pooled):

- volume: mentions per comment. Mentions are counted as Poisson events with the slice's comment
  total as exposure; given the mentions of both windows, the current ones are binomial with
  p = n / (n + N) under "same rate" (the exact conditional test for two Poisson rates).
- negativity: negative mentions per mention, Fisher's exact test on the 2x2 table.

p-values are two-sided; `direction` says up or down. With many themes and touchpoints some p
fall under alpha by chance, so `significant` uses Benjamini-Hochberg adjusted p-values (false
discovery rate) unless `adjust=False`, and needs at least `min_mentions` counts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

from scipy.stats import binomtest, false_discovery_control, fisher_exact

from cxloop.core.errors import Invalid

Period = date | str  # sorted by str(): ISO dates and weeks ("2025-W07") sort in time order
Metric = Literal["volume", "negativity"]


@dataclass(frozen=True)
class ThemePeriodCount:
    """One theme in one touchpoint (None: all) and period."""

    key: str
    touchpoint: str | None
    period: Period
    mentions: int  # comments mentioning the theme
    negative: int  # of them negative about it
    total: int  # all comments in the touchpoint and period


@dataclass(frozen=True)
class EmergingIssue:
    key: str
    touchpoint: str | None
    period: Period
    metric: Metric
    current: float  # volume: mentions per comment; negativity: negative share of mentions
    baseline: float  # the same over the baseline periods
    lift: float  # current / baseline (a baseline of 0 counts as half an event)
    mentions: int  # mentions of the theme in the current period
    count: int  # volume: mentions; negativity: negative mentions (current period)
    baseline_count: int  # the same over the baseline periods
    p_value: float
    p_adjusted: float  # Benjamini-Hochberg over every test of the call
    significant: bool
    direction: Literal["up", "down"]


@dataclass
class _Test:
    key: str
    touchpoint: str | None
    period: Period
    metric: Metric
    current: tuple[int, int]  # (events, exposure)
    baseline: tuple[int, int]
    p_value: float
    mentions: int


def detect_emerging(
    series: Sequence[ThemePeriodCount],
    *,
    baseline_periods: int = 8,
    min_history: int = 4,
    alpha: float = 0.05,
    min_mentions: int = 5,
    periods: Collection[Period] | None = None,
    adjust: bool = True,
    only_significant: bool = True,
) -> list[EmergingIssue]:
    """Volume and negativity spikes (and drops) in the latest period, or in each of `periods`.

    An item is tested only when at least `min_history` of the previous `baseline_periods`
    periods hold comments for its touchpoint. Most significant first."""
    _check(series, baseline_periods, min_history, alpha, min_mentions)
    timeline = sorted({str(row.period): row.period for row in series}.items())
    order = {name: index for index, (name, _) in enumerate(timeline)}
    totals: dict[tuple[str | None, str], int] = {}
    items: dict[tuple[str, str | None], dict[str, ThemePeriodCount]] = defaultdict(dict)
    for row in series:
        slot = (row.touchpoint, str(row.period))
        if totals.setdefault(slot, row.total) != row.total:
            raise Invalid(
                f"total: differs between themes for touchpoint {row.touchpoint!r} "
                f"and period {row.period}"
            )
        if str(row.period) in items[(row.key, row.touchpoint)]:
            raise Invalid(f"series: {row.key!r} appears twice in period {row.period}")
        items[(row.key, row.touchpoint)][str(row.period)] = row
    wanted = [timeline[-1][0]] if periods is None and timeline else sorted(map(str, periods or ()))
    tests: list[_Test] = []
    for (key, touchpoint), rows in sorted(items.items(), key=lambda i: (i[0][0], str(i[0][1]))):
        for name in wanted:
            if name not in order:
                raise Invalid(f"periods: {name} is not in the series")
            start = max(0, order[name] - baseline_periods)
            history = [p for p, _ in timeline[start : order[name]] if (touchpoint, p) in totals]
            current_total = totals.get((touchpoint, name), 0)
            if len(history) < min_history or current_total == 0:
                continue
            period = dict(timeline)[name]
            tests.extend(
                _tests(
                    key,
                    touchpoint,
                    period,
                    rows.get(name),
                    current_total,
                    [(rows.get(p), totals[(touchpoint, p)]) for p in history],
                )
            )
    return _issues(tests, alpha, min_mentions, adjust, only_significant)


def _check(
    series: Sequence[ThemePeriodCount], baseline: int, history: int, alpha: float, least: int
) -> None:
    if baseline < 1:
        raise Invalid("baseline_periods: must be at least 1")
    if not 1 <= history <= baseline:
        raise Invalid("min_history: must be between 1 and baseline_periods")
    if not 0 < alpha < 1:
        raise Invalid("alpha: must be between 0 and 1")
    if least < 1:
        raise Invalid("min_mentions: must be at least 1")
    for row in series:
        if not 0 <= row.negative <= row.mentions <= row.total:
            raise Invalid(
                f"series: {row.key!r} in {row.period} needs 0 <= negative <= mentions <= "
                f"total (got {row.negative}, {row.mentions}, {row.total})"
            )


def _tests(
    key: str,
    touchpoint: str | None,
    period: Period,
    row: ThemePeriodCount | None,
    total: int,
    history: list[tuple[ThemePeriodCount | None, int]],
) -> list[_Test]:
    mentions = row.mentions if row else 0
    negative = row.negative if row else 0
    base_mentions = sum(r.mentions for r, _ in history if r)
    base_negative = sum(r.negative for r, _ in history if r)
    base_total = sum(t for _, t in history)
    where = (key, touchpoint, period)
    tests = []
    if mentions + base_mentions > 0:
        p = volume_p_value(mentions, total, base_mentions, base_total)
        volume = (mentions, total), (base_mentions, base_total)
        tests.append(_Test(*where, "volume", *volume, p, mentions))
    if mentions > 0 and base_mentions > 0 and negative + base_negative > 0:
        p = negativity_p_value(negative, mentions, base_negative, base_mentions)
        negativity = (negative, mentions), (base_negative, base_mentions)
        tests.append(_Test(*where, "negativity", *negativity, p, mentions))
    return tests


def volume_p_value(mentions: int, comments: int, base_mentions: int, base_comments: int) -> float:
    """Two-sided exact test of equal mention rates (conditional binomial test)."""
    share = comments / (comments + base_comments)
    return float(binomtest(mentions, mentions + base_mentions, share).pvalue)


def negativity_p_value(
    negative: int, mentions: int, base_negative: int, base_mentions: int
) -> float:
    """Two-sided Fisher's exact test of equal negative shares."""
    table = [[negative, mentions - negative], [base_negative, base_mentions - base_negative]]
    return float(fisher_exact(table).pvalue)


def _issues(
    tests: list[_Test], alpha: float, min_mentions: int, adjust: bool, only_significant: bool
) -> list[EmergingIssue]:
    if not tests:
        return []
    adjusted = false_discovery_control([t.p_value for t in tests]) if adjust else None
    issues = []
    for index, test in enumerate(tests):
        (count, exposure), (base_count, base_exposure) = test.current, test.baseline
        current, baseline = count / exposure, base_count / base_exposure
        up = current > baseline
        expected = baseline * exposure  # counts the current period would have at baseline
        enough = (count if up else expected) >= min_mentions
        p_adjusted = float(adjusted[index]) if adjusted is not None else test.p_value
        issues.append(
            EmergingIssue(
                key=test.key,
                touchpoint=test.touchpoint,
                period=test.period,
                metric=test.metric,
                current=round(current, 6),
                baseline=round(baseline, 6),
                lift=round(current / max(baseline, 0.5 / base_exposure), 4),
                mentions=test.mentions,
                count=count,
                baseline_count=base_count,
                p_value=test.p_value,
                p_adjusted=min(1.0, p_adjusted),
                significant=enough and p_adjusted < alpha,
                direction="up" if up else "down",
            )
        )
    if only_significant:
        issues = [issue for issue in issues if issue.significant]
    return sorted(issues, key=lambda i: (i.p_adjusted, i.p_value, i.key, str(i.touchpoint)))

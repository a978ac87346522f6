"""Is the change real? Compares two periods or two segments of NPS, a share, or a mean.

Every function takes the counts/sums of sample ``a`` (e.g. last period) and ``b`` (this period),
and reports ``delta = b - a`` with a test statistic, a two-sided p-value and the interval of the
difference (DESIGN.md "Metric definitions"):

- NPS: z = ΔNPS / √(Var_a + Var_b), Var = 100²·[(p+d) - (p-d)²]/n; significant when |z| > 1.96.
- Shares (CSAT top-2-box, CES % easy): pooled two-proportion z-test,
  z = (p_b - p_a) / √(p̂(1-p̂)(1/n_a + 1/n_b)), p̂ = (x_a + x_b)/(n_a + n_b); the interval of the
  difference is the unpooled Wald one, Δ ± z·√(p_a(1-p_a)/n_a + p_b(1-p_b)/n_b).
- Means: Welch's t-test from (n, Σx, Σx²), t = Δ / √(s_a²/n_a + s_b²/n_b) with the
  Welch-Satterthwaite df = (s_a²/n_a + s_b²/n_b)² / Σ (s²/n)²/(n-1).

``direction`` is "up"/"down" only when the difference is significant, otherwise "flat" (that
is what a dashboard arrow shows). A sample with fewer than 2 answers, or two samples without any
variance, cannot be tested: the result is "flat", not significant, and ``reason`` says why.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from scipy import stats as _scipy_stats

from cxloop.core.errors import Invalid
from cxloop.metrics.stats import nps, nps_variance

Direction = Literal["up", "down", "flat"]


@dataclass(frozen=True)
class Comparison:
    """b - a with its test. Deltas and intervals are in points (NPS, %) or scale units (means)."""

    delta: float
    statistic: float
    p_value: float
    significant: bool
    direction: Direction
    low: float | None
    high: float | None
    df: float | None = None
    reason: str | None = None


def _alpha(confidence: float) -> float:
    if not 0.0 < confidence < 1.0:
        raise Invalid(f"confidence must be between 0 and 1 (e.g. 0.95), got {confidence}")
    return 1.0 - confidence


def _untestable(delta: float, reason: str) -> Comparison:
    return Comparison(delta, 0.0, 1.0, False, "flat", None, None, None, reason)


def _result(
    delta: float,
    statistic: float,
    p_value: float,
    alpha: float,
    half: float,
    df: float | None = None,
) -> Comparison:
    significant = bool(p_value < alpha)
    direction: Direction = "flat"
    if significant:
        direction = "up" if delta > 0 else "down"
    return Comparison(
        delta, statistic, p_value, significant, direction, delta - half, delta + half, df
    )


def _counts(name: str, good: int, n: int, bad: int = 0) -> None:
    if n < 0 or good < 0 or bad < 0:
        raise Invalid(f"{name}: counts cannot be negative")
    if good + bad > n:
        raise Invalid(f"{name}: the counted answers ({good + bad}) exceed n ({n})")


def compare_nps(
    a: tuple[int, int, int], b: tuple[int, int, int], confidence: float = 0.95
) -> Comparison:
    """Compares two NPS samples given as (promoters, detractors, n)."""
    alpha = _alpha(confidence)
    (pa, da, na), (pb, db, nb) = a, b
    _counts("a", pa, na, da)
    _counts("b", pb, nb, db)
    if na < 2 or nb < 2:
        delta = nps(pb, db, nb) - nps(pa, da, na) if na and nb else 0.0
        return _untestable(delta, "each sample needs at least 2 answers")
    delta = nps(pb, db, nb) - nps(pa, da, na)
    se = math.sqrt(nps_variance(pa / na, da / na, na) + nps_variance(pb / nb, db / nb, nb))
    if se == 0:
        return _untestable(delta, "no variance in either sample")
    z = delta / se
    p_value = float(2 * _scipy_stats.norm.sf(abs(z)))
    half = float(_scipy_stats.norm.ppf(1 - alpha / 2)) * se
    return _result(delta, z, p_value, alpha, half)


def compare_proportions(
    a: tuple[int, int], b: tuple[int, int], confidence: float = 0.95
) -> Comparison:
    """Compares two shares given as (successes, n); delta in percentage points."""
    alpha = _alpha(confidence)
    (xa, na), (xb, nb) = a, b
    _counts("a", xa, na)
    _counts("b", xb, nb)
    if na < 2 or nb < 2:
        delta = 100.0 * (xb / nb - xa / na) if na and nb else 0.0
        return _untestable(delta, "each sample needs at least 2 answers")
    p_a, p_b = xa / na, xb / nb
    delta = 100.0 * (p_b - p_a)
    pooled = (xa + xb) / (na + nb)
    se_pooled = math.sqrt(pooled * (1 - pooled) * (1 / na + 1 / nb))
    if se_pooled == 0:
        return _untestable(delta, "no variance in either sample")
    z = (p_b - p_a) / se_pooled
    p_value = float(2 * _scipy_stats.norm.sf(abs(z)))
    se_diff = math.sqrt(p_a * (1 - p_a) / na + p_b * (1 - p_b) / nb)
    half = 100.0 * float(_scipy_stats.norm.ppf(1 - alpha / 2)) * se_diff
    return _result(delta, z, p_value, alpha, half)


def _mean_var(n: int, total: float, total_sq: float) -> tuple[float, float]:
    """Mean and sample variance s² = (Σx² - n·mean²)/(n-1) from sums (n >= 2)."""
    mean = total / n
    variance = (total_sq - n * mean * mean) / (n - 1)
    # Σx² - n·mean² loses digits to rounding: a variance this small relative to mean² is zero.
    return mean, 0.0 if variance <= 1e-12 * max(1.0, mean * mean) else variance


def compare_means(
    a: tuple[int, float, float], b: tuple[int, float, float], confidence: float = 0.95
) -> Comparison:
    """Welch's t-test on two samples given as (n, Σx, Σx²); delta in scale units."""
    alpha = _alpha(confidence)
    (na, sa, qa), (nb, sb, qb) = a, b
    if na < 0 or nb < 0:
        raise Invalid("a mean comparison needs counts n >= 0")
    if na < 2 or nb < 2:
        delta = sb / nb - sa / na if na and nb else 0.0
        return _untestable(delta, "each sample needs at least 2 answers")
    mean_a, var_a = _mean_var(na, sa, qa)
    mean_b, var_b = _mean_var(nb, sb, qb)
    delta = mean_b - mean_a
    ua, ub = var_a / na, var_b / nb
    se2 = ua + ub
    if se2 == 0:
        return _untestable(delta, "no variance in either sample")
    t = delta / math.sqrt(se2)
    df = se2**2 / (ua**2 / (na - 1) + ub**2 / (nb - 1))
    p_value = float(2 * _scipy_stats.t.sf(abs(t), df))
    half = float(_scipy_stats.t.ppf(1 - alpha / 2, df)) * math.sqrt(se2)
    return _result(delta, t, p_value, alpha, half, df)

"""Pure statistics for CX metrics (no database): NPS, proportions and means with 95% intervals.

Formulas follow DESIGN.md ("Metric definitions"). Every function takes counts or sums, so the
database does the aggregation and Python only finishes the arithmetic.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from scipy import stats as _scipy_stats

Z95 = 1.96
DEFAULT_MIN_SAMPLE = 30


@dataclass(frozen=True)
class Estimate:
    """A point estimate with its 95% interval (the interval is None when it cannot be computed)."""

    value: float
    low: float | None
    high: float | None


def _clip(value: float, low: float, high: float) -> float:
    return max(low, min(high, value))


def insufficient(n: int, min_sample: int = DEFAULT_MIN_SAMPLE) -> bool:
    """True when ``n`` is below the workspace's minimum sample ("not enough responses")."""
    return n < min_sample


def nps(promoters: int, detractors: int, n: int) -> float:
    """NPS = 100·(P - D)/n, in -100..100."""
    if n <= 0:
        raise ValueError("NPS needs at least one answer")
    return 100.0 * (promoters - detractors) / n


def nps_variance(p: float, d: float, n: float) -> float:
    """Variance of NPS in points²: 100²·[(p + d) - (p - d)²]/n for shares p, d."""
    return 100.0**2 * ((p + d) - (p - d) ** 2) / n


def nps_wald(promoters: int, detractors: int, n: int, z: float = Z95) -> Estimate:
    """Plain Wald interval: NPS ± z·√Var with p = P/n, d = D/n (clipped to ±100)."""
    value = nps(promoters, detractors, n)
    half = z * math.sqrt(nps_variance(promoters / n, detractors / n, n))
    return Estimate(value, _clip(value - half, -100, 100), _clip(value + half, -100, 100))


def nps_adjusted_wald(promoters: int, detractors: int, n: int, z: float = Z95) -> Estimate:
    """NPS with the adjusted-Wald interval (n' = n+3, P' = P+0.75, D' = D+0.75).

    The value is the plain NPS; the interval is centred on the adjusted estimate
    100·(p' - d') with half-width z·√Var(p', d', n'), clipped to [-100, 100].
    """
    value = nps(promoters, detractors, n)
    n_adj = n + 3
    p_adj = (promoters + 0.75) / n_adj
    d_adj = (detractors + 0.75) / n_adj
    centre = 100.0 * (p_adj - d_adj)
    half = z * math.sqrt(nps_variance(p_adj, d_adj, n_adj))
    return Estimate(value, _clip(centre - half, -100, 100), _clip(centre + half, -100, 100))


def nps_differs(
    a: tuple[int, int, int], b: tuple[int, int, int], z: float = Z95
) -> tuple[float, float]:
    """Compares two NPS (P, D, n) samples: returns (ΔNPS = b - a, z-score).

    They differ significantly at 95% when |z-score| > 1.96 (DESIGN.md).
    """
    (pa, da, na), (pb, db, nb) = a, b
    delta = nps(pb, db, nb) - nps(pa, da, na)
    spread = math.sqrt(nps_variance(pa / na, da / na, na) + nps_variance(pb / nb, db / nb, nb))
    if spread == 0:
        return delta, 0.0 if delta == 0 else math.copysign(math.inf, delta)
    return delta, delta / spread


def wilson(successes: int, n: int, z: float = Z95) -> Estimate:
    """A proportion in percent (e.g. CSAT top-2-box, CES % easy) with the Wilson interval."""
    if n <= 0:
        raise ValueError("a proportion needs at least one answer")
    p = successes / n
    z2 = z * z
    denom = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denom
    low, high = _clip(centre - half, 0, 1), _clip(centre + half, 0, 1)
    return Estimate(100.0 * p, 100.0 * low, 100.0 * high)


def mean_t(n: int, total: float, total_sq: float, confidence: float = 0.95) -> Estimate:
    """Mean with a Student-t interval from n, Σx and Σx² (no interval when n < 2)."""
    if n <= 0:
        raise ValueError("a mean needs at least one answer")
    mean = total / n
    if n < 2:
        return Estimate(mean, None, None)
    variance = max(0.0, (total_sq - n * mean * mean) / (n - 1))
    t = float(_scipy_stats.t.ppf(0.5 + confidence / 2, n - 1))
    half = t * math.sqrt(variance / n)
    return Estimate(mean, mean - half, mean + half)

"""Pure statistics for CX metrics (no database): NPS, proportions and means with 95% intervals.

Formulas follow DESIGN.md ("Metric definitions"). Every function takes counts or sums, so the
database does the aggregation and Python only finishes the arithmetic.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from scipy import stats as _scipy_stats

from cxloop.core.errors import Invalid

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


def wald(successes: int, n: int, z: float = Z95) -> Estimate:
    """A proportion in percent with the plain Wald interval p ± z·√(p(1-p)/n), clipped to 0..100.

    Wilson is the better interval for reporting; Wald is kept because survey planning
    ("±4.9 points at n = 400") is quoted in this form.
    """
    if n <= 0:
        raise Invalid("a proportion needs at least one answer")
    p = successes / n
    half = margin_of_error(p, n, z)
    value = 100.0 * p
    return Estimate(value, _clip(value - half, 0, 100), _clip(value + half, 0, 100))


def margin_of_error(p: float, n: int, z: float = Z95) -> float:
    """Half-width of the plain Wald interval of a share, in points: 100·z·√(p(1-p)/n).

    p = 0.50, n = 400 → 100·1.96·√(0.25/400) = ±4.9 points.
    """
    _check_share("p", p)
    if n <= 0:
        raise Invalid("the sample size n must be at least 1")
    return 100.0 * z * math.sqrt(p * (1 - p) / n)


def nps_margin_of_error(p: float, d: float, n: int, z: float = Z95) -> float:
    """Half-width of the plain Wald NPS interval, in points: z·√(100²·[(p+d) - (p-d)²]/n).

    p = 0.50, d = 0.20, n = 400 → 1.96·√15.25 = ±7.7 points.
    """
    _check_shares(p, d)
    if n <= 0:
        raise Invalid("the sample size n must be at least 1")
    return z * math.sqrt(nps_variance(p, d, n))


def sample_size(margin: float, p: float = 0.5, z: float = Z95) -> int:
    """Smallest n whose Wald margin for a share p is at most ``margin`` points.

    n = ⌈(100·z)²·p(1-p)/margin²⌉; the default p = 0.5 is the worst case.
    """
    _check_share("p", p)
    if margin <= 0:
        raise Invalid("the margin must be greater than 0 points")
    return max(1, math.ceil((100.0 * z) ** 2 * p * (1 - p) / margin**2 - 1e-9))


def nps_sample_size(margin: float, p: float, d: float, z: float = Z95) -> int:
    """Smallest n whose Wald NPS margin is at most ``margin`` points.

    n = ⌈z²·100²·[(p+d) - (p-d)²]/margin²⌉ for expected promoter/detractor shares p, d.
    """
    _check_shares(p, d)
    if margin <= 0:
        raise Invalid("the margin must be greater than 0 points")
    return max(1, math.ceil(z**2 * nps_variance(p, d, 1) / margin**2 - 1e-9))


def _check_share(name: str, value: float) -> None:
    if not 0.0 <= value <= 1.0:
        raise Invalid(f"{name} must be a share between 0 and 1, got {value}")


def _check_shares(p: float, d: float) -> None:
    _check_share("p (promoters)", p)
    _check_share("d (detractors)", d)
    if p + d > 1.0 + 1e-12:
        raise Invalid("promoter and detractor shares p + d cannot exceed 1")

"""Metric values and 95% intervals for many groups at once (numpy), for large breakdowns.

Same formulas, in the same operation order, as ``cxloop.metrics.stats`` (nps_adjusted_wald,
wilson, mean_t), so every group gets bit-identical floats to the one-at-a-time functions;
rounding uses Python's ``round`` on the results, as the scalar path does.
"""

from __future__ import annotations

import functools
import gc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import stats as _scipy_stats

from cxloop.metrics.stats import Z95

Floats = npt.NDArray[np.float64]


@contextmanager
def paused_gc() -> Iterator[None]:
    """No cyclic garbage collection inside: building thousands of rows (or millions of fetched
    tuples) would otherwise trigger full collections that rescan them, for no garbage."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@functools.lru_cache(maxsize=4096)
def t_quantile(df: int) -> float:
    """The 97.5% Student-t quantile (a 95% two-sided interval) for ``df`` degrees of freedom."""
    return float(_scipy_stats.t.ppf(0.975, df))


def _rounded(values: Floats, digits: int, valid: npt.NDArray[np.bool_]) -> list[float | None]:
    return [round(v, digits) if ok else None for v, ok in zip(values.tolist(), valid, strict=True)]


def result_columns(
    metric: str,
    n: Sequence[int],
    good: Sequence[int],
    bad: Sequence[int],
    total: Sequence[float],
    total_sq: Sequence[float],
    min_sample: int,
) -> dict[str, list[Any]]:
    """MetricResult fields as columns (one entry per group): value, interval, mean, flags."""
    nn = np.asarray(n, dtype=np.int64)
    gg = np.asarray(good, dtype=np.int64)
    bb = np.asarray(bad, dtype=np.int64)
    has = nn > 0
    nf = np.where(has, nn, 1).astype(np.float64)
    none: list[Any] = [None] * len(nn)
    columns: dict[str, list[Any]] = {
        "n": nn.tolist(),
        "good": gg.tolist(),
        "bad": bb.tolist(),
        "total": [float(v) for v in total],
        "total_sq": [float(v) for v in total_sq],
        "insufficient": (nn < min_sample).tolist(),
        "mean": none,
        "mean_ci_low": none,
        "mean_ci_high": none,
    }
    with np.errstate(divide="ignore", invalid="ignore"):
        if metric == "nps":
            value = 100.0 * (gg - bb) / nf
            n_adj = nn + 3
            p_adj = (gg + 0.75) / n_adj
            d_adj = (bb + 0.75) / n_adj
            centre = 100.0 * (p_adj - d_adj)
            half = Z95 * np.sqrt(100.0**2 * ((p_adj + d_adj) - (p_adj - d_adj) ** 2) / n_adj)
            low = np.maximum(-100, np.minimum(100, centre - half))
            high = np.maximum(-100, np.minimum(100, centre + half))
        else:
            p = gg / nf
            z2 = Z95 * Z95
            denom = 1 + z2 / nf
            centre = (p + z2 / (2 * nf)) / denom
            half = Z95 * np.sqrt(p * (1 - p) / nf + z2 / (4 * nf * nf)) / denom
            value = 100.0 * p
            low = 100.0 * np.maximum(0, np.minimum(1, centre - half))
            high = 100.0 * np.maximum(0, np.minimum(1, centre + half))
            sums = np.asarray(total, dtype=np.float64)
            squares = np.asarray(total_sq, dtype=np.float64)
            mean = sums / nf
            spread = nn >= 2
            variance = np.maximum(0.0, (squares - nf * mean * mean) / np.where(spread, nf - 1, 1))
            t = np.array([t_quantile(int(k) - 1) if k >= 2 else np.nan for k in nn.tolist()])
            m_half = t * np.sqrt(variance / nf)
            columns.update(
                mean=_rounded(mean, 3, has),
                mean_ci_low=_rounded(mean - m_half, 3, spread),
                mean_ci_high=_rounded(mean + m_half, 3, spread),
            )
    columns.update(
        value=_rounded(value, 2, has), ci_low=_rounded(low, 2, has), ci_high=_rounded(high, 2, has)
    )
    return columns

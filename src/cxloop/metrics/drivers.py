"""Key driver analysis: which ratings (touchpoints, attributes) explain an outcome (NPS, CSAT).

Importance is the share of the outcome's explained variance R² that each driver carries, never
a raw correlation (correlated drivers would share credit twice). Two methods, both computed from
the correlation matrix R of [drivers, outcome] only:

- Johnson's relative weights: R_xx = VΛVᵀ, Λ* = VΛ^½Vᵀ (correlations of the drivers with their
  closest orthogonal twins Z), β = Λ*⁻¹ r_xy (outcome on Z), raw weight ε_j = Σ_k Λ*_jk²·β_k².
  Σ ε_j = R². Rescaled weight = 100·ε_j/R².
- Shapley / LMG: the average gain in R² from adding driver j over all orderings,
  φ_j = Σ_{S ⊆ K\\{j}} |S|!(k-|S|-1)!/k! · [R²(S + j) - R²(S)], R²(S) = r_Sᵀ R_SS⁻¹ r_S,
  exact over all 2^k subsets (k ≤ 12). Σ φ_j = R².

Missing values: listwise deletion (a row with any missing rating or outcome is dropped; the
count is reported). Pairwise deletion was rejected: its correlation matrix need not be positive
definite, and then weights can be negative.

Bootstrap (95% percentile intervals, fixed seed): rows are dealt at random into about 2000
blocks of ⌈n/2000⌉ rows, each block is reduced to its sums (n, Σa, Σaaᵀ), and each replicate
draws multinomial weights over the blocks. With n ≤ 2000 every block is one row, i.e. the
ordinary row bootstrap; above that, resampling blocks of i.i.d. rows keeps the mean and
covariance of the resampled sums, so a replicate costs O(blocks·k²) instead of O(n·k²).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Literal

import numpy as np
import numpy.typing as npt

from cxloop.core.errors import Invalid

Array = npt.NDArray[np.float64]
Quadrant = Literal["fix now", "keep", "maintain", "monitor"]
MAX_DRIVERS = 12
MAX_BLOCKS = 2000


@dataclass(frozen=True)
class Driver:
    """One driver: importance (both methods, with 95% intervals) and performance."""

    name: str
    weight: float  # Johnson raw relative weight (share of R²)
    weight_pct: float  # 100·weight/R²
    weight_pct_low: float
    weight_pct_high: float
    lmg: float  # Shapley/LMG share of R²
    lmg_pct: float
    lmg_pct_low: float
    lmg_pct_high: float
    correlation: float  # plain r with the outcome, for reference only
    mean: float
    top2_pct: float | None  # % in the top two boxes of the scale, when a scale is given
    quadrant: Quadrant


@dataclass(frozen=True)
class KeyDrivers:
    """Drivers sorted by importance (relative weight), with the model's R² and sample."""

    drivers: list[Driver]
    r2: float
    r2_low: float
    r2_high: float
    n: int  # complete rows used
    n_dropped: int  # rows dropped for a missing value
    bootstrap: int
    importance_split: float  # quadrant boundaries: mean importance (100/k) ...
    performance_split: float  # ... and mean of the drivers' means


def _validate(x: npt.ArrayLike, y: npt.ArrayLike, names: Sequence[str]) -> tuple[Array, int]:
    """Returns the complete rows as one matrix [drivers | outcome] and the dropped count."""
    try:
        xs = np.asarray(x, dtype=np.float64)
        ys = np.asarray(y, dtype=np.float64)
    except (TypeError, ValueError):
        raise Invalid("drivers and outcome must be numbers") from None
    if xs.ndim != 2 or ys.ndim != 1 or xs.shape[0] != ys.shape[0]:
        raise Invalid("drivers must be an n x k matrix and the outcome a list of n values")
    k = xs.shape[1]
    if k != len(names) or len(set(names)) != k:
        raise Invalid(f"driver names must be {k} distinct names, one per column")
    if not 1 <= k <= MAX_DRIVERS:
        raise Invalid(f"key drivers take 1 to {MAX_DRIVERS} drivers, got {k}")
    data = np.column_stack([xs, ys])
    complete = np.isfinite(data).all(axis=1)
    data = np.asfortranarray(data[complete])  # column-major: per-column sums ~20x faster
    need = max(30, 5 * k)
    if data.shape[0] < need:
        raise Invalid(
            f"key drivers need at least {need} complete rows for {k} drivers "
            f"(max(30, 5·k)); got {data.shape[0]}"
        )
    spread = data.std(axis=0)
    flat = [names[j] for j in range(k) if spread[j] == 0]
    if flat:
        raise Invalid(f"driver without variance (every rating equal): {', '.join(flat)}")
    if spread[k] == 0:
        raise Invalid("the outcome has no variance (every value equal)")
    return data, int((~complete).sum())


def _correlations(counts: Array, sums: Array, cross: Array) -> Array:
    """Batch of correlation matrices from (B,) counts, (B, m) sums and (B, m, m) cross-products."""
    mean = sums / counts[:, None]
    cov = cross / counts[:, None, None] - mean[:, :, None] * mean[:, None, :]
    sd = np.sqrt(np.clip(np.diagonal(cov, axis1=1, axis2=2), 0.0, None))
    with np.errstate(divide="ignore", invalid="ignore"):
        corr: Array = cov / (sd[:, :, None] * sd[:, None, :])
    return corr


def relative_weights(corr: Array) -> Array:
    """Johnson's raw relative weights (B, k) from correlation matrices (B, k+1, k+1), y last."""
    rxx, rxy = corr[:, :-1, :-1], corr[:, :-1, -1]
    values, vectors = np.linalg.eigh(rxx)
    root = (vectors * np.sqrt(np.clip(values, 0.0, None))[:, None, :]) @ vectors.swapaxes(1, 2)
    beta = np.linalg.solve(root, rxy[:, :, None])[:, :, 0]
    weights: Array = (root**2) @ (beta**2)[:, :, None]
    return weights[:, :, 0]


def subset_r2(corr: Array) -> Array:
    """R² of every subset of drivers (B, 2^k), indexed by bit mask (bit j = driver j)."""
    k = corr.shape[1] - 1
    out = np.zeros((corr.shape[0], 1 << k))
    for size in range(1, k + 1):
        idx = np.array(list(combinations(range(k), size)))
        masks = (1 << idx).sum(axis=1)
        rss = corr[:, idx[:, :, None], idx[:, None, :]]
        rs = corr[:, idx, k]
        try:
            sol = np.linalg.solve(rss, rs[..., None])[..., 0]
        except np.linalg.LinAlgError:  # a singular bootstrap replicate
            sol = (np.linalg.pinv(rss) @ rs[..., None])[..., 0]
        out[:, masks] = (rs * sol).sum(axis=-1)
    return out


def lmg(corr: Array) -> Array:
    """Shapley/LMG shares of R² (B, k) from correlation matrices (B, k+1, k+1), y last."""
    k = corr.shape[1] - 1
    r2 = subset_r2(corr)
    masks = np.arange(1 << k)
    sizes = np.array([bin(m).count("1") for m in masks])
    coef = np.array([math.factorial(s) * math.factorial(k - s - 1) for s in range(k)])
    shares = np.zeros((corr.shape[0], k))
    for j in range(k):
        without = masks[(masks >> j) & 1 == 0]
        gains = r2[:, without | (1 << j)] - r2[:, without]
        shares[:, j] = gains @ coef[sizes[without]] / math.factorial(k)
    return shares


def _check_collinear(corr: Array, names: Sequence[str]) -> None:
    values, vectors = np.linalg.eigh(corr[:-1, :-1])
    if values[0] < 1e-8:
        involved = [names[int(j)] for j in np.flatnonzero(np.abs(vectors[:, 0]) > 0.1)]
        raise Invalid(
            "drivers are perfectly collinear (one is a combination of the others): "
            + ", ".join(involved)
        )


def _block_sums(data: Array, rng: np.random.Generator) -> tuple[Array, Array, Array]:
    """Rows dealt into ~2000 random blocks: per-block counts (G,), sums (G, m), cross (G, m, m).

    ``data`` must be centred: the zero rows that pad the last blocks then add nothing.
    """
    n, m = data.shape
    size = -(-n // MAX_BLOCKS)  # rows per block: 1 up to n = 2000
    blocks = -(-n // size)  # only the last block may be short
    padded = np.zeros((blocks * size, m))
    padded[:n] = data[rng.permutation(n)]
    counts = np.clip(n - np.arange(blocks) * size, 0, size).astype(np.float64)
    stacked = padded.reshape(blocks, size, m)
    return counts, stacked.sum(axis=1), stacked.swapaxes(1, 2) @ stacked


def _interval(values: Array) -> tuple[Array, Array]:
    low, high = np.nanpercentile(values, [2.5, 97.5], axis=0)
    return low, high


def key_drivers(
    x: npt.ArrayLike,
    y: npt.ArrayLike,
    names: Sequence[str],
    *,
    scale: tuple[float, float] | None = None,
    bootstrap: int = 200,
    seed: int = 0,
) -> KeyDrivers:
    """Key driver analysis of outcome ``y`` on the n x k ratings ``x`` (see module docstring).

    ``scale`` = (lowest, highest) rating of the drivers' scale enables "% top-2-box"
    (ratings >= highest - 1). Raises Invalid for bad shapes, too few complete rows
    (n < max(30, 5k)), a driver or outcome without variance, or collinear drivers.
    """
    if not 0 <= bootstrap <= 10_000:
        raise Invalid(f"bootstrap must be between 0 and 10000 replicates, got {bootstrap}")
    data, dropped = _validate(x, y, names)
    n, k = data.shape[0], len(names)
    centred = (data - data.mean(axis=0)) / data.std(axis=0)
    point = np.corrcoef(centred, rowvar=False)[None]
    _check_collinear(point[0], names)
    weights, shares = relative_weights(point)[0], lmg(point)[0]
    r2 = float(weights.sum())

    rng = np.random.default_rng(seed)
    if bootstrap:
        counts, sums, cross = _block_sums(centred, rng)
        draws = rng.multinomial(counts.size, np.full(counts.size, 1 / counts.size), bootstrap)
        w = draws.astype(np.float64)
        corr = _correlations(w @ counts, w @ sums, np.einsum("bg,gij->bij", w, cross))
        corr = corr[np.isfinite(corr).all(axis=(1, 2))]
        boot_w, boot_l = relative_weights(corr), lmg(corr)
        boot_r2 = boot_w.sum(axis=1, keepdims=True)
        w_low, w_high = _interval(100 * boot_w / boot_r2)
        l_low, l_high = _interval(100 * boot_l / boot_r2)
        (r2_low,), (r2_high,) = _interval(boot_r2)
    else:
        w_low = w_high = 100 * weights / r2
        l_low = l_high = 100 * shares / r2
        r2_low = r2_high = r2

    drivers_x = data[:, :k]
    means = drivers_x.mean(axis=0)
    top2 = None if scale is None else 100 * (drivers_x >= scale[1] - 1).mean(axis=0)
    imp_split, perf_split = 100 / k, float(means.mean())
    drivers = []
    for j, name in enumerate(names):
        important = 100 * weights[j] / r2 >= imp_split
        strong = means[j] >= perf_split
        quadrant: Quadrant = (
            ("keep" if strong else "fix now")
            if important
            else ("maintain" if strong else "monitor")
        )
        drivers.append(
            Driver(
                name=name,
                weight=float(weights[j]),
                weight_pct=float(100 * weights[j] / r2),
                weight_pct_low=float(w_low[j]),
                weight_pct_high=float(w_high[j]),
                lmg=float(shares[j]),
                lmg_pct=float(100 * shares[j] / r2),
                lmg_pct_low=float(l_low[j]),
                lmg_pct_high=float(l_high[j]),
                correlation=float(point[0, j, k]),
                mean=float(means[j]),
                top2_pct=None if top2 is None else float(top2[j]),
                quadrant=quadrant,
            )
        )
    drivers.sort(key=lambda d: d.weight, reverse=True)
    return KeyDrivers(
        drivers, r2, float(r2_low), float(r2_high), n, dropped, bootstrap, imp_split, perf_split
    )


def benchmark(n: int = 100_000, k: int = 10, bootstrap: int = 200) -> None:
    """Prints the time of key_drivers on synthetic ratings, as a ratio to one OLS fit."""
    import time

    rng = np.random.default_rng(1)
    x = rng.integers(1, 6, size=(n, k)).astype(np.float64)
    y = np.clip(np.rint(x @ rng.uniform(0.2, 1.0, k) / k * 2 + rng.normal(0, 1, n)), 0, 10)
    names = [f"d{j}" for j in range(k)]
    start = time.perf_counter()
    np.linalg.lstsq(np.column_stack([np.ones(n), x]), y, rcond=None)
    ols = time.perf_counter() - start
    start = time.perf_counter()
    key_drivers(x, y, names, scale=(1, 5), bootstrap=bootstrap)
    full = time.perf_counter() - start
    print(
        f"n={n} k={k} B={bootstrap}: one OLS fit {ols:.3f}s, key drivers {full:.3f}s "
        f"({full / ols:.1f}x one OLS fit)"
    )


if __name__ == "__main__":
    benchmark()

"""The pandas baseline of the analytics benchmark, run in its own process (own peak memory).

``python -m cxloop.bench.analytics_pandas FOLDER WINDOWS_JSON ROUNDS`` reads the Parquet files
the benchmark exported from the columnar copy, runs the same five queries as a CX analyst
would write them (DataFrame filters, time-zone conversion, groupby, merge, pivot) and prints
one JSON object: load seconds, per-query medians, checks and peak memory.
"""

from __future__ import annotations

import json
import resource
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cxloop.metrics import drivers, stats


def nps_table(g: pd.DataFrame) -> pd.DataFrame:
    """NPS and its adjusted-Wald interval per row of n, p (promoters), d (detractors)."""
    pa, da = (g.p + 0.75) / (g.n + 3), (g.d + 0.75) / (g.n + 3)
    half = 196 * np.sqrt(((pa + da) - (pa - da) ** 2) / (g.n + 3))
    return g.assign(
        nps=100 * (g.p - g.d) / g.n,
        low=(100 * (pa - da) - half).clip(-100),
        high=(100 * (pa - da) + half).clip(upper=100),
    )


def queries(
    df: pd.DataFrame, tps: pd.DataFrame, attrs: pd.DataFrame, win: dict[str, Any]
) -> list[Callable[[], tuple[int, int]]]:
    tz = win["timezone"]

    def local(d: pd.DataFrame) -> pd.Series:
        return d.submitted_at.dt.tz_localize("UTC").dt.tz_convert(tz).dt.tz_localize(None)

    def nps_week() -> tuple[int, int]:
        d = df[(df.workspace_id == win["workspace_id"]) & (df.kind == "nps")]
        week = local(d).dt.to_period("W-SUN").dt.start_time
        g = d.groupby([d.touchpoint_id, week]).agg(
            n=("value", "size"), p=("good", "sum"), d=("bad", "sum")
        )
        out = nps_table(g)
        return len(out), int(out.n.sum())

    def csat_month() -> tuple[int, int]:
        d = df[(df.workspace_id == win["workspace_id"]) & (df.kind == "csat")]
        d = d.assign(month=local(d).dt.to_period("M").dt.start_time, sq=d.value**2)
        g = d.groupby(["channel", "month"]).agg(
            n=("value", "size"), good=("good", "sum"), s=("value", "sum"), s2=("sq", "sum")
        )
        g = g.assign(csat=100 * g.good / g.n, mean=g.s / g.n)
        return len(g), int(g.n.sum())

    def pro_by_stage() -> tuple[int, int]:
        pro = attrs[(attrs.name == "plan") & (attrs.value == "pro")]
        d = df[(df.workspace_id == win["workspace_id"]) & (df.kind == "nps")]
        d = d.merge(pro[["contact_key"]], on="contact_key").merge(
            tps[["id", "stage_id"]], left_on="touchpoint_id", right_on="id", how="left"
        )
        g = d.groupby("stage_id").agg(n=("value", "size"), p=("good", "sum"), d=("bad", "sum"))
        out = nps_table(g)
        return len(out), int(out.n.sum())

    def period_test() -> tuple[int, int]:
        d = df[(df.workspace_id == win["workspace_id"]) & (df.kind == "nps")]
        day = local(d).dt.normalize()
        sums = []
        for first, last in (win["last"], win["this"]):
            inside = d[(day >= pd.Timestamp(first)) & (day <= pd.Timestamp(last))]
            sums.append((int(inside.good.sum()), int(inside.bad.sum()), len(inside)))
        stats.nps_differs(sums[0], sums[1])
        return 2, sums[0][2] + sums[1][2]

    def key_drivers() -> tuple[int, int]:
        since = pd.Timestamp(win["drivers_since"])
        d = df[(df.workspace_id == win["workspace_id"]) & (df.submitted_at >= since)]
        wide = d.pivot_table(index="response_key", columns="kind", values="value", aggfunc="max")
        result = drivers.key_drivers(
            wide[["csat", "ces"]], wide["nps"], ["csat", "ces"], bootstrap=0
        )
        return len(result.drivers), result.n

    return [nps_week, csat_month, pro_by_stage, period_test, key_drivers]


def main(folder: str, windows: str, rounds: int) -> dict[str, object]:
    win = json.loads(windows)
    started = time.perf_counter()
    df = pd.read_parquet(Path(folder) / "answers.parquet")
    tps = pd.read_parquet(Path(folder) / "touchpoints.parquet")
    attrs = pd.read_parquet(Path(folder) / "contact_attrs.parquet")
    load = time.perf_counter() - started
    medians, checks = [], []
    for fn in queries(df, tps, attrs, win):
        times = []
        for _ in range(rounds):
            t = time.perf_counter()
            check = fn()
            times.append(time.perf_counter() - t)
        medians.append(statistics.median(times))
        checks.append(check)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"load_s": load, "medians_s": medians, "checks": checks, "peak_mb": peak}


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], sys.argv[2], int(sys.argv[3]))))

"""A tiny run of `cxloop bench analytics`: the three ways (service, DuckDB SQL, pandas) agree."""

from __future__ import annotations

from pathlib import Path

from cxloop.bench.analytics import run


def test_bench_analytics_runs_and_the_three_ways_agree(tmp_path: Path) -> None:
    lines: list[str] = []
    figures = run(
        2_000, rounds=1, pandas_rounds=1, catch_up=500, folder=tmp_path, echo=lines.append
    )
    names = [q["name"] for q in figures["queries"]]
    assert names == [
        "nps_touchpoint_week", "csat_channel_month", "nps_pro_by_stage", "nps_period_test",
        "key_drivers_100k",
    ]  # fmt: skip
    assert all(q["agree"] for q in figures["queries"]), figures["queries"]
    assert figures["catch_up_answers"] == 3 * 500  # NPS, CSAT and CES per new response
    assert any(line.startswith("nps_touchpoint_week") for line in lines)
    assert figures["peak_mb"] > 0

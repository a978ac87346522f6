"""The analytics benchmark's fixed dashboard queries, each written three ways.

- ``service``: cxloop's metrics service on the DuckDB path (labels, intervals, pydantic rows).
- ``duckdb``: hand-written DuckDB SQL over the same columnar copy's answers, intervals computed
  in SQL; local time by the zone's UTC offset per DST segment (a CASE on the timestamp), date
  windows as UTC bounds, as a competent analyst would write it.
- ``pandas``: what an analyst would write on a DataFrame of the rows (see ``PandasQueries``).

Every way returns (groups, total n) so that the run can check they agree.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy.orm import Session

from cxloop.analytics.query import local_midnight_utc, segments, zone
from cxloop.analytics.store import AnalyticsStore
from cxloop.core.settings import Settings
from cxloop.metrics import drivers, stats
from cxloop.metrics import service as metrics
from cxloop.metrics.schemas import MetricFilters

Check = tuple[int, int]  # (groups, total n)
NAMES = (
    "nps_touchpoint_week",
    "csat_channel_month",
    "nps_pro_by_stage",
    "nps_period_test",
    "key_drivers_100k",
)


@dataclass(frozen=True)
class Windows:
    """This month and the previous one (local dates), and the drivers' cut-off (naive UTC)."""

    this: tuple[date, date]
    last: tuple[date, date]
    drivers_since: datetime
    timezone: str


def local_time(tz: str, low: datetime, high: datetime) -> str:
    """``a.submitted_at`` (UTC) as local time: one offset per DST segment, as an analyst
    would write it once the zone's transitions are known (no per-row zone lookup)."""
    first, *changes = segments(zone(tz), low, high)
    whens = " ".join(
        f"WHEN a.submitted_at >= TIMESTAMP '{c.start}' THEN {c.minutes}" for c in reversed(changes)
    )
    minutes = f"(CASE {whens} ELSE {first.minutes} END)" if changes else str(first.minutes)
    return f"(a.submitted_at + to_minutes({minutes}))"


def _bounds(tz: str, w: tuple[date, date]) -> str:
    """The window's local days as UTC instants, so the filter reads the sorted column as is."""
    low = local_midnight_utc(w[0], zone(tz))
    high = local_midnight_utc(w[1] + timedelta(days=1), zone(tz))
    return f"a.submitted_at >= TIMESTAMP '{low}' AND a.submitted_at < TIMESTAMP '{high}'"


def service_queries(
    db: Session, ws: str, settings: Settings, win: Windows
) -> list[Callable[[], Check]]:
    def breakdown(metric: str, by: str, period: str, flt: MetricFilters | None = None) -> Check:
        rows = metrics.metric_breakdown(db, ws, metric, by, period, flt, settings=settings).rows
        return len(rows), sum(r.n for r in rows)

    def period_test() -> Check:
        a, b = (
            metrics.metric_summary(
                db, ws, "nps", MetricFilters(date_from=w[0], date_to=w[1]), settings=settings
            )
            for w in (win.last, win.this)
        )
        stats.nps_differs((a.good, a.bad, a.n), (b.good, b.bad, b.n))
        return 2, a.n + b.n

    def key_drivers() -> Check:
        matrix = metrics_matrix(settings, db, ws, win.drivers_since)
        result = drivers.key_drivers(matrix[:, 1:], matrix[:, 0], ["csat", "ces"], bootstrap=0)
        return len(result.drivers), result.n

    return [
        lambda: breakdown("nps", "touchpoint,period", "week"),
        lambda: breakdown("csat", "channel,period", "month"),
        lambda: breakdown("nps", "stage", "week", MetricFilters(attributes={"plan": ["pro"]})),
        period_test,
        key_drivers,
    ]


def metrics_matrix(settings: Settings, db: Session, ws: str, since: datetime) -> np.ndarray:
    """(nps, csat, ces) per response since ``since``, pivoted in the columnar copy."""
    from cxloop.analytics import registry

    store = registry.store_for(db, ws, settings)
    assert store is not None
    return store.matrix(PIVOT_SQL, [ws, since])


PIVOT_SQL = """
SELECT max(value) FILTER (kind = 'nps'), max(value) FILTER (kind = 'csat'),
       max(value) FILTER (kind = 'ces')
FROM answers a WHERE workspace_id = ? AND submitted_at >= ? AND kind IN ('nps', 'csat', 'ces')
GROUP BY response_key
"""
NPS_SQL = """
SELECT {keys}, n, 100.0 * (p - d) / n AS nps,
       greatest(-100, 100 * (pa - da) - 196 * sqrt(((pa + da) - (pa - da) ^ 2) / (n + 3))) AS low,
       least(100, 100 * (pa - da) + 196 * sqrt(((pa + da) - (pa - da) ^ 2) / (n + 3))) AS high
FROM (SELECT {keys}, n, p, d, (p + 0.75) / (n + 3) AS pa, (d + 0.75) / (n + 3) AS da
      FROM (SELECT {select}, count(*) AS n, sum(good) AS p, sum(bad) AS d
            FROM answers a {join} WHERE a.workspace_id = ? AND a.kind = '{kind}' {where}
            GROUP BY ALL))
"""
CSAT_SQL = """
SELECT channel, month, n, 100.0 * g / n AS csat, s / n AS mean,
       sqrt((s2 - s * s / n) / (n - 1)) AS sd
FROM (SELECT a.channel, CAST(date_trunc('month', {local}) AS DATE) AS month, count(*) AS n,
             sum(good) AS g, sum(value) AS s, sum(value * value) AS s2
      FROM answers a WHERE a.workspace_id = ? AND a.kind = 'csat' GROUP BY ALL)
"""


def duckdb_queries(store: AnalyticsStore, ws: str, win: Windows) -> list[Callable[[], Check]]:
    ((low, high),) = store.execute(
        "SELECT min(submitted_at), max(submitted_at) FROM answers WHERE workspace_id = ?", [ws]
    )
    local = local_time(win.timezone, low, high)

    def run(sql: str, params: list[Any]) -> Check:
        rows = store.execute(sql, params)
        n_col = 2 if "channel, month" in sql else None
        return len(rows), int(sum(r[n_col if n_col else -4] for r in rows))

    nps_week = NPS_SQL.format(
        keys="touchpoint_id, week",
        kind="nps",
        join="",
        where="",
        select=f"a.touchpoint_id, CAST(date_trunc('week', {local}) AS DATE) AS week",
    )
    pro_stage = NPS_SQL.format(
        keys="stage_id",
        kind="nps",
        where="AND c.value = 'pro'",
        select="t.stage_id",
        join="JOIN contact_attrs c ON c.contact_key = a.contact_key AND c.workspace_id = "
        "a.workspace_id AND c.name = 'plan' LEFT JOIN touchpoints t ON t.id = a.touchpoint_id",
    )

    def period_test() -> Check:
        sql = (
            "SELECT count(*), sum(good), sum(bad) FROM answers a "
            "WHERE a.workspace_id = ? AND a.kind = 'nps' AND {}"
        )
        ((na, pa, da),) = store.execute(sql.format(_bounds(win.timezone, win.last)), [ws])
        ((nb, pb, db_),) = store.execute(sql.format(_bounds(win.timezone, win.this)), [ws])
        stats.nps_differs((int(pa), int(da), int(na)), (int(pb), int(db_), int(nb)))
        return 2, int(na + nb)

    def key_drivers() -> Check:
        return 2, _drivers_from_corr(store, ws, win)

    return [
        lambda: run(nps_week, [ws]),
        lambda: run(CSAT_SQL.format(local=local), [ws]),
        lambda: run(pro_stage, [ws]),
        period_test,
        key_drivers,
    ]


def _drivers_from_corr(store: AnalyticsStore, ws: str, win: Windows) -> int:
    sql = (
        "SELECT corr(csat, ces), corr(csat, nps), corr(ces, nps), count(*) FROM ("
        "SELECT max(value) FILTER (kind = 'nps') AS nps, max(value) FILTER (kind = 'csat') AS csat,"
        " max(value) FILTER (kind = 'ces') AS ces FROM answers WHERE workspace_id = ? AND "
        "submitted_at >= ? GROUP BY response_key) WHERE nps IS NOT NULL AND csat IS NOT NULL "
        "AND ces IS NOT NULL"
    )
    ((r_xx, r_1y, r_2y, n),) = store.execute(sql, [ws, win.drivers_since])
    corr = np.array([[[1, r_xx, r_1y], [r_xx, 1, r_2y], [r_1y, r_2y, 1]]], dtype=np.float64)
    drivers.relative_weights(corr)
    return int(n)

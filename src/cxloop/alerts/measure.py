"""The value of an alert's metric over one period, and the test of two periods.

NPS, CSAT and CES come from the metrics engine's aggregates (SQL on the system of record);
response_count, theme_share and negative_share are counts from this feature's repository.
All of them go through ``metrics.service.build_query`` so the slice filters are checked and
interpreted exactly as the metrics engine does (workspace time zone, foreign ids refused).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import UTC, date, datetime

from scipy import stats as _scipy_stats
from sqlalchemy.orm import Session

from cxloop.alerts import repository as repo
from cxloop.alerts.schemas import AlertFilters, AlertMetric
from cxloop.metrics import service as metrics
from cxloop.metrics import significance
from cxloop.metrics.schemas import Metric
from cxloop.metrics.significance import Comparison, Direction

SCORES = {AlertMetric.nps, AlertMetric.csat, AlertMetric.ces}
SHARES = {AlertMetric.theme_share, AlertMetric.negative_share}


@dataclass(frozen=True)
class Sample:
    """n answers/responses/comments; ``hits`` are promoters, top boxes, comments with the
    theme or negative comments; ``bad`` are detractors (NPS)."""

    n: int
    value: float | None
    hits: int = 0
    bad: int = 0
    total: float = 0.0
    total_sq: float = 0.0


def sample(
    db: Session,
    workspace_id: str,
    metric: AlertMetric,
    filters: AlertFilters,
    theme_key: str | None,
    first: date,
    last: date,
    timezone: str,
    now: datetime,
    min_sample: int,
    mean: bool = False,
) -> Sample:
    """The metric over the days first..last (workspace time), counting nothing after ``now``."""
    kind = metric.value if metric in SCORES else "open_text"
    q = metrics.build_query(
        db, workspace_id, kind, filters.metric_filters(first, last), timezone=timezone
    )
    cutoff = now.astimezone(UTC).replace(tzinfo=None)
    if q.until is None or q.until > cutoff:
        q = dataclasses.replace(q, until=cutoff)
    if metric in SCORES:
        (agg,), _engine = metrics.aggregates(db, q)
        fields = metrics.result_fields(Metric(metric.value), agg, min_sample)
        value = fields["mean"] if mean else fields["value"]
        return Sample(agg.n, value, agg.good, agg.bad, agg.total, agg.total_sq)
    if metric == AlertMetric.response_count:
        count = repo.count_responses(db, q)
        return Sample(count, float(count), count)
    n, hits = repo.count_comments(
        db,
        q,
        theme_key=theme_key if metric == AlertMetric.theme_share else None,
        negative=metric == AlertMetric.negative_share,
    )
    return Sample(n, round(100.0 * hits / n, 2) if n else None, hits)


def compare(
    metric: AlertMetric, before: Sample, now: Sample, elapsed: float, mean: bool = False
) -> Comparison:
    """``now`` against ``before``: the NPS z-test, Welch's t-test for mean scores, the
    two-proportion test for shares (CSAT top-2-box, CES % easy, theme and negative shares), and
    for counts an exact binomial test of equal rates, given that ``elapsed`` of the current
    period has passed."""
    if mean:
        return significance.compare_means(
            (before.n, before.total, before.total_sq), (now.n, now.total, now.total_sq)
        )
    if metric == AlertMetric.nps:
        return significance.compare_nps(
            (before.hits, before.bad, before.n), (now.hits, now.bad, now.n)
        )
    if metric != AlertMetric.response_count:
        return significance.compare_proportions((before.hits, before.n), (now.hits, now.n))
    expected = before.n * elapsed
    delta = now.n - expected
    total = before.n + now.n
    if total == 0 or elapsed <= 0:
        return Comparison(delta, 0.0, 1.0, False, "flat", None, None, None, "no responses")
    share = elapsed / (1.0 + elapsed)  # the current period's share of both under equal rates
    p_value = float(_scipy_stats.binomtest(now.n, total, share).pvalue)
    significant = p_value < 0.05
    direction: Direction = ("up" if delta > 0 else "down") if significant else "flat"
    return Comparison(delta, delta, p_value, significant, direction, None, None)

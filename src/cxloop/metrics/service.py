"""NPS, CSAT, CES and response rate with n and 95% intervals, overall or broken down. Reads only.

Other features call ``metric_summary`` and ``metric_breakdown``. Both check every filter (ids of
the workspace, else NotFound; from <= to and known fields, else Invalid) and interpret dates and
periods in the workspace's time zone. The aggregates come from SQL on the system of record or
from the DuckDB copy (``cxloop.analytics``), chosen by ``settings.analytics_engine``; both give
the same numbers. Without ``settings`` the SQL path is used. The response rate (responses ÷
invitations delivered) counts invitations, not answers: always in SQL, by delivery time.
"""

from __future__ import annotations

import functools
import math
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, TypeVar

from scipy import stats as _scipy_stats
from sqlalchemy.orm import Session

from cxloop.analytics import registry, results
from cxloop.analytics.query import (
    ATTRIBUTE_NAME,
    Dim,
    MetricQuery,
    local_midnight_utc,
    parse_dimensions,
    segments,
    zone,
)
from cxloop.core.errors import Invalid, NotFound
from cxloop.core.settings import Settings
from cxloop.metrics import repository as repo
from cxloop.metrics import stats
from cxloop.metrics.schemas import (
    RESPONSE_RATE,
    Breakdown,
    Comment,
    Metric,
    MetricBreakdown,
    MetricFilters,
    MetricName,
    MetricRow,
    MetricSummary,
    Period,
    TouchpointOption,
)
from cxloop.segments import service as contact_segments

E = TypeVar("E", bound=StrEnum)
SCORE_PRIORITY = {"nps": 0, "csat": 1, "ces": 2}
MISSING = {
    "touchpoint": "(no touchpoint)",
    "stage": "(no stage)",
    "journey": "(no journey)",
    "survey": "(no survey)",
    "channel": "(no channel)",
    "language": "(no language)",
    "attr": "(not set)",
}
NAMED = ("touchpoint", "stage", "journey", "survey")


def _invalid(field: str, message: str) -> Invalid:
    return Invalid(f"{field}: {message}", details=[{"field": field, "message": message}])


def _coerce(enum: type[E], value: E | str, field: str) -> E:
    try:
        return enum(value)
    except ValueError:
        allowed = ", ".join(member.value for member in enum)
        raise _invalid(field, f"unknown value '{value}'; use one of {allowed}") from None


def check_filters(db: Session, workspace_id: str, filters: MetricFilters) -> None:
    """Raises Invalid for from > to or a bad attribute filter, NotFound for a foreign id."""
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        message = f"must be on or before to ({filters.date_from} > {filters.date_to})"
        raise _invalid("from", message)
    for name, values in filters.attributes.items():
        if not ATTRIBUTE_NAME.match(name):
            raise _invalid("attr", f"'{name}' is not a contact attribute name")
        if not values:
            raise _invalid("attr", f"give at least one value for '{name}'")
    for what, ident in (
        ("touchpoint", filters.touchpoint_id),
        ("survey", filters.survey_id),
        ("journey", filters.journey_id),
        ("stage", filters.stage_id),
    ):
        if ident is not None and not repo.exists_in_workspace(db, what, workspace_id, ident):
            raise NotFound(f"{what}_id: {what} '{ident}' does not exist")


def build_query(
    db: Session,
    workspace_id: str,
    kind: str,
    filters: MetricFilters,
    dims: tuple[Dim, ...] = (),
    period: Period = Period.week,
    timezone: str = "UTC",
) -> MetricQuery:
    """The checked query: dates become UTC instants of the workspace's local midnights."""
    check_filters(db, workspace_id, filters)
    tz = zone(timezone)
    since = local_midnight_utc(filters.date_from, tz) if filters.date_from else None
    until = local_midnight_utc(filters.date_to + timedelta(days=1), tz) if filters.date_to else None
    spans: tuple[datetime | None, datetime | None] = (None, None)
    if any(d.name == "period" for d in dims) and (since is None or until is None):
        if kind == RESPONSE_RATE:
            spans = repo.delivery_span(db, workspace_id)
        else:
            spans = repo.time_span(db, workspace_id, kind)
    return MetricQuery(
        workspace_id=workspace_id,
        kind=kind,
        dims=dims,
        period=period,
        since=since,
        until=until,
        survey_id=filters.survey_id,
        touchpoint_id=filters.touchpoint_id,
        channel=filters.channel,
        journey_id=filters.journey_id,
        stage_id=filters.stage_id,
        language=filters.language,
        attributes=tuple((k, tuple(v)) for k, v in sorted(filters.attributes.items())),
        segments=segments(tz, since or spans[0], until or spans[1]),
        timezone=timezone,
        members=contact_segments.member_ids(db, workspace_id, filters.segment_id)
        if filters.segment_id
        else None,
    )


def aggregates(
    db: Session, q: MetricQuery, settings: Settings | None = None
) -> tuple[list[repo.Aggregate], str]:
    """The query's aggregates and which engine computed them ('sql' or 'duckdb').

    The response rate is always computed in SQL: the DuckDB copy holds answers only.
    """
    if q.kind == RESPONSE_RATE:
        return repo.invitation_aggregate(db, q), "sql"
    store = registry.store_for(db, q.workspace_id, settings)
    if store is None:
        return repo.aggregate(db, q), "sql"
    k = len(q.dims)
    members = list(db.scalars(q.members)) if q.members is not None else None
    rows = store.aggregate(q, members)
    return [repo.to_aggregate(r[:k], r[k:]) for r in rows], "duckdb"


@functools.lru_cache(maxsize=4096)
def _t_quantile(df: int) -> float:
    return float(_scipy_stats.t.ppf(0.975, df))


def _mean_t(n: int, total: float, total_sq: float) -> stats.Estimate:
    """stats.mean_t (95%) with the t quantile cached: breakdowns have thousands of rows."""
    mean = total / n
    if n < 2:
        return stats.Estimate(mean, None, None)
    variance = max(0.0, (total_sq - n * mean * mean) / (n - 1))
    half = _t_quantile(n - 1) * math.sqrt(variance / n)
    return stats.Estimate(mean, mean - half, mean + half)


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def result_fields(
    metric: MetricName | Metric, agg: repo.Aggregate, min_sample: int
) -> dict[str, Any]:
    """The MetricResult fields for one aggregate (value, interval, mean, flags)."""
    fields: dict[str, Any] = {
        "n": agg.n,
        "good": agg.good,
        "bad": agg.bad,
        "total": agg.total,
        "total_sq": agg.total_sq,
        "insufficient": stats.insufficient(agg.n, min_sample),
        "value": None,
        "ci_low": None,
        "ci_high": None,
        "mean": None,
        "mean_ci_low": None,
        "mean_ci_high": None,
    }
    if agg.n == 0:
        return fields
    if metric == Metric.nps:
        share = stats.nps_adjusted_wald(agg.good, agg.bad, agg.n)
    else:
        share = stats.wilson(agg.good, agg.n)
    if metric in (Metric.csat, Metric.ces):  # a mean score (not nps, not a share of invitations)
        mean = _mean_t(agg.n, agg.total, agg.total_sq)
        fields.update(
            mean=_round(mean.value, 3),
            mean_ci_low=_round(mean.low, 3),
            mean_ci_high=_round(mean.high, 3),
        )
    fields.update(
        value=_round(share.value, 2), ci_low=_round(share.low, 2), ci_high=_round(share.high, 2)
    )
    return fields


def metric_summary(
    db: Session,
    workspace_id: str,
    metric: MetricName | Metric | str,
    filters: MetricFilters | None = None,
    *,
    settings: Settings | None = None,
) -> MetricSummary:
    """One metric over every answer (for response_rate: every invitation delivered) that
    matches the filters."""
    metric = _coerce(MetricName, metric, "metric")
    filters = filters or MetricFilters()
    min_sample, timezone = repo.workspace_settings(db, workspace_id)
    q = build_query(db, workspace_id, metric.value, filters, timezone=timezone)
    (agg,), _engine = aggregates(db, q, settings)
    fields = result_fields(metric, agg, min_sample)
    return MetricSummary(metric=metric, min_sample=min_sample, filters=filters, **fields)


def _period_label(key: str, period: Period) -> str:
    if period == Period.month:
        return key[:7]
    if period == Period.quarter:
        return f"{key[:4]}-Q{(int(key[5:7]) - 1) // 3 + 1}"
    return key


class _Labeller:
    """Names and sort keys of group keys, one dimension at a time (one query per dimension)."""

    def __init__(
        self, db: Session, workspace_id: str, q: MetricQuery, aggs: list[repo.Aggregate]
    ) -> None:
        self.q = q
        self.names: dict[int, dict[str, str]] = {}
        self.stages: dict[str, tuple[str, int]] = {}
        for i, dim in enumerate(q.dims):
            if dim.name in NAMED:
                ids = {a.keys[i] for a in aggs if a.keys[i] is not None}
                self.names[i] = repo.names_of(db, dim.name, workspace_id, ids)  # type: ignore[arg-type]
            if dim.name == "stage":
                self.stages = repo.stage_order(db, workspace_id)

    def label(self, i: int, key: str | None) -> str:
        dim = self.q.dims[i]
        if key is None:
            return MISSING.get(dim.name, "")
        if dim.name == "period":
            return _period_label(key, self.q.period)
        if dim.name in NAMED:
            return self.names[i].get(key, f"(deleted {dim.name})")
        return key

    def sort_key(self, i: int, key: str | None, label: str) -> tuple[Any, ...]:
        if self.q.dims[i].name == "period":
            return (key or "",)
        if self.q.dims[i].name == "stage" and key in self.stages:
            journey, position = self.stages[key]
            return (False, journey.casefold(), position, label.casefold(), key)
        return (key is None, "", 0, label.casefold(), key or "")


ROW_FIELDS = frozenset(MetricRow.model_fields)


def _row(fields: dict[str, Any]) -> MetricRow:
    """A MetricRow from complete, already typed fields: ``model_construct`` without its
    per-field default handling (thousands of rows per breakdown)."""
    row = MetricRow.__new__(MetricRow)
    object.__setattr__(row, "__dict__", fields)
    object.__setattr__(row, "__pydantic_fields_set__", set(ROW_FIELDS))
    object.__setattr__(row, "__pydantic_extra__", None)
    object.__setattr__(row, "__pydantic_private__", None)
    return row


def metric_breakdown(
    db: Session,
    workspace_id: str,
    metric: MetricName | Metric | str,
    by: Breakdown | str,
    period: Period | str = Period.week,
    filters: MetricFilters | None = None,
    *,
    settings: Settings | None = None,
) -> MetricBreakdown:
    """One metric per group of one or two dimensions (``by='touchpoint,period'``).

    Dimensions: journey, stage, touchpoint, channel, language, survey, period (day, week from
    Monday, month, quarter in the workspace's time zone) and ``attr:<name>`` (a contact
    attribute). Rows are sorted by the first dimension, then the second: periods
    chronologically, stages along their journey, the rest by name. Empty groups are absent.
    For response_rate the groups are of invitations delivered, periods by delivery time.
    """
    metric = _coerce(MetricName, metric, "metric")
    dims = parse_dimensions(by)
    period = _coerce(Period, period, "period")
    filters = filters or MetricFilters()
    min_sample, timezone = repo.workspace_settings(db, workspace_id)
    q = build_query(db, workspace_id, metric.value, filters, dims, period, timezone)
    with results.paused_gc():
        return _breakdown(
            db, workspace_id, metric, dims, period, filters, q, min_sample, timezone, settings
        )


def _breakdown(
    db: Session,
    workspace_id: str,
    metric: MetricName,
    dims: tuple[Dim, ...],
    period: Period,
    filters: MetricFilters,
    q: MetricQuery,
    min_sample: int,
    timezone: str,
    settings: Settings | None,
) -> MetricBreakdown:
    aggs, engine = aggregates(db, q, settings)
    labeller = _Labeller(db, workspace_id, q, aggs)
    # Keys repeat across rows (a touchpoint in every week): name and rank each key once.
    named: list[dict[str | None, tuple[str, tuple[Any, ...]]]] = [{} for _ in dims]
    order = []
    for index, agg in enumerate(aggs):
        ranks = []
        for i, key in enumerate(agg.keys):
            found = named[i].get(key)
            if found is None:
                label = labeller.label(i, key)
                found = named[i][key] = (label, labeller.sort_key(i, key, label))
            ranks.append(found[1])
        order.append((tuple(ranks), index))
    order.sort(key=lambda pair: pair[0])
    ranked = [aggs[index] for _ranks, index in order]
    # Values and intervals for all groups at once; rows are built unvalidated (the fields
    # are computed here, typed as MetricRow declares them).
    columns = results.result_columns(
        metric.value,
        [a.n for a in ranked],
        [a.good for a in ranked],
        [a.bad for a in ranked],
        [a.total for a in ranked],
        [a.total_sq for a in ranked],
        min_sample,
    )
    if metric == RESPONSE_RATE:  # a share of invitations: no mean score
        no_mean: list[Any] = [None] * len(ranked)
        columns.update(mean=no_mean, mean_ci_low=no_mean, mean_ci_high=no_mean)
    keys = [list(a.keys) for a in ranked]
    labels = [[named[d][key][0] for d, key in enumerate(k)] for k in keys]
    columns.update(key=[k[0] for k in keys], label=[x[0] for x in labels], keys=keys, labels=labels)
    names = list(columns)
    rows = [
        _row(dict(zip(names, values, strict=True)))
        for values in zip(*columns.values(), strict=True)
    ]
    return MetricBreakdown(
        metric=metric,
        by=",".join(d.label for d in dims),
        dimensions=[d.label for d in dims],
        period=period if any(d.name == "period" for d in dims) else None,
        timezone=timezone,
        engine=engine,
        min_sample=min_sample,
        filters=filters,
        rows=rows,
    )


def latest_comments(
    db: Session, workspace_id: str, filters: MetricFilters | None = None, limit: int = 20
) -> list[Comment]:
    """The newest open-text answers, each with the same response's NPS (else CSAT, else CES)."""
    filters = filters or MetricFilters()
    _min_sample, timezone = repo.workspace_settings(db, workspace_id)
    q = build_query(db, workspace_id, "open_text", filters, timezone=timezone)
    found = repo.latest_comments(db, q, limit)
    best: dict[str, tuple[str, float]] = {}
    for response_id, kind, value in repo.scores_of(
        db, workspace_id, (c.response_id for c in found)
    ):
        held = best.get(response_id)
        if held is None or SCORE_PRIORITY[kind] < SCORE_PRIORITY[held[0]]:
            best[response_id] = (kind, value)
    comments = []
    for row in found:
        score_kind, score = best.get(row.response_id) or (None, None)
        comments.append(
            Comment(
                answer_id=row.answer_id,
                response_id=row.response_id,
                text=row.text,
                submitted_at=row.submitted_at,
                language=row.language,
                touchpoint_id=row.touchpoint_id,
                touchpoint_name=row.touchpoint_name,
                channel=row.channel,
                score=score,
                score_kind=Metric(score_kind) if score_kind else None,
            )
        )
    return comments


def workspace_today(db: Session, workspace_id: str, now: datetime) -> datetime:
    """``now`` (aware) as the workspace's local time."""
    _min_sample, timezone = repo.workspace_settings(db, workspace_id)
    return now.astimezone(zone(timezone))


def touchpoint_options(db: Session, workspace_id: str) -> list[TouchpointOption]:
    """The workspace's touchpoints by name (for filter forms)."""
    return [TouchpointOption(id=i, name=n) for i, n in repo.touchpoints(db, workspace_id)]


def has_answers(db: Session, workspace_id: str) -> bool:
    """Whether the workspace has stored any answer at all."""
    return repo.has_answers(db, workspace_id)

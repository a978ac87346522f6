"""NPS, CSAT and CES with n and 95% intervals, overall or broken down. Reads only.

Other features call ``metric_summary`` and ``metric_breakdown``; both check that every id in
the filters belongs to the workspace (else NotFound) and that from <= to (else Invalid).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from cxloop.accounts import service as accounts
from cxloop.core.errors import Invalid, NotFound
from cxloop.metrics import repository as repo
from cxloop.metrics import stats
from cxloop.metrics.schemas import (
    Breakdown,
    Comment,
    Metric,
    MetricBreakdown,
    MetricFilters,
    MetricRow,
    MetricSummary,
    Period,
    TouchpointOption,
)

E = TypeVar("E", bound=StrEnum)
SCORE_PRIORITY = {"nps": 0, "csat": 1, "ces": 2}


def _coerce(enum: type[E], value: E | str, field: str) -> E:
    try:
        return enum(value)
    except ValueError:
        allowed = ", ".join(member.value for member in enum)
        raise Invalid(
            f"{field}: unknown value '{value}'; use one of {allowed}",
            details=[{"field": field, "message": f"must be one of {allowed}"}],
        ) from None


def check_filters(db: Session, workspace_id: str, filters: MetricFilters) -> None:
    """Raises Invalid for from > to and NotFound for an id of another (or no) workspace."""
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        message = f"must be on or before to ({filters.date_from} > {filters.date_to})"
        raise Invalid(f"from: {message}", details=[{"field": "from", "message": message}])
    for what, ident in (
        ("touchpoint", filters.touchpoint_id),
        ("survey", filters.survey_id),
        ("journey", filters.journey_id),
    ):
        if ident is not None and not repo.exists_in_workspace(db, what, workspace_id, ident):
            raise NotFound(f"{what}_id: {what} '{ident}' does not exist")


def _min_sample(db: Session, workspace_id: str) -> int:
    return accounts.get_workspace(db, workspace_id).min_sample


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def result_fields(metric: Metric, agg: repo.Aggregate, min_sample: int) -> dict[str, Any]:
    """The MetricResult fields for one aggregate (value, interval, mean, flags)."""
    fields: dict[str, Any] = {
        "n": agg.n,
        "good": agg.good,
        "bad": agg.bad,
        "insufficient": stats.insufficient(agg.n, min_sample),
        "value": None,
        "ci_low": None,
        "ci_high": None,
    }
    if agg.n == 0:
        return fields
    if metric == Metric.nps:
        share = stats.nps_adjusted_wald(agg.good, agg.bad, agg.n)
    else:
        share = stats.wilson(agg.good, agg.n)
        mean = stats.mean_t(agg.n, agg.total, agg.total_sq)
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
    db: Session, workspace_id: str, metric: Metric | str, filters: MetricFilters | None = None
) -> MetricSummary:
    """One metric over every answer that matches the filters."""
    metric = _coerce(Metric, metric, "metric")
    filters = filters or MetricFilters()
    check_filters(db, workspace_id, filters)
    min_sample = _min_sample(db, workspace_id)
    (agg,) = repo.aggregate(db, workspace_id, metric.value, filters)
    fields = result_fields(metric, agg, min_sample)
    return MetricSummary(metric=metric, min_sample=min_sample, filters=filters, **fields)


def _labels(
    db: Session, workspace_id: str, by: Breakdown, period: Period, aggs: list[repo.Aggregate]
) -> list[str]:
    if by == Breakdown.touchpoint:
        names = repo.touchpoint_names(db, workspace_id, (a.key for a in aggs if a.key))
        return [
            names.get(a.key, "(deleted touchpoint)") if a.key else "(no touchpoint)" for a in aggs
        ]
    if by == Breakdown.channel:
        return [a.key or "(no channel)" for a in aggs]
    return [(a.key or "")[:7] if period == Period.month else a.key or "" for a in aggs]


def metric_breakdown(
    db: Session,
    workspace_id: str,
    metric: Metric | str,
    by: Breakdown | str,
    period: Period | str = Period.week,
    filters: MetricFilters | None = None,
) -> MetricBreakdown:
    """One metric per touchpoint, channel or period (day, week from Monday, month; UTC).

    Rows come sorted by touchpoint name, by channel, or chronologically; groups without
    answers are absent.
    """
    metric = _coerce(Metric, metric, "metric")
    by = _coerce(Breakdown, by, "by")
    period = _coerce(Period, period, "period")
    filters = filters or MetricFilters()
    check_filters(db, workspace_id, filters)
    min_sample = _min_sample(db, workspace_id)
    aggs = repo.aggregate(db, workspace_id, metric.value, filters, by, period)
    labels = _labels(db, workspace_id, by, period, aggs)
    rows = [
        MetricRow(key=agg.key, label=label, **result_fields(metric, agg, min_sample))
        for agg, label in zip(aggs, labels, strict=True)
    ]
    if by != Breakdown.period:
        rows.sort(key=lambda r: (r.key is None, r.label.casefold(), r.key or ""))
    return MetricBreakdown(
        metric=metric,
        by=by,
        period=period if by == Breakdown.period else None,
        min_sample=min_sample,
        filters=filters,
        rows=rows,
    )


def latest_comments(
    db: Session, workspace_id: str, filters: MetricFilters | None = None, limit: int = 20
) -> list[Comment]:
    """The newest open-text answers, each with the same response's NPS (else CSAT, else CES)."""
    filters = filters or MetricFilters()
    check_filters(db, workspace_id, filters)
    found = repo.latest_comments(db, workspace_id, filters, limit)
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


def touchpoint_options(db: Session, workspace_id: str) -> list[TouchpointOption]:
    """The workspace's touchpoints by name (for filter forms)."""
    return [TouchpointOption(id=i, name=n) for i, n in repo.touchpoints(db, workspace_id)]


def has_answers(db: Session, workspace_id: str) -> bool:
    """Whether the workspace has stored any answer at all."""
    return repo.has_answers(db, workspace_id)

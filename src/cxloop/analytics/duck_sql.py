"""DuckDB SQL of the analytics copy: appending a chunk, and a metric query's aggregates.

The aggregate mirrors ``cxloop.metrics.repository.aggregate`` clause for clause (same joins,
same offset segments for periods), so both paths return the same groups and sums.
"""

from __future__ import annotations

from typing import Any

from cxloop.analytics.query import Dim, MetricQuery
from cxloop.metrics.schemas import Period

INSERT_CHUNK = """
INSERT INTO answers
SELECT id, workspace_id, kind, CAST(ts AS TIMESTAMP), touchpoint_id, channel, survey_id,
       language, CASE WHEN contact_id IS NULL THEN NULL ELSE hash(contact_id) END,
       hash(response_id), value, good, bad
FROM chunk ORDER BY workspace_id, kind, id
"""
MEASURES = (
    "count(a.value), coalesce(sum(a.good), 0), coalesce(sum(a.bad), 0), "
    "coalesce(sum(a.value), 0.0), coalesce(sum(a.value * a.value), 0.0)"
)
TRUNC = {Period.week: "week", Period.month: "month", Period.quarter: "quarter"}


def offset_minutes(q: MetricQuery, params: list[Any]) -> str:
    """CASE over the query's offset segments (latest first), as in the SQL path."""
    first, *changes = q.segments
    if not changes:
        return str(int(first.minutes))
    whens = []
    for segment in reversed(changes):
        whens.append(f"WHEN a.submitted_at >= ? THEN {int(segment.minutes)}")
        params.append(segment.start)
    return f"(CASE {' '.join(whens)} ELSE {int(first.minutes)} END)"


def period_start(q: MetricQuery, params: list[Any]) -> str:
    local = f"(a.submitted_at + to_minutes({offset_minutes(q, params)}))"
    if q.period == Period.day:
        return f"CAST(CAST({local} AS DATE) AS VARCHAR)"
    return f"CAST(CAST(date_trunc('{TRUNC[q.period]}', {local}) AS DATE) AS VARCHAR)"


def _dim(q: MetricQuery, dim: Dim, index: int, params: list[Any]) -> str:
    plain = {
        "touchpoint": "a.touchpoint_id",
        "channel": "a.channel",
        "survey": "a.survey_id",
        "language": "a.language",
        "stage": "t.stage_id",
        "journey": "t.journey_id",
    }
    if dim.name == "period":
        return period_start(q, params)
    if dim.name == "attr":
        return f"c{index}.value"
    return plain[dim.name]


def aggregate_sql(q: MetricQuery) -> tuple[str, list[Any]]:
    """SELECT keys..., n, Σgood, Σbad, Σvalue, Σvalue² for the query, with its parameters."""
    key_params: list[Any] = []
    keys = [f"{_dim(q, d, i, key_params)} AS k{i}" for i, d in enumerate(q.dims)]
    joins: list[str] = []
    join_params: list[Any] = []
    if any(d.name in ("stage", "journey") for d in q.dims):
        joins.append(
            "LEFT JOIN touchpoints t ON t.id = a.touchpoint_id AND t.workspace_id = a.workspace_id"
        )
    for i, dim in enumerate(q.dims):
        if dim.name == "attr":
            joins.append(
                f"LEFT JOIN contact_attrs c{i} ON c{i}.contact_key = a.contact_key "
                f"AND c{i}.workspace_id = a.workspace_id AND c{i}.name = ?"
            )
            join_params.append(dim.attribute)
    where = ["a.workspace_id = ?", "a.kind = ?"]
    where_params: list[Any] = [q.workspace_id, q.kind]
    for clause, value in (
        ("a.submitted_at >= ?", q.since),
        ("a.submitted_at < ?", q.until),
        ("a.survey_id = ?", q.survey_id),
        ("a.touchpoint_id = ?", q.touchpoint_id),
        ("a.channel = ?", q.channel),
        ("a.language = ?", q.language),
        (
            "a.touchpoint_id IN (SELECT id FROM touchpoints WHERE workspace_id = ? AND "
            "journey_id = ?)",
            q.journey_id,
        ),
        (
            "a.touchpoint_id IN (SELECT id FROM touchpoints WHERE workspace_id = ? AND "
            "stage_id = ?)",
            q.stage_id,
        ),
    ):
        if value is not None:
            where.append(clause)
            if "SELECT id FROM touchpoints" in clause:
                where_params.append(q.workspace_id)
            where_params.append(value)
    for name, values in q.attributes:
        marks = ", ".join("?" * len(values))
        segment = "SELECT contact_key FROM contact_attrs WHERE workspace_id = ? AND name = ?"
        where.append(f"a.contact_key IN ({segment} AND value IN ({marks}))")
        where_params.extend([q.workspace_id, name, *values])
    if q.members is not None:  # the caller registers the member ids as table `members`
        where.append("a.contact_key IN (SELECT hash(contact_id) FROM members)")
    select = ", ".join([*keys, MEASURES])
    sql = f"SELECT {select} FROM answers a {' '.join(joins)} WHERE {' AND '.join(where)}"  # noqa: S608
    if keys:
        sql += " GROUP BY " + ", ".join(f"k{i}" for i in range(len(keys)))
    return sql, [*key_params, *join_params, *where_params]

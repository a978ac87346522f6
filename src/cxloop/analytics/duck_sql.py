"""DuckDB SQL of the analytics copy: appending a chunk, and a metric query's aggregates.

The aggregate mirrors ``cxloop.metrics.repository.aggregate`` clause for clause (same joins,
same offset segments for periods), so both paths return the same groups and sums. Two things
make it fast on tens of millions of answers:

- Periods are bucketed by integer arithmetic: each answer's local day number (epoch µs plus
  the segment's offset, floor-divided by a day) is grouped first; the few thousand day groups
  are then mapped to weeks/months/quarters and summed again.
- Queries that need nothing from the response or contact (no language, attribute or segment)
  read ``answer_days``: n, Σgood, Σbad, Σvalue, Σvalue² per workspace, kind, local day (in the
  workspace's time zone when it was rolled up), touchpoint, channel and survey, when the query
  is in that zone (dates are local midnights). Sums of partial sums equal the plain sums for
  scores, which are whole numbers (exact in a double).
- Queries whose only need from the contact is one attribute with few values (a filter
  ``plan=pro``, a breakdown by ``attr:plan``) read ``attr_days``: the same sums per day and
  attribute value (NULL: the contact has none, or there is no contact).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from cxloop.analytics.query import Dim, MetricQuery, Segment
from cxloop.metrics.schemas import Period

INSERT_CHUNK = """
INSERT INTO answers
SELECT a.id, a.workspace_id, a.kind, CAST(a.ts AS TIMESTAMP), NULLIF(a.touchpoint_id, ''),
       NULLIF(a.channel, ''), NULLIF(a.survey_id, ''), NULLIF(r.language, ''),
       CASE WHEN coalesce(r.contact_id, '') = '' THEN NULL ELSE hash(r.contact_id) END,
       hash(a.response_id), CAST(a.value AS DOUBLE), CAST(a.good AS UTINYINT),
       CAST(a.bad AS UTINYINT)
FROM raw_answers a LEFT JOIN raw_responses r ON r.id = a.response_id
"""  # raw_answers, raw_responses: an Arrow chunk from ``source``, with '' for NULL text
NEW_CONTACTS = """
SELECT c.contact_id FROM chunk_contacts c
ANTI JOIN contacts_seen s ON s.contact_key = hash(c.contact_id)
WHERE c.contact_id <> ''
"""  # chunk_contacts: the distinct contact ids of the answers just appended (the anti join
# hashes those, not the millions of contacts seen)
DAY_US = 86_400_000_000
SHIFT_DAYS = 700_000  # a multiple of 7 (keeps Mondays) that makes every day number positive
FAR = 1 << 62  # µs: before / after any answer
WITH_DAYS = f"""
(SELECT c.workspace_id, c.kind, c.touchpoint_id, c.channel, c.survey_id, c.good, c.bad, c.value,
        c.contact_key, (c.us + s.minutes * 60000000 + {SHIFT_DAYS * DAY_US}) // {DAY_US} AS day
 FROM (SELECT *, epoch_us(CAST(ts AS TIMESTAMP)) AS us FROM {{source}}) c
 JOIN zone_segments s
   ON s.workspace_id = c.workspace_id AND c.us >= s.start_us AND c.us < s.end_us)
"""  # noqa: S608 - {{source}} is the chunk or a fixed SELECT
CHUNK_DAYS = "CREATE OR REPLACE TEMP TABLE chunk_days AS SELECT * FROM {days}"
CHUNK_ATTRS = """
CREATE OR REPLACE TEMP TABLE chunk_attrs AS
SELECT v.* FROM contact_attrs v
SEMI JOIN rolled_attrs r ON r.workspace_id = v.workspace_id AND r.name = v.name
WHERE v.contact_key IN (SELECT contact_key FROM chunk_days)
"""
INSERT_DAYS = """
INSERT INTO answer_days
SELECT workspace_id, kind, day, touchpoint_id, channel, survey_id, count(*), sum(good),
       sum(bad), sum(value), sum(value * value)
FROM {days} GROUP BY ALL ORDER BY 1, 2, 3
"""
INSERT_ATTR_DAYS = """
INSERT INTO attr_days
SELECT c.workspace_id, {name} AS name, c.kind, c.day, c.touchpoint_id, c.channel, c.survey_id,
       v.value,
       {sign} * count(*), {sign} * sum(c.good), {sign} * sum(c.bad), {sign} * sum(c.value),
       {sign} * sum(c.value * c.value)
FROM {days} c
LEFT JOIN {attrs} v
  ON v.contact_key = c.contact_key AND v.workspace_id = c.workspace_id AND v.name = {name}
WHERE c.workspace_id = ?
GROUP BY ALL ORDER BY 1, 2, 3, 4
"""  # {name}: a quoted literal (a parameter would keep it out of the scan's filter)
COMPACT = """
CREATE OR REPLACE TEMP TABLE compact AS
SELECT * EXCLUDE (n, good, bad, total, total_sq), sum(n) AS n, sum(good) AS good,
       sum(bad) AS bad, sum(total) AS total, sum(total_sq) AS total_sq
FROM {table} GROUP BY ALL HAVING sum(n) <> 0
"""  # a group whose answers all moved to another attribute value sums to nothing: dropped
ROLLED_IN_SEGMENTS = (
    "SELECT workspace_id, name FROM rolled_attrs "
    "WHERE workspace_id IN (SELECT workspace_id FROM zone_segments) ORDER BY 1, 2"
)
ANSWERS_AS_CHUNK = (
    "(SELECT workspace_id, kind, submitted_at AS ts, touchpoint_id, channel, survey_id, good, "
    "bad, value, contact_key FROM answers "
    "WHERE workspace_id IN (SELECT workspace_id FROM zone_segments))"
)
ANSWERS_AFTER = (
    "(SELECT workspace_id, kind, submitted_at AS ts, touchpoint_id, channel, survey_id, good, "
    "bad, value, contact_key FROM answers WHERE id > {after})"
)  # the chunk just appended: row groups of older answers are skipped by their id range
ROLLED_MAX_VALUES = 50
"""A contact attribute with at most this many values in a workspace gets ``attr_days``."""
CHOOSE_ROLLED_ATTRS = (
    "INSERT INTO rolled_attrs SELECT workspace_id, name FROM contact_attrs "
    "GROUP BY ALL HAVING count(DISTINCT value) <= ?"
)
ROLLED_ROWS = (
    "SELECT c.* FROM contact_attrs c "
    "SEMI JOIN rolled_attrs r ON r.workspace_id = c.workspace_id AND r.name = c.name"
)
ROLLED_SET_CHANGED = """
SELECT DISTINCT workspace_id FROM (
    (SELECT * FROM old_rolled EXCEPT SELECT * FROM rolled_attrs)
    UNION ALL (SELECT * FROM rolled_attrs EXCEPT SELECT * FROM old_rolled))
"""
MOVED_CONTACTS = f"""
CREATE OR REPLACE TEMP TABLE moved AS SELECT DISTINCT workspace_id, contact_key FROM (
    (SELECT * FROM old_attrs EXCEPT {ROLLED_ROWS})
    UNION ALL ({ROLLED_ROWS} EXCEPT SELECT * FROM old_attrs))
"""  # noqa: S608 - fixed SQL
MOVED_ANSWERS = (
    "(SELECT a.workspace_id, a.kind, a.submitted_at AS ts, a.touchpoint_id, a.channel, "
    "a.survey_id, a.good, a.bad, a.value, a.contact_key FROM answers a SEMI JOIN moved m "
    "ON m.workspace_id = a.workspace_id AND m.contact_key = a.contact_key "
    "WHERE a.workspace_id IN (SELECT workspace_id FROM zone_segments))"
)
TRUNC = {Period.week: "week", Period.month: "month", Period.quarter: "quarter"}
MEASURES = (
    "count(a.value), coalesce(sum(a.good), 0), coalesce(sum(a.bad), 0), "
    "coalesce(sum(a.value), 0.0), coalesce(sum(a.value * a.value), 0.0)"
)
DAY_MEASURES = (
    "coalesce(sum(a.n), 0), coalesce(sum(a.good), 0), coalesce(sum(a.bad), 0), "
    "coalesce(sum(a.total), 0.0), coalesce(sum(a.total_sq), 0.0)"
)


def literal(text: str) -> str:
    """``text`` as a SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def micros(at: datetime) -> int:
    """A naive UTC instant as epoch microseconds."""
    return (at - datetime(1970, 1, 1)) // timedelta(microseconds=1)


def segment_rows(workspace_id: str, segs: Sequence[Segment]) -> list[tuple[str, int, int, int]]:
    """(workspace, start µs, end µs, offset minutes) covering all time, for ``INSERT_DAYS``."""
    starts = [-FAR if s.start is None else micros(s.start) for s in segs]
    ends = [*starts[1:], FAR]
    return [(workspace_id, a, b, s.minutes) for a, b, s in zip(starts, ends, segs, strict=True)]


def _day_number(q: MetricQuery, at: datetime) -> int | None:
    """The local day number starting at ``at`` (naive UTC), or None if it is no local midnight."""
    offset = next(s.minutes for s in reversed(q.segments) if s.start is None or s.start <= at)
    local = micros(at) + offset * 60_000_000 + SHIFT_DAYS * DAY_US
    return local // DAY_US if local % DAY_US == 0 else None


@dataclass(frozen=True)
class Rollup:
    """What the copy has rolled up for a workspace: the time zone of its day rollups (None:
    not yet) and the contact attributes that have ``attr_days``."""

    zone: str | None = None
    attributes: frozenset[str] = frozenset()


def rolled_attribute(q: MetricQuery, rollup: Rollup) -> str | None:
    """The one contact attribute the query filters or groups by, when ``attr_days`` holds it
    and the query needs nothing else from the response (language, a segment's members)."""
    if q.language is not None or q.members is not None:
        return None
    if any(d.name == "language" for d in q.dims):
        return None
    names = {name for name, _ in q.attributes} | {d.attribute for d in q.dims if d.name == "attr"}
    if len(names) != 1:
        return None
    (name,) = names
    return name if name in rollup.attributes else None


def rolled_days(q: MetricQuery, rollup: Rollup) -> tuple[int | None, int | None] | None:
    """(first day, end day) bounds when a daily rollup (``answer_days``, or ``attr_days`` for
    one attribute) can answer the query; None when it needs the answers themselves."""
    if rollup.zone != q.timezone:
        return None
    if q.needs_response and rolled_attribute(q, rollup) is None:
        return None
    days = [None if at is None else _day_number(q, at) for at in (q.since, q.until)]
    for at, day in zip((q.since, q.until), days, strict=True):
        if at is not None and day is None:
            return None
    return days[0], days[1]


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


def local_day(q: MetricQuery, params: list[Any]) -> str:
    """The answer's local day as a day number (days since 1970-01-01 + SHIFT_DAYS)."""
    offset = f"CAST({offset_minutes(q, params)} AS BIGINT) * 60000000"
    return f"((epoch_us(a.submitted_at) + {offset} + {SHIFT_DAYS * DAY_US}) // {DAY_US})"


def period_of_day(period: Period, day: str) -> str:
    """A day number (see ``local_day``) as the ISO first day of its period."""
    date = f"(DATE '1970-01-01' + CAST({day} - {SHIFT_DAYS} AS INTEGER))"
    if period == Period.day:
        return f"CAST({date} AS VARCHAR)"
    if period == Period.week:  # day 0 (+ SHIFT_DAYS) was a Thursday
        monday = f"({day} - ({day} + 3) % 7)"
        return f"CAST(DATE '1970-01-01' + CAST({monday} - {SHIFT_DAYS} AS INTEGER) AS VARCHAR)"
    return f"CAST(CAST(date_trunc('{TRUNC[period]}', {date}) AS DATE) AS VARCHAR)"


def _dim(
    q: MetricQuery, rolled: bool, attribute: str | None, dim: Dim, index: int, params: list[Any]
) -> str:
    plain = {
        "touchpoint": "a.touchpoint_id",
        "channel": "a.channel",
        "survey": "a.survey_id",
        "language": "a.language",
        "stage": "t.stage_id",
        "journey": "t.journey_id",
    }
    if dim.name == "period":
        if not rolled:
            return local_day(q, params)
        if q.period == Period.week:  # the rollup's days go straight into their Monday
            return "(a.day - (a.day + 3) % 7)"
        return "a.day"
    if dim.name == "attr":
        return "a.value" if attribute else f"c{index}.value"
    return plain[dim.name]


def aggregate_sql(q: MetricQuery, rollup: Rollup | None = None) -> tuple[str, list[Any]]:
    """SELECT keys..., n, Σgood, Σbad, Σvalue, Σvalue² for the query, with its parameters;
    ``rollup``: what the copy has rolled up for the workspace."""
    days = rolled_days(q, rollup or Rollup())
    rolled = days is not None
    attribute = rolled_attribute(q, rollup or Rollup()) if rolled else None
    since, until = days if days is not None else (q.since, q.until)
    time = "a.day" if rolled else "a.submitted_at"
    key_params: list[Any] = []
    keys = [f"{_dim(q, rolled, attribute, d, i, key_params)} AS k{i}" for i, d in enumerate(q.dims)]
    joins: list[str] = []
    join_params: list[Any] = []
    if any(d.name in ("stage", "journey") for d in q.dims):
        joins.append(
            "LEFT JOIN touchpoints t ON t.id = a.touchpoint_id AND t.workspace_id = a.workspace_id"
        )
    for i, dim in enumerate(q.dims):
        if dim.name == "attr" and not attribute:
            joins.append(
                f"LEFT JOIN contact_attrs c{i} ON c{i}.contact_key = a.contact_key "
                f"AND c{i}.workspace_id = a.workspace_id AND c{i}.name = ?"
            )
            join_params.append(dim.attribute)
    where = ["a.workspace_id = ?", "a.kind = ?"]
    where_params: list[Any] = [q.workspace_id, q.kind]
    for clause, value in (
        (f"{time} >= ?", since),
        (f"{time} < ?", until),
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
    if attribute:  # attr_days: the attribute's rows, its value a column
        where.append("a.name = ?")
        where_params.append(attribute)
    for name, values in q.attributes:
        marks = ", ".join("?" * len(values))
        if attribute:
            where.append(f"a.value IN ({marks})")
            where_params.extend(values)
            continue
        segment = "SELECT contact_key FROM contact_attrs WHERE workspace_id = ? AND name = ?"
        where.append(f"a.contact_key IN ({segment} AND value IN ({marks}))")
        where_params.extend([q.workspace_id, name, *values])
    if q.members is not None:  # the caller registers the member ids as table `members`
        where.append("a.contact_key IN (SELECT hash(contact_id) FROM members)")
    select = ", ".join([*keys, DAY_MEASURES if rolled else MEASURES])
    table = "attr_days" if attribute else "answer_days" if rolled else "answers"
    sql = f"SELECT {select} FROM {table} a {' '.join(joins)} WHERE {' AND '.join(where)}"  # noqa: S608
    if keys:
        sql += " GROUP BY " + ", ".join(f"k{i}" for i in range(len(keys)))
        if attribute:  # answers moved to another value leave groups that sum to nothing
            sql += " HAVING sum(a.n) <> 0"
    if any(d.name == "period" for d in q.dims):
        sql = _by_period(q, sql)
    return sql, [*key_params, *join_params, *where_params]


def _by_period(q: MetricQuery, by_day: str) -> str:
    """Sums the day groups of ``by_day`` into the query's periods (few rows: cheap)."""
    names = [f"k{i}" for i in range(len(q.dims))]
    outer = [
        f"{period_of_day(q.period, f'd.{k}') if d.name == 'period' else f'd.{k}'}"
        for k, d in zip(names, q.dims, strict=True)
    ]
    sums = "sum(d.n), sum(d.good), sum(d.bad), sum(d.total), sum(d.total_sq)"
    return (
        f"SELECT {', '.join(outer)}, {sums} "  # noqa: S608 - the query's own fragments
        f"FROM ({by_day}) AS d({', '.join(names)}, n, good, bad, total, "
        f"total_sq) GROUP BY {', '.join(str(i + 1) for i in range(len(names)))}"
    )

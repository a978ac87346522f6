"""Streamed exports of responses (long or wide) and of metric breakdowns to CSV, XLSX, Parquet.

Rows come from the database in chunks (server-side cursors) and go straight to the file, so
memory stays bounded whatever the number of responses. Two streams in the same order, responses
and their answers, are merged: each response's columns are read once, not once per answer.
Filters are checked before anything is written; the file appears only when it is complete.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Row
from sqlalchemy.orm import Session

from cxloop.accounts import service as accounts
from cxloop.analytics.query import local_midnight_utc, zone
from cxloop.core.errors import Invalid
from cxloop.core.settings import Settings
from cxloop.exports import repository as repo
from cxloop.exports.schemas import ExportFormat, ExportOutcome, Layout, ResponseFilters
from cxloop.exports.writers import Cell, Column, number_text, open_table
from cxloop.metrics import service as metrics
from cxloop.metrics.schemas import Metric, MetricBreakdown, MetricFilters, Period

Progress = Callable[[int, int], None]
CHUNK = 5_000
NUMERIC_KINDS = frozenset({"nps", "csat", "ces", "rating"})
RESPONSE_COLUMNS = (
    Column("response_id"),
    Column("submitted_at", "datetime"),
    Column("survey_id"),
    Column("survey"),
    Column("touchpoint_id"),
    Column("touchpoint"),
    Column("channel"),
    Column("language"),
    Column("contact_external_id"),
    Column("contact_email"),
)
LONG_COLUMNS = (
    *RESPONSE_COLUMNS,
    Column("question"),
    Column("kind"),
    Column("number", "number"),
    Column("text"),
    Column("choices"),
)
RESULT_COLUMNS = (
    Column("n", "int"),
    Column("value", "number"),
    Column("ci_low", "number"),
    Column("ci_high", "number"),
    Column("insufficient", "bool"),
    Column("good", "int"),
    Column("bad", "int"),
    Column("mean", "number"),
    Column("mean_ci_low", "number"),
    Column("mean_ci_high", "number"),
)


def _invalid(field: str, message: str) -> Invalid:
    return Invalid(f"{field}: {message}", details=[{"field": field, "message": message}])


def parse_format(value: ExportFormat | str) -> ExportFormat:
    try:
        return ExportFormat(value)
    except ValueError:
        allowed = ", ".join(f.value for f in ExportFormat)
        raise _invalid("format", f"unknown value '{value}'; use one of {allowed}") from None


def parse_layout(value: Layout | str) -> Layout:
    try:
        return Layout(value)
    except ValueError:
        allowed = ", ".join(v.value for v in Layout)
        raise _invalid("layout", f"unknown value '{value}'; use one of {allowed}") from None


def resolve_scope(db: Session, workspace_id: str, filters: ResponseFilters) -> repo.Scope:
    """Checks the filters (Invalid: from after to; NotFound: an id of no survey or touchpoint of
    this workspace) and turns calendar days into UTC instants of the workspace's midnights."""
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        message = f"must be on or before date_to ({filters.date_from} > {filters.date_to})"
        raise _invalid("date_from", message)
    metrics.check_filters(
        db,
        workspace_id,
        MetricFilters(survey_id=filters.survey_id, touchpoint_id=filters.touchpoint_id),
    )
    tz = zone(accounts.get_workspace(db, workspace_id).timezone)
    until = filters.date_to + timedelta(days=1) if filters.date_to else None
    return repo.Scope(
        workspace_id=workspace_id,
        survey_id=filters.survey_id,
        touchpoint_id=filters.touchpoint_id,
        channel=filters.channel,
        language=filters.language,
        since=local_midnight_utc(filters.date_from, tz) if filters.date_from else None,
        until=local_midnight_utc(until, tz) if until else None,
    )


def instant(value: str | datetime) -> datetime:
    """A raw submitted_at (SQLite text in UTC, or a datetime) as an aware UTC datetime."""
    if isinstance(value, str):
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _with_answers(
    db: Session, scope: repo.Scope, with_hidden: bool
) -> Iterator[tuple[Row[Any], list[Row[Any]]]]:
    """Each response in scope with its answers (by question position), merging two streams
    sorted alike. An answer whose response the first stream did not see (stored between the two
    queries) is skipped."""
    answers = repo.stream_answers(db, scope, CHUNK)
    responses = repo.stream_responses(db, scope, CHUNK, with_hidden)
    try:
        pending = next(answers, None)
        for response in responses:
            here = (response.submitted_at, response.id)
            group: list[Row[Any]] = []
            while pending is not None:
                if pending.response_id == response.id:
                    group.append(pending)
                elif (pending.submitted_at, pending.response_id) > here:
                    break
                pending = next(answers, None)
            group.sort(key=lambda a: (a.position, a.id))
            yield response, group
    finally:
        responses.close()
        answers.close()


def _choices(value: list[str] | None) -> str | None:
    return None if value is None else "|".join(str(v) for v in value)


def _hidden_text(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def _answer_text(answer: Row[Any]) -> str | None:
    if answer.value_choices is not None:
        return _choices(answer.value_choices)
    if answer.value_number is not None:
        return number_text(answer.value_number)
    text: str | None = answer.value_text
    return text


def wide_columns(
    questions: Sequence[repo.QuestionInfo], hidden: Sequence[str]
) -> tuple[Column, ...]:
    """A column per question key (numeric when every survey asks it as a score) and per hidden
    field; a key that clashes with a response column is named ``answer.<key>``."""
    fixed = {c.name for c in RESPONSE_COLUMNS}
    kinds: dict[str, set[str]] = {}
    for q in questions:
        kinds.setdefault(q.key, set()).add(q.kind)
    answer_columns = [
        Column(
            f"answer.{key}" if key in fixed else key,
            "number" if found <= NUMERIC_KINDS else "string",
        )
        for key, found in kinds.items()
    ]
    return (*RESPONSE_COLUMNS, *answer_columns, *(Column(f"hidden.{h}") for h in hidden))


def export_responses(
    db: Session,
    workspace_id: str,
    format: ExportFormat | str,
    layout: Layout | str,
    filters: ResponseFilters,
    destination: Path,
    progress: Progress | None = None,
    *,
    excel: bool = False,
) -> ExportOutcome:
    """Writes the responses in scope to ``destination``; calls ``progress(done, total)`` after
    each chunk of rows (it may raise to cancel: the partial file is then deleted)."""
    fmt, shape = parse_format(format), parse_layout(layout)
    scope = resolve_scope(db, workspace_id, filters)
    report = progress or (lambda done, total: None)
    if shape is Layout.long:
        columns: tuple[Column, ...] = LONG_COLUMNS
        total = repo.count_answers(db, scope)
    else:
        questions = repo.questions_in_scope(db, scope)
        hidden = repo.hidden_names(db, scope)
        columns = wide_columns(questions, hidden)
        total = repo.count_responses(db, scope)
    report(0, total)
    fill = _wide_filler(columns)
    done = 0
    with open_table(fmt, destination, columns, excel=excel, sheet="responses") as out:
        for response, answers in _with_answers(db, scope, shape is Layout.wide):
            head: list[Cell] = list(response[:10])
            head[1] = instant(response.submitted_at)
            if shape is Layout.long:
                for a in answers:
                    out.write(
                        [
                            *head,
                            a.key,
                            a.kind,
                            a.value_number,
                            a.value_text,
                            _choices(a.value_choices),
                        ]
                    )
                    done += 1
                    if done % CHUNK == 0:
                        report(done, total)
            else:
                fill(head, answers, response.hidden)
                out.write(head)
                done += 1
                if done % CHUNK == 0:
                    report(done, total)
        report(done, max(total, done))  # a last chance to cancel before the file appears
    return ExportOutcome(rows=done, size_bytes=destination.stat().st_size)


def _wide_filler(columns: Sequence[Column]) -> Callable[[list[Cell], list[Row[Any]], Any], None]:
    """Appends the answer and hidden cells of one response to its row, in column order."""
    plan = [
        (c.name.startswith("hidden."), c.name.split(".", 1)[-1], c.type == "number")
        for c in columns[len(RESPONSE_COLUMNS) :]
    ]

    def fill(row: list[Cell], answers: list[Row[Any]], hidden: dict[str, Any] | None) -> None:
        by_key = {a.key: a for a in answers}
        for is_hidden, key, numeric in plan:
            if is_hidden:
                row.append(_hidden_text((hidden or {}).get(key)))
            elif (answer := by_key.get(key)) is None:
                row.append(None)
            else:
                row.append(answer.value_number if numeric else _answer_text(answer))

    return fill


def breakdown_columns(breakdown: MetricBreakdown) -> tuple[Column, ...]:
    dims = [c for d in breakdown.dimensions for c in (Column(d), Column(f"{d}_key"))]
    return (*dims, Column("metric"), *RESULT_COLUMNS)


def write_breakdown(
    breakdown: MetricBreakdown, format: ExportFormat | str, destination: Path, excel: bool = False
) -> ExportOutcome:
    """A breakdown as a table: label and key per dimension, then n, value, interval, ..."""
    fmt = parse_format(format)
    columns = breakdown_columns(breakdown)
    with open_table(fmt, destination, columns, excel=excel, sheet="breakdown") as out:
        for row in breakdown.rows:
            dims: list[Cell] = []
            for i in range(len(breakdown.dimensions)):
                dims += [row.labels[i], row.keys[i]]
            values = [getattr(row, c.name) for c in RESULT_COLUMNS]
            out.write([*dims, breakdown.metric.value, *values])
    return ExportOutcome(rows=len(breakdown.rows), size_bytes=destination.stat().st_size)


def export_breakdown(
    db: Session,
    workspace_id: str,
    format: ExportFormat | str,
    metric: Metric | str,
    by: str,
    period: Period | str,
    filters: MetricFilters,
    destination: Path,
    *,
    settings: Settings | None = None,
    excel: bool = False,
) -> ExportOutcome:
    """Computes ``metrics.metric_breakdown`` and writes it (same checks, same numbers)."""
    fmt = parse_format(format)
    breakdown = metrics.metric_breakdown(
        db, workspace_id, metric, by, period, filters, settings=settings
    )
    return write_breakdown(breakdown, fmt, destination, excel)

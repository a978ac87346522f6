"""Every query of the responses feature. Writes use Core executemany for speed."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, func, insert, select
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session

from cxloop.interactions.models import Interaction
from cxloop.responses.models import Answer, Response, ResponseProgress
from cxloop.surveys.models import Question, Survey

_RESPONSES = cast(Table, Response.__table__)
_ANSWERS = cast(Table, Answer.__table__)
_INTERACTIONS = cast(Table, Interaction.__table__)

# Looked up on every submission: a prepared Core statement on the session's connection, a
# fraction of the cost of an ORM query (no statement building, no ORM objects).
_SURVEY_HEADER = select(
    Survey.id,
    Survey.workspace_id,
    Survey.status,
    Survey.touchpoint_id,
    Survey.default_language,
    Survey.languages,
    Survey.closes_at,
    Survey.current_version_id,
).where(Survey.id == bindparam("survey_id"), Survey.workspace_id == bindparam("workspace_id"))


def survey_header(db: Session, workspace_id: str, survey_id: str) -> Any:
    """The columns of a survey that decide whether and how it can be answered (a Row)."""
    params = {"survey_id": survey_id, "workspace_id": workspace_id}
    return db.connection().execute(_SURVEY_HEADER, params).first()


@dataclass(frozen=True)
class _Insert:
    """An INSERT compiled once for a dialect, and how to turn a row dict into its parameters."""

    sql: str
    names: tuple[str, ...]
    processors: tuple[Callable[[Any], Any] | None, ...]
    positional: bool

    def parameters(self, rows: list[dict[str, Any]]) -> list[Any]:
        """Driver parameters; None stays SQL NULL (also in JSON columns)."""
        procs = self.processors
        cells = [
            [
                None if v is None else (v if p is None else p(v))
                for v, p in zip((row[name] for name in self.names), procs, strict=True)
            ]
            for row in rows
        ]
        if self.positional:
            return [tuple(c) for c in cells]
        return [dict(zip(self.names, c, strict=True)) for c in cells]


_INSERTS: dict[tuple[str, str, tuple[str, ...]], _Insert] = {}


def _compiled(dialect: Dialect, table: Table, names: tuple[str, ...]) -> _Insert:
    key = (dialect.name, table.name, names)
    found = _INSERTS.get(key)
    if found is None:
        compiled = insert(table).compile(dialect=dialect, column_keys=list(names))
        order = tuple(compiled.positiontup or names)
        found = _INSERTS[key] = _Insert(
            sql=str(compiled),
            names=order,
            processors=tuple(
                table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in order
            ),
            positional=bool(compiled.positional),
        )
    return found


def _executemany(db: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    """One executemany of complete rows (same keys), straight to the driver.

    The statement is compiled once and each value goes through its column type's bind
    processor, as Core would do, without Core's per-row bookkeeping (most of the cost of a
    1,000-row insert).
    """
    if not rows:
        return
    connection = db.connection()
    plan = _compiled(connection.dialect, table, tuple(rows[0]))
    connection.exec_driver_sql(plan.sql, plan.parameters(rows))


def insert_rows(
    db: Session,
    responses: list[dict[str, Any]],
    answers: list[dict[str, Any]],
    interactions: list[dict[str, Any]],
) -> None:
    """Inserts complete rows: one executemany per table."""
    _executemany(db, _RESPONSES, responses)
    _executemany(db, _ANSWERS, answers)
    _executemany(db, _INTERACTIONS, interactions)


def existing_keys(db: Session, workspace_id: str, keys: Sequence[str]) -> dict[str, str]:
    """Idempotency keys already stored, mapped to their response ids."""
    found: dict[str, str] = {}
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        rows = db.execute(
            select(Response.idempotency_key, Response.id).where(
                Response.workspace_id == workspace_id, Response.idempotency_key.in_(chunk)
            )
        )
        found.update({str(k): str(i) for k, i in rows})
    return found


def response(db: Session, workspace_id: str, response_id: str) -> Response | None:
    return db.scalar(
        select(Response).where(Response.id == response_id, Response.workspace_id == workspace_id)
    )


def responses(
    db: Session, workspace_id: str, filters: dict[str, Any], limit: int, offset: int
) -> tuple[Sequence[Response], int]:
    query = select(Response).where(Response.workspace_id == workspace_id)
    for column in ("survey_id", "touchpoint_id", "contact_id", "channel", "language", "source"):
        if filters.get(column):
            query = query.where(getattr(Response, column) == filters[column])
    if filters.get("flagged") is not None:
        query = query.where(
            (Response.flags != "") if filters["flagged"] else (Response.flags == "")
        )
    if filters.get("flag"):
        query = query.where(Response.flags.contains(filters["flag"]))
    since: datetime | None = filters.get("since")
    until: datetime | None = filters.get("until")
    if since:
        query = query.where(Response.submitted_at >= since)
    if until:
        query = query.where(Response.submitted_at < until)
    total = int(db.scalar(select(func.count()).select_from(query.subquery())) or 0)
    page = db.scalars(
        query.order_by(Response.submitted_at.desc(), Response.id).limit(limit).offset(offset)
    ).all()
    return page, total


def answers_of(db: Session, response_ids: Sequence[str]) -> Sequence[tuple[Answer, str]]:
    if not response_ids:
        return []
    rows = db.execute(
        select(Answer, Question.key)
        .join(Question, Question.id == Answer.question_id)
        .where(Answer.response_id.in_(response_ids))
        .order_by(Question.position)
    )
    return [(a, str(k)) for a, k in rows]


def recent_durations(db: Session, workspace_id: str, survey_id: str, limit: int) -> list[float]:
    """Completion times (seconds) of the survey's latest timed responses."""
    rows = db.scalars(
        select(Response.duration_seconds)
        .where(
            Response.workspace_id == workspace_id,
            Response.survey_id == survey_id,
            Response.duration_seconds.is_not(None),
        )
        .order_by(Response.submitted_at.desc())
        .limit(limit)
    )
    return [float(v) for v in rows if v is not None]


def recent_answers_of_contact(
    db: Session, workspace_id: str, survey_id: str, contact_id: str, since: datetime
) -> list[dict[str, Any]]:
    """The answers (question id -> value) of the contact's responses to the survey since then."""
    ids = db.scalars(
        select(Response.id)
        .where(
            Response.workspace_id == workspace_id,
            Response.contact_id == contact_id,
            Response.survey_id == survey_id,
            Response.submitted_at >= since,
        )
        .limit(20)
    ).all()
    if not ids:
        return []
    found: dict[str, dict[str, Any]] = {i: {} for i in ids}
    for a in db.scalars(select(Answer).where(Answer.response_id.in_(ids))):
        value = a.value_number if a.value_number is not None else None
        found[a.response_id][a.question_id] = (
            value if value is not None else (a.value_text or sorted(a.value_choices or []))
        )
    return list(found.values())


def flagged_count(db: Session, workspace_id: str, survey_id: str) -> int:
    return int(
        db.scalar(
            select(func.count())
            .select_from(Response)
            .where(
                Response.workspace_id == workspace_id,
                Response.survey_id == survey_id,
                Response.flags != "",
            )
        )
        or 0
    )


def progress(db: Session, workspace_id: str, submission_key: str) -> ResponseProgress | None:
    return db.scalar(
        select(ResponseProgress).where(
            ResponseProgress.workspace_id == workspace_id,
            ResponseProgress.submission_key == submission_key,
        )
    )


def open_progress_of_contact(
    db: Session, workspace_id: str, survey_id: str, contact_id: str
) -> ResponseProgress | None:
    return db.scalar(
        select(ResponseProgress)
        .where(
            ResponseProgress.workspace_id == workspace_id,
            ResponseProgress.survey_id == survey_id,
            ResponseProgress.contact_id == contact_id,
            ResponseProgress.status == "in_progress",
        )
        .order_by(ResponseProgress.updated_at.desc())
        .limit(1)
    )


def progress_counts(db: Session, workspace_id: str, survey_id: str) -> dict[str, int]:
    rows = db.execute(
        select(ResponseProgress.status, func.count())
        .where(
            ResponseProgress.workspace_id == workspace_id,
            ResponseProgress.survey_id == survey_id,
        )
        .group_by(ResponseProgress.status)
    )
    return {str(status): int(n) for status, n in rows}


def progress_list(
    db: Session,
    workspace_id: str,
    survey_id: str | None,
    status: str | None,
    limit: int,
    offset: int,
) -> tuple[Sequence[ResponseProgress], int]:
    query = select(ResponseProgress).where(ResponseProgress.workspace_id == workspace_id)
    if survey_id:
        query = query.where(ResponseProgress.survey_id == survey_id)
    if status:
        query = query.where(ResponseProgress.status == status)
    total = int(db.scalar(select(func.count()).select_from(query.subquery())) or 0)
    page = db.scalars(
        query.order_by(ResponseProgress.updated_at.desc(), ResponseProgress.id)
        .limit(limit)
        .offset(offset)
    ).all()
    return page, total

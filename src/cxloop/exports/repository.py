"""Every query of exports: streamed responses and answers (server-side cursors), the question
keys and hidden field names of a scope, and the export records."""

from __future__ import annotations

from collections.abc import Generator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row, Select, String, exists, func, select, true, type_coerce, update
from sqlalchemy.orm import Session

from cxloop.contacts.models import Contact
from cxloop.exports.models import Export
from cxloop.journeys.models import Touchpoint
from cxloop.responses.models import Answer, Response
from cxloop.surveys.models import Question, Survey, SurveyVersion

AnySelect = Select[*tuple[Any, ...]]


@dataclass(frozen=True)
class Scope:
    """Checked filters: ids of the workspace, instants in UTC (since included, until not)."""

    workspace_id: str
    survey_id: str | None = None
    touchpoint_id: str | None = None
    channel: str | None = None
    language: str | None = None
    since: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True)
class QuestionInfo:
    key: str
    kind: str


def _scoped(stmt: AnySelect, scope: Scope) -> AnySelect:
    stmt = stmt.where(Response.workspace_id == scope.workspace_id)
    if scope.survey_id is not None:
        stmt = stmt.where(Response.survey_id == scope.survey_id)
    if scope.touchpoint_id is not None:
        stmt = stmt.where(Response.touchpoint_id == scope.touchpoint_id)
    if scope.channel is not None:
        stmt = stmt.where(Response.channel == scope.channel)
    if scope.language is not None:
        stmt = stmt.where(Response.language == scope.language)
    if scope.since is not None:
        stmt = stmt.where(Response.submitted_at >= scope.since)
    if scope.until is not None:
        stmt = stmt.where(Response.submitted_at < scope.until)
    return stmt


def _stream(db: Session, stmt: AnySelect, chunk: int) -> Generator[Row[Any]]:
    """Rows fetched `chunk` at a time (a named cursor on PostgreSQL), never all at once."""
    result = db.execute(stmt.execution_options(stream_results=True, yield_per=chunk))
    try:
        yield from result
    finally:
        result.close()


def _raw_time() -> Any:
    """submitted_at as the driver returns it (SQLite: text, parsed faster than SQLAlchemy's
    regex; PostgreSQL: a datetime); see ``service.instant``."""
    return type_coerce(Response.submitted_at, String()).label("submitted_at")


def stream_responses(
    db: Session, scope: Scope, chunk: int, with_hidden: bool
) -> Generator[Row[Any]]:
    """(id, submitted_at, survey_id, survey, touchpoint_id, touchpoint, channel, language,
    contact_external_id, contact_email[, hidden]) ordered by (submitted_at, id)."""
    stmt: AnySelect = (
        select(
            Response.id,
            _raw_time(),
            Response.survey_id,
            Survey.name,
            Response.touchpoint_id,
            Touchpoint.name,
            Response.channel,
            Response.language,
            Contact.external_id,
            Contact.email,
            *([Response.hidden] if with_hidden else []),
        )
        .join(Survey, Survey.id == Response.survey_id)
        .outerjoin(Touchpoint, Touchpoint.id == Response.touchpoint_id)
        .outerjoin(Contact, Contact.id == Response.contact_id)
    )
    stmt = _scoped(stmt, scope).order_by(Response.submitted_at, Response.id)
    return _stream(db, stmt, chunk)


def stream_answers(db: Session, scope: Scope, chunk: int) -> Generator[Row[Any]]:
    """(response_id, submitted_at, key, position, answer id, kind, number, text, choices) in
    the order of ``stream_responses``; within a response in no particular order."""
    stmt: AnySelect = (
        select(
            Answer.response_id,
            _raw_time(),
            Question.key,
            Question.position,
            Answer.id,
            Answer.kind,
            Answer.value_number,
            Answer.value_text,
            Answer.value_choices,
        )
        .join(Response, Response.id == Answer.response_id)
        .join(Question, Question.id == Answer.question_id)
    )
    stmt = _scoped(stmt, scope).order_by(Response.submitted_at, Response.id)
    return _stream(db, stmt, chunk)


def count_responses(db: Session, scope: Scope) -> int:
    return int(db.scalar(_scoped(select(func.count(Response.id)), scope)) or 0)


def count_answers(db: Session, scope: Scope) -> int:
    stmt = select(func.count(Answer.id)).join(Response, Response.id == Answer.response_id)
    return int(db.scalar(_scoped(stmt, scope)) or 0)


def questions_in_scope(db: Session, scope: Scope) -> list[QuestionInfo]:
    """Question keys of the surveys that have responses in scope: surveys by creation, then
    versions by number, then questions by position; a key repeated later is listed once."""
    answered = _scoped(select(Response.id), scope).where(Response.survey_id == Survey.id)
    stmt = (
        select(Question.key, Question.kind)
        .join(SurveyVersion, SurveyVersion.id == Question.version_id)
        .join(Survey, Survey.id == SurveyVersion.survey_id)
        .where(Survey.workspace_id == scope.workspace_id, exists(answered))
        .order_by(Survey.created_at, Survey.id, SurveyVersion.number, Question.position)
    )
    seen: dict[str, QuestionInfo] = {}
    for key, kind in db.execute(stmt):
        seen.setdefault(key, QuestionInfo(key, kind))
    return list(seen.values())


def hidden_names(db: Session, scope: Scope) -> list[str]:
    """The hidden field names used by the responses in scope, sorted (computed in SQL)."""
    if db.get_bind().dialect.name == "postgresql":
        names = func.json_object_keys(Response.hidden).label("name")
        stmt = _scoped(select(names), scope)
    else:
        each = func.json_each(Response.hidden).table_valued("key")
        stmt = _scoped(select(each.c.key).select_from(Response).join(each, true()), scope)
    return sorted({str(name) for name in db.scalars(stmt.distinct())})


def insert_export(db: Session, values: dict[str, Any]) -> Export:
    export = Export(**values)
    db.add(export)
    db.flush()
    return export


def get_export(db: Session, export_id: str, workspace_id: str | None = None) -> Export | None:
    stmt = select(Export).where(Export.id == export_id)
    if workspace_id is not None:
        stmt = stmt.where(Export.workspace_id == workspace_id)
    return db.scalars(stmt).first()


def list_exports(db: Session, workspace_id: str, limit: int) -> Sequence[Export]:
    stmt = select(Export).where(Export.workspace_id == workspace_id)
    return db.scalars(stmt.order_by(Export.created_at.desc(), Export.id).limit(limit)).all()


def update_export(db: Session, export_id: str, values: dict[str, Any]) -> None:
    stmt = (
        update(Export)
        .where(Export.id == export_id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    db.execute(stmt)


def export_status(db: Session, export_id: str) -> str | None:
    return db.scalar(select(Export.status).where(Export.id == export_id))


def delete_export(db: Session, export: Export) -> None:
    db.delete(export)
    db.flush()

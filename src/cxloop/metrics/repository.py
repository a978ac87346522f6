"""Every query of the metrics feature: aggregates computed in the database, never row by row.

Queries start from the answers index (workspace_id, kind, submitted_at) and group by one
dimension; period buckets are dialect-aware SQL (SQLite date()/strftime, PostgreSQL date_trunc).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Date, and_, cast, func, literal_column, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from cxloop.journeys.models import Journey, Stage, Touchpoint
from cxloop.metrics.schemas import Breakdown, MetricFilters, Period
from cxloop.responses.models import Answer, Response
from cxloop.surveys.models import Survey

SCORE_KINDS = ("nps", "csat", "ces")


@dataclass(frozen=True)
class Aggregate:
    """Counts and sums of one group: n answers, Σgood, Σbad, Σvalue, Σvalue²."""

    key: str | None
    n: int
    good: int
    bad: int
    total: float
    total_sq: float


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def answer_conditions(
    workspace_id: str, kind: str, filters: MetricFilters
) -> list[ColumnElement[bool]]:
    """WHERE clauses for one workspace, one answer kind and the filters (dates inclusive)."""
    conditions: list[ColumnElement[bool]] = [
        Answer.workspace_id == workspace_id,
        Answer.kind == kind,
    ]
    if filters.date_from is not None:
        conditions.append(Answer.submitted_at >= _day_start(filters.date_from))
    if filters.date_to is not None:
        conditions.append(Answer.submitted_at < _day_start(filters.date_to + timedelta(days=1)))
    if filters.survey_id is not None:
        conditions.append(Answer.survey_id == filters.survey_id)
    if filters.touchpoint_id is not None:
        conditions.append(Answer.touchpoint_id == filters.touchpoint_id)
    if filters.channel is not None:
        conditions.append(Answer.channel == filters.channel)
    if filters.journey_id is not None:
        on_journey = (
            select(Touchpoint.id)
            .join(Stage, Stage.id == Touchpoint.stage_id)
            .where(
                Touchpoint.workspace_id == workspace_id,
                Stage.workspace_id == workspace_id,
                Stage.journey_id == filters.journey_id,
            )
        )
        conditions.append(Answer.touchpoint_id.in_(on_journey))
    return conditions


def period_start(dialect: str, period: Period) -> ColumnElement[Any]:
    """SQL for the first day (UTC) of the day/week (Monday)/month holding submitted_at."""
    col = Answer.submitted_at
    if dialect == "postgresql":
        utc = func.timezone(literal_column("'UTC'"), col)
        if period == Period.day:
            return cast(utc, Date)
        return cast(func.date_trunc(literal_column(f"'{period.value}'"), utc), Date)
    # SQLite stores UTC timestamps as ISO text ("YYYY-MM-DD HH:MM:SS.ffffff").
    if period == Period.day:
        return func.date(col)
    if period == Period.week:
        # 'weekday 0' moves forward to Sunday (or stays), then back 6 days to its Monday.
        return func.date(col, literal_column("'weekday 0'"), literal_column("'-6 days'"))
    return func.strftime(literal_column("'%Y-%m-01'"), col)


def _group_key(db: Session, by: Breakdown | None, period: Period) -> ColumnElement[Any] | None:
    if by is None:
        return None
    if by == Breakdown.touchpoint:
        return Answer.__table__.c.touchpoint_id
    if by == Breakdown.channel:
        return Answer.__table__.c.channel
    return period_start(db.get_bind().dialect.name, period)


def aggregate(
    db: Session,
    workspace_id: str,
    kind: str,
    filters: MetricFilters,
    by: Breakdown | None = None,
    period: Period = Period.week,
) -> list[Aggregate]:
    """COUNT/SUM of good, bad, value and value² per group (one row when ``by`` is None)."""
    value = Answer.value_number
    measures = (
        func.count(Answer.value_number),
        func.coalesce(func.sum(Answer.good), 0),
        func.coalesce(func.sum(Answer.bad), 0),
        func.coalesce(func.sum(value), 0.0),
        func.coalesce(func.sum(value * value), 0.0),
    )
    conditions = [*answer_conditions(workspace_id, kind, filters), Answer.value_number.is_not(None)]
    key = _group_key(db, by, period)
    if key is None:
        row = db.execute(select(*measures).where(*conditions)).one()
        return [_aggregate(None, row)]
    bucket = key.label("bucket")
    stmt = select(bucket, *measures).where(*conditions).group_by(bucket).order_by(bucket)
    return [_aggregate(row[0], row[1:]) for row in db.execute(stmt)]


def _aggregate(key: object, row: Sequence[Any]) -> Aggregate:
    n, good, bad, total, total_sq = row
    text = key.isoformat() if isinstance(key, date) else None if key is None else str(key)
    return Aggregate(text, int(n), int(good), int(bad), float(total), float(total_sq))


def touchpoint_names(db: Session, workspace_id: str, ids: Iterable[str]) -> dict[str, str]:
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = db.execute(
        select(Touchpoint.id, Touchpoint.name).where(
            Touchpoint.workspace_id == workspace_id, Touchpoint.id.in_(wanted)
        )
    )
    return {row.id: row.name for row in rows}


def touchpoints(db: Session, workspace_id: str) -> list[tuple[str, str]]:
    rows = db.execute(
        select(Touchpoint.id, Touchpoint.name)
        .where(Touchpoint.workspace_id == workspace_id)
        .order_by(Touchpoint.name, Touchpoint.id)
    )
    return [(row.id, row.name) for row in rows]


def exists_in_workspace(db: Session, what: str, workspace_id: str, ident: str) -> bool:
    """Whether a touchpoint, survey or journey with this id belongs to the workspace."""
    table = {"touchpoint": Touchpoint, "survey": Survey, "journey": Journey}[what].__table__
    stmt = select(table.c.id).where(table.c.id == ident, table.c.workspace_id == workspace_id)
    return db.scalar(stmt) is not None


def has_answers(db: Session, workspace_id: str) -> bool:
    stmt = select(Answer.id).where(Answer.workspace_id == workspace_id).limit(1)
    return db.scalar(stmt) is not None


@dataclass(frozen=True)
class CommentRow:
    answer_id: int
    response_id: str
    text: str
    submitted_at: datetime
    language: str
    touchpoint_id: str | None
    touchpoint_name: str | None
    channel: str | None


def latest_comments(
    db: Session, workspace_id: str, filters: MetricFilters, limit: int
) -> list[CommentRow]:
    """The newest non-empty open-text answers, with the response's language and touchpoint."""
    stmt = (
        select(
            Answer.id,
            Answer.response_id,
            Answer.value_text,
            Answer.submitted_at,
            Response.language,
            Answer.touchpoint_id,
            Touchpoint.name,
            Answer.channel,
        )
        .join(Response, Response.id == Answer.response_id)
        .outerjoin(
            Touchpoint,
            and_(Touchpoint.id == Answer.touchpoint_id, Touchpoint.workspace_id == workspace_id),
        )
        .where(
            *answer_conditions(workspace_id, "open_text", filters),
            Answer.value_text.is_not(None),
            Answer.value_text != "",
        )
        .order_by(Answer.submitted_at.desc(), Answer.id.desc())
        .limit(limit)
    )
    return [
        CommentRow(
            answer_id=row[0],
            response_id=row[1],
            text=row[2] or "",
            submitted_at=row[3],
            language=row[4],
            touchpoint_id=row[5],
            touchpoint_name=row[6],
            channel=row[7],
        )
        for row in db.execute(stmt)
    ]


def scores_of(
    db: Session, workspace_id: str, response_ids: Iterable[str]
) -> list[tuple[str, str, float]]:
    """(response_id, kind, value) of the nps/csat/ces answers of these responses."""
    wanted = sorted(set(response_ids))
    if not wanted:
        return []
    # The workspace check is wrapped in coalesce() so that SQLite's planner (without ANALYZE
    # statistics) walks ix_answers_response for these few ids instead of the metric index.
    rows = db.execute(
        select(Answer.response_id, Answer.kind, Answer.value_number).where(
            Answer.response_id.in_(wanted),
            func.coalesce(Answer.workspace_id, "") == workspace_id,
            Answer.kind.in_(SCORE_KINDS),
            Answer.value_number.is_not(None),
        )
    )
    return [(r.response_id, r.kind, float(r.value_number)) for r in rows]

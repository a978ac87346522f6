"""Every query of the metrics feature: aggregates computed in the database, never row by row.

Queries start from the answers index (workspace_id, kind, submitted_at) and group by up to two
dimensions; the response rate counts invitations instead (``invitation_aggregate``). Period
buckets shift UTC timestamps by the workspace's offset segments (see ``cxloop.analytics.query``)
with dialect-aware SQL (SQLite date()/strftime, PostgreSQL date_trunc), so no database time-zone
data is involved.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, NamedTuple

from sqlalchemy import (
    Date,
    Integer,
    Select,
    and_,
    case,
    cast,
    func,
    literal,
    literal_column,
    select,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from cxloop.accounts.models import Workspace
from cxloop.analytics.query import Dim, MetricQuery
from cxloop.contacts.models import Contact, attribute_text
from cxloop.invitations.models import Invitation
from cxloop.journeys.models import Journey, Stage, Touchpoint
from cxloop.metrics.schemas import Period
from cxloop.responses.models import Answer, Response
from cxloop.surveys.models import Survey

SCORE_KINDS = ("nps", "csat", "ces")


class Aggregate(NamedTuple):
    """Counts and sums of one group: n answers, Σgood, Σbad, Σvalue, Σvalue² (a named tuple:
    a breakdown builds thousands)."""

    keys: tuple[str | None, ...]
    n: int
    good: int
    bad: int
    total: float
    total_sq: float

    @property
    def key(self) -> str | None:
        return self.keys[0] if self.keys else None


def to_aggregate(keys: Sequence[object], measures: Sequence[Any]) -> Aggregate:
    """An Aggregate from raw key values (dates become ISO days) and the five measures."""
    n, good, bad, total, total_sq = measures
    texts = tuple(k if k is None or isinstance(k, str) else _key_text(k) for k in keys)
    return Aggregate(texts, int(n), int(good or 0), int(bad or 0), float(total or 0),
                     float(total_sq or 0))  # fmt: skip


def _key_text(key: object) -> str:
    return key.isoformat()[:10] if isinstance(key, date | datetime) else str(key)


def _conditions(q: MetricQuery, dialect: str) -> list[ColumnElement[bool]]:
    """WHERE clauses of the query (needs Response and Contact joined for language/attributes)."""
    conditions: list[ColumnElement[bool]] = [
        Answer.workspace_id == q.workspace_id,
        Answer.kind == q.kind,
    ]
    if q.since is not None:
        conditions.append(Answer.submitted_at >= q.since)
    if q.until is not None:
        conditions.append(Answer.submitted_at < q.until)
    for column, value in (
        (Answer.survey_id, q.survey_id),
        (Answer.touchpoint_id, q.touchpoint_id),
        (Answer.channel, q.channel),
    ):
        if value is not None:
            conditions.append(column == value)
    if q.journey_id is not None or q.stage_id is not None:
        conditions.append(Answer.touchpoint_id.in_(_on_path(q)))
    if q.language is not None:
        conditions.append(Response.language == q.language)
    for name, values in q.attributes:
        conditions.append(attribute_text(dialect, name).in_(values))
    if q.members is not None:
        conditions.append(Response.contact_id.in_(q.members.scalar_subquery()))
    return conditions


def _on_path(q: MetricQuery) -> Select[Any]:
    """SELECT of the ids of the touchpoints on the query's journey and/or stage."""
    on_path = (
        select(Touchpoint.id)
        .join(Stage, Stage.id == Touchpoint.stage_id)
        .where(Touchpoint.workspace_id == q.workspace_id, Stage.workspace_id == q.workspace_id)
    )
    if q.journey_id is not None:
        on_path = on_path.where(Stage.journey_id == q.journey_id)
    if q.stage_id is not None:
        on_path = on_path.where(Stage.id == q.stage_id)
    return on_path


def _offset_minutes(q: MetricQuery, col: ColumnElement[Any] | None = None) -> ColumnElement[Any]:
    """The workspace's UTC offset (minutes) at each timestamp of ``col`` (default: the answer's
    time), from the query's segments."""
    first, *changes = q.segments
    if not changes:
        return literal(first.minutes)
    at = Answer.__table__.c.submitted_at if col is None else col
    whens = [(at >= s.start, literal(s.minutes)) for s in reversed(changes)]
    return case(*whens, else_=literal(first.minutes))


def period_start(
    dialect: str, q: MetricQuery, col: ColumnElement[Any] | None = None
) -> ColumnElement[Any]:
    """SQL for the first local day of the day/week (Monday)/month/quarter holding a timestamp
    of ``col`` (default: the answer's time)."""
    at = Answer.__table__.c.submitted_at if col is None else col
    offset = _offset_minutes(q, at)
    if dialect == "postgresql":
        local = func.timezone(literal_column("'UTC'"), at) + offset * literal_column(
            "interval '1 minute'"
        )
        if q.period == Period.day:
            return cast(local, Date)
        return cast(func.date_trunc(literal_column(f"'{q.period.value}'"), local), Date)
    # SQLite stores UTC timestamps as ISO text; date() takes the offset as a modifier.
    shift = func.printf("%+d minutes", offset)
    if q.period == Period.day:
        return func.date(at, shift)
    if q.period == Period.week:
        # 'weekday 0' moves forward to Sunday (or stays), then back 6 days to its Monday.
        return func.date(at, shift, literal_column("'weekday 0'"), literal_column("'-6 days'"))
    if q.period == Period.month:
        return func.strftime(literal_column("'%Y-%m-01'"), at, shift)
    month = cast(func.strftime(literal_column("'%m'"), at, shift), Integer)
    first_month = func.substr(literal_column("'010101040404070707101010'"), month * 2 - 1, 2)
    year = func.strftime(literal_column("'%Y-'"), at, shift)
    return year.op("||")(first_month).op("||")(literal_column("'-01'"))


def _dim_column(dialect: str, q: MetricQuery, dim: Dim) -> ColumnElement[Any]:
    columns: dict[str, ColumnElement[Any]] = {
        "touchpoint": Answer.__table__.c.touchpoint_id,
        "channel": Answer.__table__.c.channel,
        "survey": Answer.__table__.c.survey_id,
        "language": Response.__table__.c.language,
        "stage": Touchpoint.__table__.c.stage_id,
        "journey": Stage.__table__.c.journey_id,
    }
    if dim.name == "period":
        return period_start(dialect, q)
    if dim.name == "attr":
        return attribute_text(dialect, dim.attribute or "")
    return columns[dim.name]


def aggregate(db: Session, q: MetricQuery) -> list[Aggregate]:
    """COUNT/SUM of good, bad, value and value² per group (one row when there is no dim)."""
    dialect = db.get_bind().dialect.name
    value = Answer.value_number
    measures = (
        func.count(value),
        func.coalesce(func.sum(Answer.good), 0),
        func.coalesce(func.sum(Answer.bad), 0),
        func.coalesce(func.sum(value), 0.0),
        func.coalesce(func.sum(value * value), 0.0),
    )
    keys = [_dim_column(dialect, q, d).label(f"k{i}") for i, d in enumerate(q.dims)]
    stmt = select(*keys, *measures).select_from(Answer)
    names = {d.name for d in q.dims}
    if q.needs_response:
        stmt = stmt.join(Response, Response.id == Answer.response_id)
    if names & {"stage", "journey"}:
        stmt = stmt.outerjoin(
            Touchpoint,
            and_(Touchpoint.id == Answer.touchpoint_id, Touchpoint.workspace_id == q.workspace_id),
        )
    if "journey" in names:
        stmt = stmt.outerjoin(
            Stage, and_(Stage.id == Touchpoint.stage_id, Stage.workspace_id == q.workspace_id)
        )
    if q.attributes or "attr" in names:
        stmt = stmt.outerjoin(
            Contact, and_(Contact.id == Response.contact_id, Contact.workspace_id == q.workspace_id)
        )
    stmt = stmt.where(*_conditions(q, dialect), value.is_not(None))
    if not keys:
        return [to_aggregate((), db.execute(stmt).one())]
    stmt = stmt.group_by(*keys)
    return [to_aggregate(row[: len(keys)], row[len(keys) :]) for row in db.execute(stmt)]


def _delivered(workspace_id: str) -> list[ColumnElement[bool]]:
    """Invitations delivered, as ``invitations.funnel()`` counts them: not blocked, with a
    delivery time (a link or widget invitation gets one when it is opened)."""
    return [
        Invitation.workspace_id == workspace_id,
        Invitation.status != "blocked",
        Invitation.delivered_at.is_not(None),
    ]


def _invitation_conditions(q: MetricQuery, dialect: str) -> list[ColumnElement[bool]]:
    """WHERE clauses of a response-rate query (needs Contact joined for attributes)."""
    conditions = _delivered(q.workspace_id)
    if q.since is not None:
        conditions.append(Invitation.delivered_at >= q.since)
    if q.until is not None:
        conditions.append(Invitation.delivered_at < q.until)
    for column, value in (
        (Invitation.survey_id, q.survey_id),
        (Invitation.touchpoint_id, q.touchpoint_id),
        (Invitation.channel, q.channel),
        (Invitation.language, q.language),
    ):
        if value is not None:
            conditions.append(column == value)
    if q.journey_id is not None or q.stage_id is not None:
        conditions.append(Invitation.touchpoint_id.in_(_on_path(q)))
    for name, values in q.attributes:
        conditions.append(attribute_text(dialect, name).in_(values))
    if q.members is not None:
        conditions.append(Invitation.contact_id.in_(q.members.scalar_subquery()))
    return conditions


def _invitation_dim_column(dialect: str, q: MetricQuery, dim: Dim) -> ColumnElement[Any]:
    columns: dict[str, ColumnElement[Any]] = {
        "touchpoint": Invitation.__table__.c.touchpoint_id,
        "channel": Invitation.__table__.c.channel,
        "survey": Invitation.__table__.c.survey_id,
        "language": Invitation.__table__.c.language,
        "stage": Touchpoint.__table__.c.stage_id,
        "journey": Stage.__table__.c.journey_id,
    }
    if dim.name == "period":
        return period_start(dialect, q, Invitation.__table__.c.delivered_at)
    if dim.name == "attr":
        return attribute_text(dialect, dim.attribute or "")
    return columns[dim.name]


def invitation_aggregate(db: Session, q: MetricQuery) -> list[Aggregate]:
    """Response rate per group: n = invitations delivered, good = those with a response.

    Same filters and dimensions as ``aggregate`` over the invitation's own columns (survey,
    touchpoint, channel, language, contact); dates and periods by its delivery time.
    """
    dialect = db.get_bind().dialect.name
    measures = (
        func.count(),
        func.count(Invitation.response_id),
        literal(0),
        literal(0.0),
        literal(0.0),
    )
    keys = [_invitation_dim_column(dialect, q, d).label(f"k{i}") for i, d in enumerate(q.dims)]
    stmt = select(*keys, *measures).select_from(Invitation)
    names = {d.name for d in q.dims}
    if names & {"stage", "journey"}:
        stmt = stmt.outerjoin(
            Touchpoint,
            and_(
                Touchpoint.id == Invitation.touchpoint_id,
                Touchpoint.workspace_id == q.workspace_id,
            ),
        )
    if "journey" in names:
        stmt = stmt.outerjoin(
            Stage, and_(Stage.id == Touchpoint.stage_id, Stage.workspace_id == q.workspace_id)
        )
    if q.attributes or "attr" in names:
        stmt = stmt.outerjoin(
            Contact,
            and_(Contact.id == Invitation.contact_id, Contact.workspace_id == q.workspace_id),
        )
    stmt = stmt.where(*_invitation_conditions(q, dialect))
    if not keys:
        return [to_aggregate((), db.execute(stmt).one())]
    stmt = stmt.group_by(*keys)
    return [to_aggregate(row[: len(keys)], row[len(keys) :]) for row in db.execute(stmt)]


def delivery_span(db: Session, workspace_id: str) -> tuple[datetime | None, datetime | None]:
    """The first and last delivery time (naive UTC) of the workspace's invitations."""
    low, high = db.execute(
        select(func.min(Invitation.delivered_at), func.max(Invitation.delivered_at)).where(
            *_delivered(workspace_id)
        )
    ).one()
    return _naive(low), _naive(high)


def time_span(db: Session, workspace_id: str, kind: str) -> tuple[datetime | None, datetime | None]:
    """The first and last answer time (naive UTC) of one kind (two index seeks)."""
    where = (Answer.workspace_id == workspace_id, Answer.kind == kind)
    low = db.scalar(select(func.min(Answer.submitted_at)).where(*where))
    high = db.scalar(select(func.max(Answer.submitted_at)).where(*where))
    return _naive(low), _naive(high)


def _naive(value: datetime | None) -> datetime | None:
    return None if value is None else value.replace(tzinfo=None)


def workspace_settings(db: Session, workspace_id: str) -> tuple[int, str]:
    """(min_sample, timezone) of the workspace."""
    row = db.execute(
        select(Workspace.min_sample, Workspace.timezone).where(Workspace.id == workspace_id)
    ).one()
    return int(row[0]), str(row[1] or "UTC")


def names_of(db: Session, what: str, workspace_id: str, ids: Iterable[str]) -> dict[str, str]:
    """Names of touchpoints, stages, journeys or surveys by id (one query)."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    table = {"touchpoint": Touchpoint, "stage": Stage, "journey": Journey, "survey": Survey}[
        what
    ].__table__
    rows = db.execute(
        select(table.c.id, table.c.name).where(
            table.c.workspace_id == workspace_id, table.c.id.in_(wanted)
        )
    )
    return {row[0]: row[1] for row in rows}


def stage_order(db: Session, workspace_id: str) -> dict[str, tuple[str, int]]:
    """Stage id → (journey name, position): stages sort along their journey."""
    rows = db.execute(
        select(Stage.id, Journey.name, Stage.position)
        .join(Journey, Journey.id == Stage.journey_id)
        .where(Stage.workspace_id == workspace_id)
    )
    return {row[0]: (row[1], int(row[2])) for row in rows}


def touchpoints(db: Session, workspace_id: str) -> list[tuple[str, str]]:
    rows = db.execute(
        select(Touchpoint.id, Touchpoint.name)
        .where(Touchpoint.workspace_id == workspace_id)
        .order_by(Touchpoint.name, Touchpoint.id)
    )
    return [(row.id, row.name) for row in rows]


def exists_in_workspace(db: Session, what: str, workspace_id: str, ident: str) -> bool:
    """Whether a touchpoint, stage, survey or journey with this id belongs to the workspace."""
    table = {"touchpoint": Touchpoint, "survey": Survey, "journey": Journey, "stage": Stage}[
        what
    ].__table__
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


def latest_comments(db: Session, q: MetricQuery, limit: int) -> list[CommentRow]:
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
            and_(Touchpoint.id == Answer.touchpoint_id, Touchpoint.workspace_id == q.workspace_id),
        )
    )
    if q.attributes:
        stmt = stmt.outerjoin(
            Contact, and_(Contact.id == Response.contact_id, Contact.workspace_id == q.workspace_id)
        )
    stmt = (
        stmt.where(
            *_conditions(q, db.get_bind().dialect.name),
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

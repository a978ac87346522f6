"""Every query of alerts: the alerts and firings, and the counts behind response_count,
theme_share and negative_share (computed in the database, like the metrics engine)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from cxloop.accounts.models import Membership, User
from cxloop.alerts.models import Alert, AlertFiring
from cxloop.analytics.query import MetricQuery
from cxloop.comments.models import Comment, CommentTheme
from cxloop.contacts.models import Contact, attribute_text
from cxloop.journeys.models import Journey, Stage, Touchpoint
from cxloop.responses.models import Response
from cxloop.segments.models import Segment
from cxloop.surveys.models import Survey


def get(db: Session, workspace_id: str, alert_id: str) -> Alert | None:
    stmt = select(Alert).where(Alert.id == alert_id, Alert.workspace_id == workspace_id)
    return db.scalar(stmt)


def all_of(db: Session, workspace_id: str) -> Sequence[Alert]:
    stmt = select(Alert).where(Alert.workspace_id == workspace_id).order_by(Alert.name, Alert.id)
    return db.scalars(stmt).all()


def due(db: Session, now: datetime, limit: int = 500) -> Sequence[Alert]:
    """Active alerts whose next check is due (never checked first)."""
    stmt = (
        select(Alert)
        .where(
            Alert.active.is_(True), or_(Alert.next_check_at.is_(None), Alert.next_check_at <= now)
        )
        .order_by(Alert.next_check_at.is_not(None), Alert.next_check_at)
        .limit(limit)
    )
    return db.scalars(stmt).all()


def firings(
    db: Session, workspace_id: str, alert_id: str | None = None, limit: int = 50
) -> Sequence[AlertFiring]:
    stmt = select(AlertFiring).where(AlertFiring.workspace_id == workspace_id)
    if alert_id is not None:
        stmt = stmt.where(AlertFiring.alert_id == alert_id)
    stmt = stmt.order_by(AlertFiring.created_at.desc(), AlertFiring.id.desc()).limit(limit)
    return db.scalars(stmt).all()


def firing_for(db: Session, alert_id: str, period_start: Any, fingerprint: str) -> str | None:
    stmt = select(AlertFiring.id).where(
        AlertFiring.alert_id == alert_id,
        AlertFiring.period_start == period_start,
        AlertFiring.fingerprint == fingerprint,
    )
    return db.scalar(stmt)


def insert_firing(db: Session, values: dict[str, Any]) -> str | None:
    """Stores a firing; None when this alert already fired for the period and condition."""
    builder = postgresql.insert if db.get_bind().dialect.name == "postgresql" else sqlite.insert
    stmt = (
        builder(AlertFiring)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["alert_id", "period_start", "fingerprint"])
        .returning(AlertFiring.id)
    )
    return db.execute(stmt).scalar_one_or_none()


def _path_condition(q: MetricQuery, column: Any) -> ColumnElement[bool] | None:
    if q.journey_id is None and q.stage_id is None:
        return None
    on_path = (
        select(Touchpoint.id)
        .join(Stage, Stage.id == Touchpoint.stage_id)
        .where(Touchpoint.workspace_id == q.workspace_id, Stage.workspace_id == q.workspace_id)
    )
    if q.journey_id is not None:
        on_path = on_path.where(Stage.journey_id == q.journey_id)
    if q.stage_id is not None:
        on_path = on_path.where(Stage.id == q.stage_id)
    condition: ColumnElement[bool] = column.in_(on_path)
    return condition


def count_responses(db: Session, q: MetricQuery) -> int:
    """Responses of the query's slice and time span."""
    conditions: list[ColumnElement[bool]] = [Response.workspace_id == q.workspace_id]
    if q.since is not None:
        conditions.append(Response.submitted_at >= q.since)
    if q.until is not None:
        conditions.append(Response.submitted_at < q.until)
    for column, value in (
        (Response.survey_id, q.survey_id),
        (Response.touchpoint_id, q.touchpoint_id),
        (Response.channel, q.channel),
        (Response.language, q.language),
    ):
        if value is not None:
            conditions.append(column == value)
    path = _path_condition(q, Response.touchpoint_id)
    if path is not None:
        conditions.append(path)
    stmt = select(func.count(Response.id)).select_from(Response)
    if q.attributes:
        stmt = stmt.outerjoin(
            Contact, and_(Contact.id == Response.contact_id, Contact.workspace_id == q.workspace_id)
        )
        dialect = db.get_bind().dialect.name
        conditions += [attribute_text(dialect, n).in_(v) for n, v in q.attributes]
    if q.members is not None:
        conditions.append(Response.contact_id.in_(q.members.scalar_subquery()))
    return int(db.scalar(stmt.where(*conditions)) or 0)


def count_comments(
    db: Session, q: MetricQuery, theme_key: str | None = None, negative: bool = False
) -> tuple[int, int]:
    """(comments, of which with the theme / negative) in the query's slice and time span."""
    conditions: list[ColumnElement[bool]] = [Comment.workspace_id == q.workspace_id]
    if q.since is not None:
        conditions.append(Comment.occurred_at >= q.since)
    if q.until is not None:
        conditions.append(Comment.occurred_at < q.until)
    for column, value in (
        (Comment.touchpoint_id, q.touchpoint_id),
        (Comment.channel, q.channel),
        (Comment.language, q.language),
    ):
        if value is not None:
            conditions.append(column == value)
    path = _path_condition(q, Comment.touchpoint_id)
    if path is not None:
        conditions.append(path)
    if q.survey_id is not None:
        of_survey = select(Response.id).where(
            Response.workspace_id == q.workspace_id, Response.survey_id == q.survey_id
        )
        conditions.append(Comment.response_id.in_(of_survey))
    stmt_from = select(Comment.id).select_from(Comment)
    if q.attributes:
        stmt_from = stmt_from.outerjoin(
            Contact, and_(Contact.id == Comment.contact_id, Contact.workspace_id == q.workspace_id)
        )
        dialect = db.get_bind().dialect.name
        conditions += [attribute_text(dialect, n).in_(v) for n, v in q.attributes]
    if q.members is not None:
        conditions.append(Comment.contact_id.in_(q.members.scalar_subquery()))
    if theme_key is not None:
        with_theme = select(CommentTheme.comment_id).where(
            CommentTheme.workspace_id == q.workspace_id, CommentTheme.theme_key == theme_key
        )
        hit: ColumnElement[bool] = Comment.id.in_(with_theme)
    else:
        hit = func.coalesce(Comment.corrected_sentiment, Comment.sentiment) == "negative"
    matched = stmt_from.where(*conditions).subquery()
    total = db.scalar(select(func.count()).select_from(matched)) or 0
    if theme_key is None and not negative:
        return int(total), 0
    hits = db.scalar(select(func.count()).select_from(stmt_from.where(*conditions, hit).subquery()))
    return int(total), int(hits or 0)


NAMED = {"touchpoint": Touchpoint, "journey": Journey, "stage": Stage, "survey": Survey}


def name_of(db: Session, what: str, workspace_id: str, ident: str) -> str | None:
    """The name of a touchpoint, journey, stage, survey or segment of the workspace."""
    model: Any = Segment if what == "segment" else NAMED[what]
    stmt = select(model.name).where(model.id == ident, model.workspace_id == workspace_id)
    name = db.scalar(stmt)
    return None if name is None else str(name)


def member_ids(db: Session, workspace_id: str, user_ids: Iterable[str]) -> set[str]:
    """The given user ids that are members of the workspace."""
    wanted = sorted(set(user_ids))
    if not wanted:
        return set()
    stmt = select(Membership.user_id).where(
        Membership.workspace_id == workspace_id, Membership.user_id.in_(wanted)
    )
    return set(db.scalars(stmt))


def member_emails(db: Session, workspace_id: str, user_ids: Iterable[str]) -> dict[str, str]:
    """User id → email of active members among the ids."""
    wanted = sorted(set(user_ids))
    if not wanted:
        return {}
    stmt = (
        select(User.id, User.email)
        .join(Membership, Membership.user_id == User.id)
        .where(
            Membership.workspace_id == workspace_id, User.id.in_(wanted), User.is_active.is_(True)
        )
    )
    return {row[0]: row[1] for row in db.execute(stmt)}

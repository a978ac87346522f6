"""Every query of segments: a definition compiled to one SQL condition over contacts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, false, func, not_, or_, select, true
from sqlalchemy.orm import Session

from cxloop.contacts.models import Contact, attribute_number, attribute_text
from cxloop.interactions.models import Interaction
from cxloop.responses.models import Answer, Response
from cxloop.segments.models import Segment, SegmentMember
from cxloop.segments.schemas import (
    AttributeCondition,
    Condition,
    InteractionCondition,
    LanguageCondition,
    ScoreCondition,
    SegmentDefinition,
)

COMPARE = {
    "eq": lambda a, b: a == b,
    "ne": lambda a, b: a != b,
    "gt": lambda a, b: a > b,
    "gte": lambda a, b: a >= b,
    "lt": lambda a, b: a < b,
    "lte": lambda a, b: a <= b,
}


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _attribute(dialect: str, c: AttributeCondition) -> ColumnElement[bool]:
    text = attribute_text(dialect, c.key)
    if c.op == "exists":
        return text.is_not(None)
    if c.op == "missing":
        return text.is_(None)
    values = c.value if isinstance(c.value, list) else [c.value]
    if c.op in ("in", "not_in"):
        found = text.in_([_text(v) for v in values])
        return not_(found) if c.op == "not_in" else found
    if c.op in ("gt", "gte", "lt", "lte"):
        return COMPARE[c.op](attribute_number(dialect, c.key), float(values[0]))  # type: ignore[no-any-return, arg-type]
    return COMPARE[c.op](text, _text(values[0]))  # type: ignore[no-any-return]


def _language(c: LanguageCondition) -> ColumnElement[bool]:
    values = c.value if isinstance(c.value, list) else [c.value]
    if c.op == "ne":
        return or_(Contact.language.is_(None), Contact.language.not_in(values))
    return Contact.language.in_(values)


def _interaction(c: InteractionCondition, now: datetime) -> ColumnElement[bool]:
    where: list[ColumnElement[bool]] = [
        Interaction.contact_id == Contact.id,
        Interaction.kind.in_([k.value for k in c.kinds]),
    ]
    if c.within_days:
        where.append(Interaction.occurred_at >= now - timedelta(days=c.within_days))
    if c.touchpoint_id:
        where.append(Interaction.touchpoint_id == c.touchpoint_id)
    if c.min_count == 1:
        found: ColumnElement[bool] = exists().where(*where)
    else:
        count = select(func.count()).select_from(Interaction).where(*where).scalar_subquery()
        found = count >= c.min_count
    return not_(found) if c.negate else found


def _score(c: ScoreCondition, now: datetime) -> ColumnElement[bool]:
    where: list[ColumnElement[bool]] = [
        Response.contact_id == Contact.id,
        Answer.response_id == Response.id,
        Answer.kind == c.metric,
        COMPARE[c.op](Answer.value_number, c.value),
    ]
    if c.within_days:
        where.append(Answer.submitted_at >= now - timedelta(days=c.within_days))
    return exists().where(*where)


def _condition(dialect: str, c: Condition, now: datetime) -> ColumnElement[bool]:
    if isinstance(c, AttributeCondition):
        return _attribute(dialect, c)
    if isinstance(c, LanguageCondition):
        return _language(c)
    if isinstance(c, InteractionCondition):
        return _interaction(c, now)
    return _score(c, now)


def member_condition(
    dialect: str, definition: SegmentDefinition, now: datetime
) -> ColumnElement[bool]:
    """The SQL condition on `contacts` that holds for the segment's members."""
    parts = [_condition(dialect, c, now) for c in definition.conditions]
    if not parts:
        return false()
    return and_(*parts) if definition.match == "all" else or_(*parts)


def members(
    dialect: str,
    workspace_id: str,
    definition: SegmentDefinition,
    now: datetime,
    segment_id: str | None = None,
) -> Select[Any]:
    """SELECT contacts.id of the segment's members (to embed as a subquery); with a
    segment_id, the contacts added to it by hand or by a rule are members too."""
    condition = member_condition(dialect, definition, now)
    if segment_id is not None:
        added = exists().where(
            SegmentMember.segment_id == segment_id, SegmentMember.contact_id == Contact.id
        )
        condition = or_(condition, added)
    return select(Contact.id).where(Contact.workspace_id == workspace_id, condition)


def add_member(
    db: Session, workspace_id: str, segment_id: str, contact_id: str, source: str
) -> bool:
    """Adds a contact to the segment's static members; False when it was already one."""
    stmt = select(SegmentMember).where(
        SegmentMember.segment_id == segment_id, SegmentMember.contact_id == contact_id
    )
    if db.scalars(stmt).first() is not None:
        return False
    db.add(
        SegmentMember(
            segment_id=segment_id, contact_id=contact_id, workspace_id=workspace_id, source=source
        )
    )
    db.flush()
    return True


def is_member(db: Session, query: Select[Any], contact_id: str) -> bool:
    """Whether the contact is among the members the SELECT (from `members`) returns."""
    inner = query.subquery()
    return bool(db.scalar(select(exists().where(inner.c.id == contact_id))))


def count_members(db: Session, query: Select[Any]) -> int:
    return db.scalar(select(func.count()).select_from(query.subquery())) or 0


def attribute_keys(db: Session, workspace_id: str) -> set[str]:
    """Every attribute name used by at least one contact of the workspace."""
    if db.get_bind().dialect.name == "postgresql":  # a set-returning function in the select
        stmt: Select[Any] = select(func.json_object_keys(Contact.attributes)).where(
            Contact.workspace_id == workspace_id
        )
    else:
        each = func.json_each(Contact.attributes).table_valued("key")
        stmt = select(each.c.key).select_from(Contact).join(each, true())
        stmt = stmt.where(Contact.workspace_id == workspace_id)
    return {str(key) for key in db.scalars(stmt.distinct())}


def get(db: Session, workspace_id: str, segment_id: str) -> Segment | None:
    stmt = select(Segment).where(Segment.workspace_id == workspace_id, Segment.id == segment_id)
    return db.scalars(stmt).first()


def by_name(db: Session, workspace_id: str, name: str) -> Segment | None:
    stmt = select(Segment).where(Segment.workspace_id == workspace_id, Segment.name == name)
    return db.scalars(stmt).first()


def all_of(db: Session, workspace_id: str) -> Sequence[Segment]:
    stmt = select(Segment).where(Segment.workspace_id == workspace_id).order_by(Segment.name)
    return db.scalars(stmt).all()

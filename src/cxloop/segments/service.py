"""Segments and personas: create, validate against the workspace's data, count members, and
give other features the SQL that selects the members (usable wherever a filter is)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select
from sqlalchemy.orm import Session

from cxloop.core.database import utcnow
from cxloop.core.errors import Conflict, Invalid, NotFound
from cxloop.segments import repository as repo
from cxloop.segments.models import Segment
from cxloop.segments.schemas import (
    AttributeCondition,
    InteractionCondition,
    SegmentCreate,
    SegmentDefinition,
    SegmentRead,
    SegmentUpdate,
)


def _check(db: Session, workspace_id: str, definition: SegmentDefinition) -> None:
    """Refuses conditions on attributes no contact has, and malformed values."""
    keys: set[str] | None = None
    for index, c in enumerate(definition.conditions):
        where = f"definition.conditions[{index}]"
        if isinstance(c, AttributeCondition):
            if keys is None:
                keys = repo.attribute_keys(db, workspace_id)
            if c.key not in keys:
                known = ", ".join(sorted(keys)[:20]) or "none yet"
                raise Invalid(
                    f"{where}.key: no contact has the attribute '{c.key}' (known: {known})"
                )
            if c.op in ("exists", "missing"):
                continue
            if c.value is None or c.value == []:
                raise Invalid(f"{where}.value: '{c.op}' needs a value")
            if c.op in ("in", "not_in") and not isinstance(c.value, list):
                raise Invalid(f"{where}.value: '{c.op}' needs a list of values")
            if c.op in ("gt", "gte", "lt", "lte"):
                value = c.value[0] if isinstance(c.value, list) else c.value
                if isinstance(value, bool) or not isinstance(value, int | float):
                    raise Invalid(f"{where}.value: '{c.op}' compares numbers; got {value!r}")
        if isinstance(c, InteractionCondition) and c.touchpoint_id:
            from cxloop.journeys import service as journeys

            journeys.get_touchpoint(db, workspace_id, c.touchpoint_id)


def _read(db: Session, segment: Segment) -> SegmentRead:
    definition = SegmentDefinition.model_validate(segment.definition)
    return SegmentRead(
        id=segment.id,
        name=segment.name,
        kind=segment.kind,
        description=segment.description,
        definition=definition,
        members=repo.count_members(db, member_ids(db, segment.workspace_id, segment.id)),
        created_at=segment.created_at,
    )


def _get(db: Session, workspace_id: str, segment_id: str) -> Segment:
    segment = repo.get(db, workspace_id, segment_id)
    if segment is None:
        raise NotFound(f"segment_id: segment '{segment_id}' does not exist")
    return segment


def create(db: Session, workspace_id: str, data: SegmentCreate) -> SegmentRead:
    if repo.by_name(db, workspace_id, data.name):
        raise Conflict(f"name: a segment called '{data.name}' already exists")
    _check(db, workspace_id, data.definition)
    segment = Segment(
        workspace_id=workspace_id,
        name=data.name,
        kind=data.kind,
        description=data.description,
        definition=data.definition.model_dump(mode="json"),
    )
    db.add(segment)
    db.flush()
    return _read(db, segment)


def update(db: Session, workspace_id: str, segment_id: str, data: SegmentUpdate) -> SegmentRead:
    segment = _get(db, workspace_id, segment_id)
    if data.name is not None and data.name != segment.name:
        if repo.by_name(db, workspace_id, data.name):
            raise Conflict(f"name: a segment called '{data.name}' already exists")
        segment.name = data.name
    if data.description is not None:
        segment.description = data.description
    if data.definition is not None:
        _check(db, workspace_id, data.definition)
        segment.definition = data.definition.model_dump(mode="json")
    db.flush()
    return _read(db, segment)


def delete(db: Session, workspace_id: str, segment_id: str) -> None:
    db.delete(_get(db, workspace_id, segment_id))
    db.flush()


def get(db: Session, workspace_id: str, segment_id: str) -> SegmentRead:
    return _read(db, _get(db, workspace_id, segment_id))


def list_segments(db: Session, workspace_id: str) -> list[SegmentRead]:
    return [_read(db, s) for s in repo.all_of(db, workspace_id)]


def preview(db: Session, workspace_id: str, definition: SegmentDefinition) -> int:
    """How many contacts a definition would select (before saving it)."""
    _check(db, workspace_id, definition)
    dialect = db.get_bind().dialect.name
    return repo.count_members(db, repo.members(dialect, workspace_id, definition, utcnow()))


def member_ids(db: Session, workspace_id: str, segment_id: str) -> Select[Any]:
    """SELECT of the member contact ids, to use as a filter (`contact_id IN (...)`).

    NotFound when the segment is not the workspace's.
    """
    segment = _get(db, workspace_id, segment_id)
    definition = SegmentDefinition.model_validate(segment.definition)
    dialect = db.get_bind().dialect.name
    return repo.members(dialect, workspace_id, definition, utcnow(), segment.id)


def is_member(db: Session, workspace_id: str, segment_id: str, contact_id: str) -> bool:
    """Whether the contact is in the segment (by its definition or added to it)."""
    return repo.is_member(db, member_ids(db, workspace_id, segment_id), contact_id)


def add_member(
    db: Session, workspace_id: str, segment_id: str, contact_id: str, source: str = "manual"
) -> bool:
    """Adds a contact to the segment whatever its definition says (e.g. a rule's action);
    False when it was already added. NotFound for another workspace's segment or contact."""
    _get(db, workspace_id, segment_id)
    from cxloop.contacts import service as contacts

    contacts.get_contact(db, workspace_id, contact_id)
    return repo.add_member(db, workspace_id, segment_id, contact_id, source[:100])

"""Journeys, ordered stages and touchpoints. Flushes, never commits.

Stage positions are kept contiguous (0..n-1) after every create, move and delete.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from sqlalchemy.orm import Session

from cxloop.core.errors import Conflict, Invalid, NotFound
from cxloop.journeys import repository as repo
from cxloop.journeys.models import Channel, Journey, Stage, Touchpoint
from cxloop.journeys.schemas import KEY_PATTERN, TEMPLATE_STAGES, JourneyTemplate, TouchpointInfo

_KEY_RE = re.compile(KEY_PATTERN)


# --- journeys -------------------------------------------------------------------------------


def list_journeys(db: Session, workspace_id: str) -> list[Journey]:
    return list(repo.journeys(db, workspace_id))


def get_journey(db: Session, workspace_id: str, journey_id: str) -> Journey:
    journey = repo.journey(db, workspace_id, journey_id)
    if journey is None:
        raise NotFound(f"journey '{journey_id}' does not exist")
    return journey


def journey_counts(db: Session, workspace_id: str) -> dict[str, tuple[int, int]]:
    """Per journey id: (number of stages, number of touchpoints)."""
    return repo.touchpoint_counts(db, workspace_id)


def create_journey(
    db: Session,
    workspace_id: str,
    name: str,
    *,
    description: str = "",
    template: JourneyTemplate | str | None = None,
) -> Journey:
    """Creates a journey, with the stages of ``template`` (purchase, five_es) if given."""
    name = _required_name("name", name)
    stage_names: tuple[str, ...] = ()
    if template is not None:
        try:
            stage_names = TEMPLATE_STAGES[JourneyTemplate(template)]
        except ValueError as exc:
            choices = ", ".join(t.value for t in JourneyTemplate)
            raise Invalid(f"template: unknown template '{template}'; use one of {choices}") from exc
    journey = Journey(workspace_id=workspace_id, name=name, description=description)
    db.add(journey)
    db.flush()
    for position, stage_name in enumerate(stage_names):
        db.add(
            Stage(
                workspace_id=workspace_id, journey_id=journey.id, name=stage_name, position=position
            )
        )
    db.flush()
    return journey


def update_journey(
    db: Session,
    workspace_id: str,
    journey_id: str,
    *,
    name: str | None = None,
    description: str | None = None,
) -> Journey:
    journey = get_journey(db, workspace_id, journey_id)
    if name is not None:
        journey.name = _required_name("name", name)
    if description is not None:
        journey.description = description
    db.flush()
    return journey


def delete_journey(db: Session, workspace_id: str, journey_id: str) -> None:
    """Deletes a journey with its stages and touchpoints."""
    get_journey(db, workspace_id, journey_id)
    repo.delete_journey_tree(db, workspace_id, journey_id)


# --- stages ---------------------------------------------------------------------------------


def list_stages(db: Session, workspace_id: str, journey_id: str) -> list[Stage]:
    get_journey(db, workspace_id, journey_id)
    return list(repo.stages_of(db, workspace_id, [journey_id]))


def stages_by_journey(db: Session, workspace_id: str) -> dict[str, list[Stage]]:
    """Every journey's stages in order, keyed by journey id."""
    ids = [j.id for j in repo.journeys(db, workspace_id)]
    grouped: dict[str, list[Stage]] = {jid: [] for jid in ids}
    for stage in repo.stages_of(db, workspace_id, ids):
        grouped[stage.journey_id].append(stage)
    return grouped


def get_stage(
    db: Session, workspace_id: str, stage_id: str, *, journey_id: str | None = None
) -> Stage:
    """A stage of the workspace (and of ``journey_id`` when given)."""
    stage = repo.stage(db, workspace_id, stage_id)
    if stage is None or (journey_id is not None and stage.journey_id != journey_id):
        raise NotFound(f"stage '{stage_id}' does not exist")
    return stage


def create_stage(
    db: Session, workspace_id: str, journey_id: str, name: str, *, position: int | None = None
) -> Stage:
    """Adds a stage at ``position`` (0-based; default: last); later stages move one place."""
    stages = list_stages(db, workspace_id, journey_id)
    stage = Stage(
        workspace_id=workspace_id, journey_id=journey_id, name=_required_name("name", name)
    )
    db.add(stage)
    _place(stages, stage, len(stages) if position is None else position)
    db.flush()
    return stage


def update_stage(
    db: Session,
    workspace_id: str,
    stage_id: str,
    *,
    name: str | None = None,
    position: int | None = None,
) -> Stage:
    stage = get_stage(db, workspace_id, stage_id)
    if name is not None:
        stage.name = _required_name("name", name)
    if position is not None:
        others = [s for s in repo.stages_of(db, workspace_id, [stage.journey_id]) if s is not stage]
        _place(others, stage, position)
    db.flush()
    return stage


def reorder_stages(
    db: Session, workspace_id: str, journey_id: str, stage_ids: Sequence[str]
) -> list[Stage]:
    """Puts the journey's stages in the given order; ``stage_ids`` must list each exactly once."""
    stages = {s.id: s for s in list_stages(db, workspace_id, journey_id)}
    if len(set(stage_ids)) != len(stage_ids):
        raise Invalid("stage_ids: a stage is listed more than once")
    unknown = [sid for sid in stage_ids if sid not in stages]
    if unknown:
        raise Invalid(f"stage_ids: '{unknown[0]}' is not a stage of journey '{journey_id}'")
    missing = [sid for sid in stages if sid not in stage_ids]
    if missing:
        raise Invalid(f"stage_ids: every stage must be listed; '{missing[0]}' is missing")
    ordered = [stages[sid] for sid in stage_ids]
    for position, stage in enumerate(ordered):
        stage.position = position
    db.flush()
    return ordered


def delete_stage(db: Session, workspace_id: str, stage_id: str) -> None:
    """Deletes a stage with its touchpoints; the remaining stages close the gap."""
    stage = get_stage(db, workspace_id, stage_id)
    journey_id = stage.journey_id
    repo.delete_stage_tree(db, workspace_id, stage_id)
    for position, remaining in enumerate(repo.stages_of(db, workspace_id, [journey_id])):
        remaining.position = position
    db.flush()


def _place(others: list[Stage], stage: Stage, position: int) -> None:
    if position < 0:
        raise Invalid(f"position: must be 0 or more, got {position}")
    ordered = list(others)
    ordered.insert(min(position, len(ordered)), stage)
    for index, item in enumerate(ordered):
        item.position = index


# --- touchpoints ----------------------------------------------------------------------------


def get_touchpoint(db: Session, workspace_id: str, touchpoint_id: str) -> Touchpoint:
    touchpoint = repo.touchpoint(db, workspace_id, touchpoint_id)
    if touchpoint is None:
        raise NotFound(f"touchpoint '{touchpoint_id}' does not exist")
    return touchpoint


def touchpoint_by_key(db: Session, workspace_id: str, key: str) -> Touchpoint:
    touchpoint = repo.touchpoint_by_key(db, workspace_id, key) if key else None
    if touchpoint is None:
        raise NotFound(f"touchpoint with key '{key}' does not exist")
    return touchpoint


def find_touchpoint_by_key(db: Session, workspace_id: str, key: str) -> Touchpoint | None:
    """Like touchpoint_by_key, but None instead of an error."""
    return repo.touchpoint_by_key(db, workspace_id, key) if key else None


def list_touchpoints(
    db: Session,
    workspace_id: str,
    *,
    journey_id: str | None = None,
    stage_id: str | None = None,
    channel: Channel | str | None = None,
    ids: Sequence[str] | None = None,
) -> list[TouchpointInfo]:
    """Touchpoints with their stage and journey names, in journey and stage order.

    An unknown ``journey_id`` or ``stage_id`` filter is a 404, not an empty list.
    """
    if journey_id is not None:
        get_journey(db, workspace_id, journey_id)
    if stage_id is not None:
        get_stage(db, workspace_id, stage_id)
    rows = repo.touchpoint_rows(
        db,
        workspace_id,
        journey_id=journey_id,
        stage_id=stage_id,
        channel=None if channel is None else _channel(channel).value,
        ids=ids,
    )
    return [
        TouchpointInfo(
            id=tp.id,
            name=tp.name,
            key=tp.key or None,
            channel=tp.channel,
            description=tp.description,
            created_at=tp.created_at,
            stage_id=stage.id,
            stage_name=stage.name,
            stage_position=stage.position,
            journey_id=journey.id,
            journey_name=journey.name,
        )
        for tp, stage, journey in rows
    ]


def touchpoint_info(db: Session, workspace_id: str, touchpoint_id: str) -> TouchpointInfo:
    found = list_touchpoints(db, workspace_id, ids=[touchpoint_id])
    if not found:
        raise NotFound(f"touchpoint '{touchpoint_id}' does not exist")
    return found[0]


def create_touchpoint(
    db: Session,
    workspace_id: str,
    stage_id: str,
    name: str,
    channel: Channel | str,
    *,
    key: str | None = None,
    description: str = "",
) -> Touchpoint:
    """Adds a touchpoint on a stage; ``key`` (a slug) must be unique in the workspace."""
    get_stage(db, workspace_id, stage_id)
    touchpoint = Touchpoint(
        workspace_id=workspace_id,
        stage_id=stage_id,
        name=_required_name("name", name),
        channel=_channel(channel).value,
        key=_free_key(db, workspace_id, key, None),
        description=description,
    )
    db.add(touchpoint)
    db.flush()
    return touchpoint


def update_touchpoint(
    db: Session,
    workspace_id: str,
    touchpoint_id: str,
    *,
    stage_id: str | None = None,
    name: str | None = None,
    channel: Channel | str | None = None,
    key: str | None = None,
    description: str | None = None,
) -> Touchpoint:
    """Changes the given fields (None keeps a field); ``key=""`` removes the key."""
    touchpoint = get_touchpoint(db, workspace_id, touchpoint_id)
    if stage_id is not None:
        touchpoint.stage_id = get_stage(db, workspace_id, stage_id).id
    if name is not None:
        touchpoint.name = _required_name("name", name)
    if channel is not None:
        touchpoint.channel = _channel(channel).value
    if key is not None:
        touchpoint.key = _free_key(db, workspace_id, key, touchpoint.id)
    if description is not None:
        touchpoint.description = description
    db.flush()
    return touchpoint


def delete_touchpoint(db: Session, workspace_id: str, touchpoint_id: str) -> None:
    db.delete(get_touchpoint(db, workspace_id, touchpoint_id))
    db.flush()


def _channel(value: Channel | str) -> Channel:
    try:
        return Channel(value)
    except ValueError as exc:
        choices = ", ".join(c.value for c in Channel)
        raise Invalid(f"channel: unknown channel '{value}'; use one of {choices}") from exc


def _free_key(db: Session, workspace_id: str, key: str | None, own_id: str | None) -> str:
    if not key:
        return ""
    if not _KEY_RE.match(key):
        raise Invalid(
            f"key: '{key}' is not a slug (lowercase letters, digits, '-', '_' or '.', max 120)"
        )
    existing = repo.touchpoint_by_key(db, workspace_id, key)
    if existing is not None and existing.id != own_id:
        raise Conflict(f"key: another touchpoint already uses the key '{key}'")
    return key


def _required_name(field: str, value: str) -> str:
    value = value.strip()
    if not value:
        raise Invalid(f"{field}: must not be empty")
    if len(value) > 200:
        raise Invalid(f"{field}: at most 200 characters")
    return value

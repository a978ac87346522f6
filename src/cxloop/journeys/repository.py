"""Every query of the journeys feature; each one is scoped to a workspace."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Row, delete, func, select
from sqlalchemy.orm import Session

from cxloop.journeys.models import Journey, Stage, Touchpoint


def journeys(db: Session, workspace_id: str) -> Sequence[Journey]:
    return db.scalars(
        select(Journey)
        .where(Journey.workspace_id == workspace_id)
        .order_by(Journey.created_at, Journey.id)
    ).all()


def journey(db: Session, workspace_id: str, journey_id: str) -> Journey | None:
    return db.scalar(
        select(Journey).where(Journey.id == journey_id, Journey.workspace_id == workspace_id)
    )


def stage(db: Session, workspace_id: str, stage_id: str) -> Stage | None:
    return db.scalar(select(Stage).where(Stage.id == stage_id, Stage.workspace_id == workspace_id))


def stages_of(db: Session, workspace_id: str, journey_ids: Sequence[str]) -> Sequence[Stage]:
    """Stages of some journeys, by journey and position."""
    if not journey_ids:
        return []
    return db.scalars(
        select(Stage)
        .where(Stage.workspace_id == workspace_id, Stage.journey_id.in_(journey_ids))
        .order_by(Stage.journey_id, Stage.position, Stage.created_at)
    ).all()


def touchpoint(db: Session, workspace_id: str, touchpoint_id: str) -> Touchpoint | None:
    return db.scalar(
        select(Touchpoint).where(
            Touchpoint.id == touchpoint_id, Touchpoint.workspace_id == workspace_id
        )
    )


def touchpoint_by_key(db: Session, workspace_id: str, key: str) -> Touchpoint | None:
    return db.scalar(
        select(Touchpoint).where(Touchpoint.workspace_id == workspace_id, Touchpoint.key == key)
    )


def touchpoint_rows(
    db: Session,
    workspace_id: str,
    *,
    journey_id: str | None = None,
    stage_id: str | None = None,
    channel: str | None = None,
    ids: Sequence[str] | None = None,
) -> Sequence[Row[Touchpoint, Stage, Journey]]:
    """Touchpoints with their stage and journey, in journey, stage and creation order."""
    query = (
        select(Touchpoint, Stage, Journey)
        .join(Stage, Stage.id == Touchpoint.stage_id)
        .join(Journey, Journey.id == Stage.journey_id)
        .where(Touchpoint.workspace_id == workspace_id)
        .order_by(Journey.created_at, Journey.id, Stage.position, Touchpoint.created_at)
    )
    if journey_id is not None:
        query = query.where(Journey.id == journey_id)
    if stage_id is not None:
        query = query.where(Stage.id == stage_id)
    if channel is not None:
        query = query.where(Touchpoint.channel == channel)
    if ids is not None:
        query = query.where(Touchpoint.id.in_(ids))
    return db.execute(query).all()


def touchpoint_counts(db: Session, workspace_id: str) -> dict[str, tuple[int, int]]:
    """Per journey id: (stages, touchpoints)."""
    stage_counts = db.execute(
        select(Stage.journey_id, func.count())
        .where(Stage.workspace_id == workspace_id)
        .group_by(Stage.journey_id)
    ).all()
    touchpoint_counts = db.execute(
        select(Stage.journey_id, func.count())
        .join(Touchpoint, Touchpoint.stage_id == Stage.id)
        .where(Stage.workspace_id == workspace_id)
        .group_by(Stage.journey_id)
    ).all()
    stages = {journey_id: int(n) for journey_id, n in stage_counts}
    points = {journey_id: int(n) for journey_id, n in touchpoint_counts}
    return {jid: (stages.get(jid, 0), points.get(jid, 0)) for jid in stages.keys() | points.keys()}


def delete_journey_tree(db: Session, workspace_id: str, journey_id: str) -> None:
    """Deletes a journey with its stages and touchpoints."""
    stage_ids = select(Stage.id).where(
        Stage.journey_id == journey_id, Stage.workspace_id == workspace_id
    )
    db.execute(
        delete(Touchpoint).where(
            Touchpoint.workspace_id == workspace_id, Touchpoint.stage_id.in_(stage_ids)
        ),
        execution_options={"synchronize_session": False},
    )
    db.execute(
        delete(Stage).where(Stage.workspace_id == workspace_id, Stage.journey_id == journey_id),
        execution_options={"synchronize_session": False},
    )
    db.execute(
        delete(Journey).where(Journey.workspace_id == workspace_id, Journey.id == journey_id),
        execution_options={"synchronize_session": False},
    )
    db.expire_all()


def delete_stage_tree(db: Session, workspace_id: str, stage_id: str) -> None:
    """Deletes a stage with its touchpoints."""
    db.execute(
        delete(Touchpoint).where(
            Touchpoint.workspace_id == workspace_id, Touchpoint.stage_id == stage_id
        ),
        execution_options={"synchronize_session": False},
    )
    db.execute(
        delete(Stage).where(Stage.workspace_id == workspace_id, Stage.id == stage_id),
        execution_options={"synchronize_session": False},
    )
    db.expire_all()

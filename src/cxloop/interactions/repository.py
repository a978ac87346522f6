"""Every query of the interactions feature; each one is scoped to a workspace."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from cxloop.interactions.models import Interaction


@dataclass
class InteractionFilter:
    contact_id: str | None = None
    kind: str | None = None
    channel: str | None = None
    touchpoint_id: str | None = None
    thread_id: str | None = None
    occurred_from: datetime | None = None
    occurred_to: datetime | None = None


def interaction(db: Session, workspace_id: str, interaction_id: str) -> Interaction | None:
    return db.scalar(
        select(Interaction).where(
            Interaction.id == interaction_id, Interaction.workspace_id == workspace_id
        )
    )


def ids_by_external_id(
    db: Session, workspace_id: str, external_ids: Collection[str]
) -> dict[str, str]:
    """External id -> interaction id, for those already stored."""
    if not external_ids:
        return {}
    rows = db.execute(
        select(Interaction.external_id, Interaction.id).where(
            Interaction.workspace_id == workspace_id,
            Interaction.external_id.in_(list(external_ids)),
        )
    ).all()
    return {str(ext): str(iid) for ext, iid in rows}


def by_external_id(db: Session, workspace_id: str, external_id: str) -> Interaction | None:
    return db.scalar(
        select(Interaction).where(
            Interaction.workspace_id == workspace_id, Interaction.external_id == external_id
        )
    )


def insert_rows(db: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Bulk insert of complete rows (ids included)."""
    if rows:
        db.execute(insert(Interaction), list(rows))


def insert_unless_external_id_taken(db: Session, row: dict[str, Any]) -> bool:
    """INSERT ... ON CONFLICT (workspace_id, external_id) DO NOTHING; True if it inserted.

    On PostgreSQL a concurrent uncommitted insert of the same external id makes this wait for
    its transaction: once that commits, nothing is inserted and a new query sees its row.
    """
    if db.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert  # type: ignore[assignment]
    statement = dialect_insert(Interaction).on_conflict_do_nothing(
        index_elements=["workspace_id", "external_id"]
    )
    inserted = db.execute(statement.values(**row).returning(Interaction.id)).first()
    return inserted is not None


def search(
    db: Session, workspace_id: str, filters: InteractionFilter, limit: int, offset: int
) -> tuple[Sequence[Interaction], int]:
    """A page of interactions, newest first, and the number of all matches."""
    query = select(Interaction).where(Interaction.workspace_id == workspace_id)
    if filters.contact_id is not None:
        query = query.where(Interaction.contact_id == filters.contact_id)
    if filters.kind is not None:
        query = query.where(Interaction.kind == filters.kind)
    if filters.channel is not None:
        query = query.where(Interaction.channel == filters.channel)
    if filters.touchpoint_id is not None:
        query = query.where(Interaction.touchpoint_id == filters.touchpoint_id)
    if filters.thread_id is not None:
        query = query.where(Interaction.thread_id == filters.thread_id)
    if filters.occurred_from is not None:
        query = query.where(Interaction.occurred_at >= filters.occurred_from)
    if filters.occurred_to is not None:
        query = query.where(Interaction.occurred_at < filters.occurred_to)
    total = db.scalar(select(func.count()).select_from(query.subquery())) or 0
    items = db.scalars(
        query.order_by(Interaction.occurred_at.desc(), Interaction.created_at.desc())
        .limit(limit)
        .offset(offset)
    ).all()
    return items, int(total)


def timeline(db: Session, workspace_id: str, contact_id: str, limit: int) -> Sequence[Interaction]:
    return db.scalars(
        select(Interaction)
        .where(Interaction.workspace_id == workspace_id, Interaction.contact_id == contact_id)
        .order_by(Interaction.occurred_at.desc(), Interaction.created_at.desc())
        .limit(limit)
    ).all()


def delete_one(db: Session, workspace_id: str, interaction_id: str) -> int:
    result = db.execute(
        delete(Interaction).where(
            Interaction.workspace_id == workspace_id, Interaction.id == interaction_id
        ),
        execution_options={"synchronize_session": False},
    )
    return int(getattr(result, "rowcount", 0) or 0)

"""Every query of the governance feature."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from cxloop.governance.models import (
    ConsentRecord,
    ContactLock,
    Decision,
    GovernanceSettings,
    OptOut,
    Suppression,
)
from cxloop.responses.models import Response


def settings_row(db: Session, workspace_id: str) -> GovernanceSettings | None:
    return db.scalar(
        select(GovernanceSettings).where(GovernanceSettings.workspace_id == workspace_id)
    )


def lock_contact(db: Session, workspace_id: str, contact_id: str) -> None:
    """Takes the contact's lock row for the rest of the transaction.

    PostgreSQL: upsert then SELECT ... FOR UPDATE; SQLite: the upsert makes this transaction
    the (only) writer, which serialises offers.
    """
    dialect = db.get_bind().dialect.name
    values = {"workspace_id": workspace_id, "contact_id": contact_id, "offers": 0}
    if dialect == "postgresql":
        db.execute(pg_insert(ContactLock).values(values).on_conflict_do_nothing())
        db.execute(
            select(ContactLock.contact_id)
            .where(ContactLock.contact_id == contact_id)
            .with_for_update()
        )
    else:
        db.execute(
            sqlite_insert(ContactLock)
            .values(values)
            .on_conflict_do_update(
                index_elements=["contact_id"], set_={"offers": ContactLock.offers + 1}
            )
        )


def count_allowed(
    db: Session,
    workspace_id: str,
    contact_id: str,
    since: datetime,
    *,
    survey_id: str | None = None,
    touchpoint_id: str | None = None,
    include_reminders: bool = False,
) -> int:
    query = select(func.count()).where(
        Decision.workspace_id == workspace_id,
        Decision.contact_id == contact_id,
        Decision.allowed.is_(True),
        Decision.at >= since,
    )
    if survey_id is not None:
        query = query.where(Decision.survey_id == survey_id)
    if touchpoint_id is not None:
        query = query.where(Decision.touchpoint_id == touchpoint_id)
    if not include_reminders:
        query = query.where(Decision.is_reminder.is_(False))
    return int(db.scalar(query) or 0)


def last_response_at(db: Session, workspace_id: str, contact_id: str) -> datetime | None:
    return db.scalar(
        select(func.max(Response.submitted_at)).where(
            Response.workspace_id == workspace_id, Response.contact_id == contact_id
        )
    )


def opt_outs(db: Session, workspace_id: str, contact_id: str) -> list[OptOut]:
    return list(
        db.scalars(
            select(OptOut).where(
                OptOut.workspace_id == workspace_id, OptOut.contact_id == contact_id
            )
        )
    )


def consents(db: Session, workspace_id: str, contact_id: str) -> list[ConsentRecord]:
    return list(
        db.scalars(
            select(ConsentRecord)
            .where(
                ConsentRecord.workspace_id == workspace_id, ConsentRecord.contact_id == contact_id
            )
            .order_by(ConsentRecord.created_at.desc())
        )
    )


def suppression(db: Session, workspace_id: str, kind: str, value: str) -> Suppression | None:
    return db.scalar(
        select(Suppression).where(
            Suppression.workspace_id == workspace_id,
            Suppression.kind == kind,
            Suppression.value == value,
        )
    )


def suppressions(db: Session, workspace_id: str, limit: int = 500) -> Sequence[Suppression]:
    return db.scalars(
        select(Suppression)
        .where(Suppression.workspace_id == workspace_id)
        .order_by(Suppression.created_at.desc())
        .limit(limit)
    ).all()


def history(
    db: Session,
    workspace_id: str,
    contact_id: str,
    survey_id: str | None,
    channel: str | None,
    limit: int = 50,
) -> Sequence[Decision]:
    query = select(Decision).where(
        Decision.workspace_id == workspace_id, Decision.contact_id == contact_id
    )
    if survey_id:
        query = query.where(Decision.survey_id == survey_id)
    if channel:
        query = query.where(Decision.channel == channel)
    return db.scalars(query.order_by(Decision.at.desc()).limit(limit)).all()

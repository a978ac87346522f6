"""Every query of the events feature: triggers, firings, and contacts found by phone."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from cxloop.contacts.models import Contact
from cxloop.events.models import SurveyTrigger, TriggerFiring


def trigger(db: Session, workspace_id: str, trigger_id: str) -> SurveyTrigger | None:
    return db.scalar(
        select(SurveyTrigger).where(
            SurveyTrigger.workspace_id == workspace_id, SurveyTrigger.id == trigger_id
        )
    )


def triggers(db: Session, workspace_id: str) -> Sequence[SurveyTrigger]:
    query = select(SurveyTrigger).where(SurveyTrigger.workspace_id == workspace_id)
    return db.scalars(query.order_by(SurveyTrigger.created_at, SurveyTrigger.id)).all()


def active_triggers(
    db: Session, workspace_id: str, event: str | None, touchpoint_id: str | None
) -> Sequence[SurveyTrigger]:
    """Active triggers whose event and touchpoint (where set) both match."""
    query = select(SurveyTrigger).where(
        SurveyTrigger.workspace_id == workspace_id,
        SurveyTrigger.active.is_(True),
        (SurveyTrigger.event.is_(None)) | (SurveyTrigger.event == (event or "")),
        (SurveyTrigger.touchpoint_id.is_(None))
        | (SurveyTrigger.touchpoint_id == (touchpoint_id or "")),
    )
    return db.scalars(query.order_by(SurveyTrigger.created_at, SurveyTrigger.id)).all()


def delete_trigger(db: Session, workspace_id: str, trigger_id: str) -> bool:
    result = db.execute(
        delete(SurveyTrigger).where(
            SurveyTrigger.workspace_id == workspace_id, SurveyTrigger.id == trigger_id
        )
    )
    return bool(getattr(result, "rowcount", 0))


def firings_of(db: Session, workspace_id: str, interaction_id: str) -> Sequence[TriggerFiring]:
    query = select(TriggerFiring).where(
        TriggerFiring.workspace_id == workspace_id,
        TriggerFiring.interaction_id == interaction_id,
    )
    return db.scalars(query.order_by(TriggerFiring.created_at, TriggerFiring.id)).all()


def firing(db: Session, workspace_id: str, firing_id: str) -> TriggerFiring | None:
    return db.scalar(
        select(TriggerFiring).where(
            TriggerFiring.workspace_id == workspace_id, TriggerFiring.id == firing_id
        )
    )


def firings_of_contact(
    db: Session, workspace_id: str, contact_id: str, limit: int
) -> Sequence[TriggerFiring]:
    query = select(TriggerFiring).where(
        TriggerFiring.workspace_id == workspace_id, TriggerFiring.contact_id == contact_id
    )
    return db.scalars(query.order_by(TriggerFiring.created_at.desc()).limit(limit)).all()


def contact_by_phone(db: Session, workspace_id: str, phone: str) -> Contact | None:
    return db.scalar(
        select(Contact)
        .where(Contact.workspace_id == workspace_id, Contact.phone == phone)
        .order_by(Contact.created_at)
        .limit(1)
    )

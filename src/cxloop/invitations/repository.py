"""Every query of the invitations feature."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, func, select
from sqlalchemy.orm import Session

from cxloop.contacts.models import Contact
from cxloop.invitations.models import Campaign, Invitation

OPEN_STATUSES = ("sent", "delivered", "opened")


def get(db: Session, workspace_id: str, invitation_id: str) -> Invitation | None:
    row = db.get(Invitation, invitation_id)
    return row if row is not None and row.workspace_id == workspace_id else None


def by_token(db: Session, workspace_id: str, token: str) -> Invitation | None:
    """The invitation a (signed, stored) token belongs to; a forged token matches none."""
    return db.scalar(
        select(Invitation).where(Invitation.workspace_id == workspace_id, Invitation.token == token)
    )


def reminder_due(invitation: Invitation, now: datetime) -> bool:
    if invitation.status not in OPEN_STATUSES or invitation.reminder_after_days is None:
        return False
    if invitation.reminders_sent >= invitation.max_reminders or invitation.last_sent_at is None:
        return False
    return invitation.last_sent_at <= now - timedelta(days=invitation.reminder_after_days)


def due_reminders(db: Session, now: datetime) -> list[tuple[str, str, int]]:
    """(workspace id, invitation id, reminder number) of reminders that may be due."""
    rows = db.execute(
        select(Invitation)
        .where(
            Invitation.status.in_(OPEN_STATUSES),
            Invitation.reminder_after_days.is_not(None),
            Invitation.reminders_sent < Invitation.max_reminders,
            Invitation.last_sent_at <= now - timedelta(days=1),
        )
        .limit(1000)
    ).scalars()
    return [(r.workspace_id, r.id, r.reminders_sent + 1) for r in rows if reminder_due(r, now)]


def add_campaign(db: Session, campaign: Campaign) -> Campaign:
    db.add(campaign)
    db.flush()
    return campaign


def campaigns(db: Session, workspace_id: str, limit: int = 100) -> list[Campaign]:
    return list(
        db.scalars(
            select(Campaign)
            .where(Campaign.workspace_id == workspace_id)
            .order_by(Campaign.created_at.desc())
            .limit(limit)
        )
    )


def funnel(
    db: Session,
    workspace_id: str,
    filters: dict[str, str | None],
    group_by: str | None = None,
) -> list[dict[str, Any]]:
    """Counts per stage (blocked invitations excluded), optionally grouped by a column."""
    conditions = [Invitation.workspace_id == workspace_id, Invitation.status != "blocked"]
    for name in ("survey_id", "channel", "touchpoint_id", "language", "campaign_id"):
        value = filters.get(name)
        if value:
            conditions.append(getattr(Invitation, name) == value)
    columns: list[Any] = [
        func.count(Invitation.sent_at).label("sent"),
        func.count(Invitation.delivered_at).label("delivered"),
        func.count(Invitation.opened_at).label("opened"),
        func.count(Invitation.started_at).label("started"),
        func.count(Invitation.completed_at).label("completed"),
        func.count(Invitation.response_id).label("responses"),
        func.count().label("invitations"),
    ]
    query: Select[Any]
    if group_by:
        key = getattr(Invitation, group_by)
        query = select(key.label("group"), *columns).where(and_(*conditions)).group_by(key)
    else:
        query = select(*columns).where(and_(*conditions))
    return [dict(row._mapping) for row in db.execute(query)]


def blocked_counts(db: Session, workspace_id: str, survey_id: str | None) -> dict[str, int]:
    query = select(Invitation.blocked_rule, func.count()).where(
        Invitation.workspace_id == workspace_id, Invitation.status == "blocked"
    )
    if survey_id:
        query = query.where(Invitation.survey_id == survey_id)
    return {str(rule): int(n) for rule, n in db.execute(query.group_by(Invitation.blocked_rule))}


def _reachable(workspace_id: str, channel: str) -> list[ColumnElement[bool]]:
    """Contacts of the workspace with an address for the channel (email or sms)."""
    column = Contact.phone if channel == "sms" else Contact.email
    return [Contact.workspace_id == workspace_id, column.is_not(None), column != ""]


def count_reachable(db: Session, workspace_id: str, channel: str) -> int:
    query = select(func.count()).select_from(Contact).where(*_reachable(workspace_id, channel))
    return int(db.scalar(query) or 0)


def reachable_ids(
    db: Session,
    workspace_id: str,
    channel: str,
    limit: int,
    within: Select[Any] | None = None,
) -> list[str]:
    """Ids of contacts with an address for the channel, oldest first, optionally only those
    in ``within`` (a SELECT of contact ids, e.g. a segment's members)."""
    query = select(Contact.id).where(*_reachable(workspace_id, channel))
    if within is not None:
        query = query.where(Contact.id.in_(within))
    return [str(i) for i in db.scalars(query.order_by(Contact.created_at, Contact.id).limit(limit))]


def campaign_counts(
    db: Session, workspace_id: str, campaign_ids: list[str]
) -> dict[str, dict[str, int]]:
    """Per campaign: invitations made, sent, delivered, opened, completed, responses, blocked."""
    if not campaign_ids:
        return {}
    blocked = Invitation.status == "blocked"
    query = (
        select(
            Invitation.campaign_id,
            func.count().label("made"),
            func.count(case((blocked, 1))).label("blocked"),
            func.count(Invitation.sent_at).label("sent"),
            func.count(Invitation.delivered_at).label("delivered"),
            func.count(Invitation.opened_at).label("opened"),
            func.count(Invitation.completed_at).label("completed"),
            func.count(Invitation.response_id).label("responses"),
        )
        .where(Invitation.workspace_id == workspace_id, Invitation.campaign_id.in_(campaign_ids))
        .group_by(Invitation.campaign_id)
    )
    found: dict[str, dict[str, int]] = {}
    for row in db.execute(query):
        values = dict(row._mapping)
        campaign_id = str(values.pop("campaign_id"))
        found[campaign_id] = {k: int(v or 0) for k, v in values.items()}
    return found

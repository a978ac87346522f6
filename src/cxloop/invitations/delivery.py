"""Reads the notifications ledger back into invitations: an email accepted by the SMTP server
is "delivered"; one refused for good (5xx) is "bounced" and its address is not retried."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from cxloop.invitations import service
from cxloop.invitations.models import Invitation
from cxloop.notifications.models import Delivery

BATCH = 500


def sync(db: Session, now: datetime) -> int:
    """Updates invitations whose email the ledger settled; returns how many changed."""
    pending = list(
        db.scalars(
            select(Invitation)
            .where(
                Invitation.channel == "email",
                Invitation.status == "sent",
                Invitation.delivered_at.is_(None),
                Invitation.created_at >= now - timedelta(days=30),
            )
            .limit(BATCH)
        )
    )
    if not pending:
        return 0
    by_reference = {f"invitation:{i.id}": i for i in pending}
    rows = db.scalars(
        select(Delivery).where(
            Delivery.reference.in_(list(by_reference)), Delivery.status.in_(("sent", "failed"))
        )
    )
    changed = 0
    for row in rows:
        invitation = by_reference.get(row.reference or "")
        if invitation is None or row.workspace_id != invitation.workspace_id:
            continue
        if row.status == "sent":
            service.mark(db, invitation.workspace_id, invitation.id, "delivered")
        elif (row.response_status or 0) >= 500:
            service.mark(db, invitation.workspace_id, invitation.id, "bounced")
        else:
            service.mark(db, invitation.workspace_id, invitation.id, "failed")
        changed += 1
    return changed

"""The one door to the invitations feature: offer a trigger's survey (governance decides)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from cxloop.core.settings import Settings
from cxloop.invitations import links
from cxloop.invitations import service as invitations


@dataclass(frozen=True)
class OfferResult:
    allowed: bool
    invitation_id: str | None
    rule: str | None
    reason: str
    token: str | None
    url: str | None = None


def offer(
    db: Session,
    settings: Settings,
    workspace_id: str,
    *,
    contact_id: str,
    survey_id: str,
    channel: str,
    touchpoint_id: str | None,
    hidden: dict[str, str],
    source: str,
    send_after: datetime | None = None,
) -> OfferResult:
    """Asks `invitations.service.offer`; a link offer also carries its personal URL."""
    request = invitations.OfferRequest(
        contact_id=contact_id,
        survey_id=survey_id,
        channel=channel,
        touchpoint_id=touchpoint_id,
        hidden=hidden,
        source=source,
        send_after=send_after,
    )
    made = invitations.offer(db, settings, workspace_id, request)
    url = None
    if made.allowed and made.token and channel == "link":
        url = links.invitation_url(settings, made.token)
    return OfferResult(
        bool(made.allowed), made.invitation_id, made.rule, str(made.reason), made.token, url
    )


def track(db: Session, workspace_id: str, token: str, stage: str, response_id: str | None) -> None:
    """Moves the invitation along its funnel (opened, started, completed); never raises."""
    invitations.track(db, workspace_id, token, stage, response_id)

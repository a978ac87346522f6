"""Offering surveys (governance decides), tracking the funnel, one-click NPS and reminders."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from sqlalchemy.orm import Session

from cxloop.contacts import service as contacts
from cxloop.core.database import utcnow
from cxloop.core.errors import Invalid, NotFound
from cxloop.core.security import LinkSigner
from cxloop.core.settings import Settings
from cxloop.governance import service as governance
from cxloop.invitations import emails, links
from cxloop.invitations import repository as repo
from cxloop.invitations.models import Invitation
from cxloop.jobs import service as jobs
from cxloop.surveys import service as surveys

CHANNELS = ("email", "sms", "link", "widget")
STAGES = ("sent", "delivered", "opened", "started", "completed")
SMS_JOB = "sms.send"


@dataclass(frozen=True)
class OfferRequest:
    contact_id: str
    survey_id: str
    channel: str  # email | sms | link | widget
    touchpoint_id: str | None = None
    hidden: dict[str, str] = field(default_factory=dict)
    source: str = "api"  # "case:<id>", "trigger:<id>", "campaign:<id>", "rule:<id>"
    send_after: datetime | None = None
    is_reminder: bool = False


@dataclass(frozen=True)
class Offer:
    invitation_id: str | None  # None when governance blocked it
    allowed: bool
    rule: str | None
    reason: str
    token: str | None = None


def offer(db: Session, settings: Settings, workspace_id: str, request: OfferRequest) -> Offer:
    """Applies governance, stores the invitation and queues its email or SMS (flushes)."""
    if request.channel not in CHANNELS:
        raise Invalid(f"channel: must be one of {', '.join(CHANNELS)}")
    survey = surveys.get_survey(db, workspace_id, request.survey_id)
    contact = contacts.get_contact(db, workspace_id, request.contact_id)
    touchpoint = request.touchpoint_id or survey.touchpoint_id
    now = utcnow()
    at = max(request.send_after, now) if request.send_after else now
    if survey.status != "live":  # not a contact rule: nothing counts toward the caps
        decision = governance.Decision(False, "survey.not_live", "the survey is not live")
    else:
        decision = governance.check(
            db,
            workspace_id,
            contact.id,
            survey.id,
            touchpoint,
            request.channel,
            at,
            request.is_reminder,
        )
    invitation = Invitation(
        workspace_id=workspace_id,
        survey_id=survey.id,
        contact_id=contact.id,
        channel=request.channel,
        touchpoint_id=touchpoint,
        language=emails.pick_language(survey, contact),
        hidden={str(k)[:64]: str(v)[:500] for k, v in list(request.hidden.items())[:50]},
        source=request.source[:200],
        send_after=request.send_after,
        campaign_id=request.source[9:] if request.source.startswith("campaign:") else None,
    )
    if not decision.allowed:
        invitation.status = "blocked"
        invitation.blocked_rule, invitation.blocked_reason = decision.rule, decision.reason
        db.add(invitation)
        db.flush()
        return Offer(None, False, decision.rule, decision.reason)
    db.add(invitation)
    db.flush()
    token = links.invitation_token(settings, workspace_id, invitation.id)
    invitation.token = token
    _send(db, settings, invitation, token, at, reminder=False)
    return Offer(invitation.id, True, None, decision.reason, token)


def _send(
    db: Session,
    settings: Settings,
    invitation: Invitation,
    token: str,
    at: datetime,
    *,
    reminder: bool,
) -> None:
    survey = surveys.get_survey(db, invitation.workspace_id, invitation.survey_id)
    contact = contacts.get_contact(db, invitation.workspace_id, invitation.contact_id)
    number = invitation.reminders_sent
    if invitation.channel == "email":
        mail = emails.compose(db, settings, survey, contact, invitation.language, token, reminder)
        payload = {
            "to": contact.email,
            "subject": mail.subject,
            "text": mail.text,
            "html": mail.html,
            "language": invitation.language,
            "contact_id": contact.id,
            "unsubscribe_url": mail.unsubscribe_url,
            "purpose": "invitation",
            "reference": f"invitation:{invitation.id}",
        }
        jobs.enqueue(
            db,
            "notify.email",
            payload,
            workspace_id=invitation.workspace_id,
            dedupe_key=f"invitation:{invitation.id}:{number}",
            run_after=at,
        )
    elif invitation.channel == "sms":
        title = survey.name
        text = f"{title}: {links.invitation_url(settings, token)}"
        jobs.enqueue(
            db,
            SMS_JOB,
            {"to": contact.phone, "text": text, "invitation_id": invitation.id},
            workspace_id=invitation.workspace_id,
            dedupe_key=f"invitation:{invitation.id}:{number}",
            run_after=at,
        )
    if invitation.sent_at is None:
        invitation.sent_at = at
        invitation.status = "sent"
    invitation.last_sent_at = at
    db.flush()


def _stage_rank(stage: str) -> int:
    return STAGES.index(stage) if stage in STAGES else -1


def _advance(invitation: Invitation, stage: str, when: datetime) -> None:
    """Sets the stage's time (once) and the earlier stages it implies."""
    for earlier in STAGES[: _stage_rank(stage) + 1]:
        if getattr(invitation, f"{earlier}_at") is None:
            setattr(invitation, f"{earlier}_at", when)
    if _stage_rank(stage) > _stage_rank(invitation.status):
        invitation.status = stage


def _by_token(db: Session, settings: Settings, workspace_id: str, token: str) -> Invitation:
    found_ws, invitation_id = links.read_invitation_token(settings, token)
    invitation = repo.get(db, workspace_id, invitation_id) if found_ws == workspace_id else None
    if invitation is None or invitation.status == "blocked":
        raise NotFound("this survey link is not valid")
    return invitation


def track(
    db: Session, workspace_id: str, token: str, stage: str, response_id: str | None = None
) -> None:
    """Records how far an invitation got; an unknown or forged token is a no-op."""
    if stage not in ("opened", "started", "completed"):
        return
    invitation = repo.by_token(db, workspace_id, token) if 0 < len(token) <= 500 else None
    if invitation is None:
        return
    _advance(invitation, stage, utcnow())
    if response_id and stage == "completed":
        invitation.response_id = response_id
    db.flush()


def resolve(db: Session, settings: Settings, token: str) -> Invitation:
    """The invitation of a signed token; NotFound (forged) or Gone (expired) otherwise."""
    workspace_id, _ = links.read_invitation_token(settings, token)
    return _by_token(db, settings, workspace_id, token)


def open_link(db: Session, settings: Settings, invitation: Invitation, token: str) -> str:
    """Marks the invitation opened and returns the survey page URL that carries the token."""
    _advance(invitation, "opened", utcnow())
    db.flush()
    return survey_url(db, settings, invitation, token)


def survey_url(
    db: Session, settings: Settings, invitation: Invitation, token: str, nps: int | None = None
) -> str:
    signer = LinkSigner(settings.signing_key)
    personal = surveys.personal_link_token(
        db,
        invitation.workspace_id,
        invitation.survey_id,
        signer,
        contact_id=invitation.contact_id,
        language=invitation.language,
    )
    params: dict[str, Any] = {"inv": token, "lang": invitation.language}
    params.update({f"h.{k}": v for k, v in (invitation.hidden or {}).items()})
    if nps is not None:
        params["nps"] = nps
    return f"/s/{personal}?{urlencode(params)}"


def click_nps(
    db: Session, settings: Settings, invitation: Invitation, token: str, score: int
) -> tuple[str, bool]:
    """Records the email's one-click score once; a replay just reopens the survey.

    Returns (survey URL prefilled with the first score, whether this click recorded it).
    """
    if not 0 <= score <= 10:
        raise Invalid("score: must be a whole number from 0 to 10")
    first = invitation.nps_score is None
    if first:
        invitation.nps_score = score
    _advance(invitation, "started", utcnow())
    db.flush()
    return survey_url(db, settings, invitation, token, invitation.nps_score), first


def mark(db: Session, workspace_id: str, invitation_id: str, stage: str) -> None:
    """Records a delivery event (delivered, bounced, failed) reported by a sender."""
    invitation = repo.get(db, workspace_id, invitation_id)
    if invitation is None:
        raise NotFound("invitation not found")
    if stage == "delivered":
        _advance(invitation, "delivered", utcnow())
    elif stage in ("bounced", "failed"):
        invitation.status = stage
        invitation.reminder_after_days = None
        if stage == "bounced":
            contact = contacts.get_contact(db, workspace_id, invitation.contact_id)
            address = contact.email if invitation.channel == "email" else contact.phone
            if address:
                kind = "email" if invitation.channel == "email" else "phone"
                governance.suppress(
                    db,
                    workspace_id,
                    address if kind == "email" else None,
                    address if kind == "phone" else None,
                    reason="bounce",
                    note=f"invitation:{invitation.id}",
                )
    else:
        raise Invalid("stage: must be delivered, bounced or failed")
    db.flush()


def remind(db: Session, settings: Settings, workspace_id: str, invitation_id: str) -> bool:
    """Sends one reminder if it is due and governance allows it (is_reminder=True)."""
    invitation = repo.get(db, workspace_id, invitation_id)
    if invitation is None or not repo.reminder_due(invitation, utcnow()):
        return False
    now = utcnow()
    quiet = governance.contactable(db, workspace_id, invitation.contact_id, invitation.channel, now)
    if quiet.rule == "quiet_hours":
        return False  # tried again at the next poll, without filling the decision log
    decision = governance.check(
        db,
        workspace_id,
        invitation.contact_id,
        invitation.survey_id,
        invitation.touchpoint_id,
        invitation.channel,
        now,
        is_reminder=True,
    )
    if not decision.allowed:
        invitation.reminder_after_days = None  # opted out, suppressed, capped: stop reminding
        db.flush()
        return False
    invitation.reminders_sent += 1
    token = invitation.token or links.invitation_token(settings, workspace_id, invitation.id)
    _send(db, settings, invitation, token, now, reminder=True)
    return True


def due_reminders(db: Session, now: datetime) -> list[tuple[str, str, int]]:
    return repo.due_reminders(db, now)


def reminder_cutoff(days: int, now: datetime) -> datetime:
    return now - timedelta(days=days)

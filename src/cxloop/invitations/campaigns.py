"""Email/SMS campaigns: one queued job per contact; the funnel."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cxloop.contacts import service as contacts
from cxloop.core.database import utcnow
from cxloop.core.errors import Invalid, NotFound
from cxloop.core.settings import Settings
from cxloop.invitations import repository as repo
from cxloop.invitations import service
from cxloop.invitations.models import Campaign, Invitation
from cxloop.invitations.schemas import CampaignCreate, Funnel, FunnelRow
from cxloop.jobs import service as jobs
from cxloop.surveys import service as surveys

OFFER_JOB = "invitations.offer"
MAX_CONTACTS = 100_000
MAX_LISTED = 10_000  # contact ids one campaign may list (CampaignCreate.contact_ids)


def create_campaign(db: Session, workspace_id: str, data: CampaignCreate) -> Campaign:
    if data.channel not in ("email", "sms"):
        raise Invalid("channel: campaigns send by email or sms")
    if bool(data.contact_ids) == bool(data.segment_id):
        raise Invalid("give either contact_ids or segment_id")
    survey = surveys.get_survey(db, workspace_id, data.survey_id)
    if survey.status != "live":
        raise Invalid("survey_id: the survey is not live; publish it first")
    if data.segment_id:
        from cxloop.segments import service as segments

        ids = [str(i) for i in db.scalars(segments.member_ids(db, workspace_id, data.segment_id))]
    else:
        ids = list(dict.fromkeys(data.contact_ids or []))
        known = {c.id for c in contacts.lookup_contacts(db, workspace_id, ids=ids)}
        missing = next((i for i in ids if i not in known), None)
        if missing is not None:
            raise NotFound(f"contact_ids: contact {missing!r} not found")
    campaign = repo.add_campaign(
        db,
        Campaign(
            workspace_id=workspace_id,
            survey_id=survey.id,
            channel=data.channel,
            segment_id=data.segment_id,
            send_at=data.send_at,
            reminder_after_days=data.reminder_after_days,
            max_reminders=data.max_reminders if data.reminder_after_days else 0,
            contacts=len(ids[:MAX_CONTACTS]),
        ),
    )
    for contact_id in ids[:MAX_CONTACTS]:
        jobs.enqueue(
            db,
            OFFER_JOB,
            {"campaign_id": campaign.id, "contact_id": contact_id},
            workspace_id=workspace_id,
            dedupe_key=f"{campaign.id}:{contact_id}",
            run_after=data.send_at or utcnow(),
        )
    return campaign


def send_one(db: Session, settings: Settings, workspace_id: str, payload: dict[str, Any]) -> None:
    campaign = db.get(Campaign, str(payload["campaign_id"]))
    if campaign is None or campaign.workspace_id != workspace_id:
        return
    try:
        made = service.offer(
            db,
            settings,
            workspace_id,
            service.OfferRequest(
                contact_id=str(payload["contact_id"]),
                survey_id=campaign.survey_id,
                channel=campaign.channel,
                source=f"campaign:{campaign.id}",
            ),
        )
    except NotFound:
        return  # the contact or survey was deleted since
    if made.invitation_id:
        invitation = db.get(Invitation, made.invitation_id)
        if invitation is not None:
            invitation.reminder_after_days = campaign.reminder_after_days
            invitation.max_reminders = campaign.max_reminders
            db.flush()


def _rate(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


def _row(data: dict[str, Any]) -> FunnelRow:
    counts = {k: int(data.get(k) or 0) for k in FunnelRow.model_fields if k != "group"}
    counts = {k: v for k, v in counts.items() if not k.endswith("_rate")}
    return FunnelRow(
        group=None if data.get("group") is None else str(data["group"]),
        **counts,
        open_rate=_rate(counts["opened"], counts["delivered"]),
        start_rate=_rate(counts["started"], counts["opened"]),
        completion_rate=_rate(counts["completed"], counts["started"]),
        response_rate=_rate(counts["responses"], counts["delivered"]),
    )


def funnel(db: Session, workspace_id: str, filters: dict[str, str | None]) -> Funnel:
    survey_id = filters.get("survey_id")
    if survey_id:
        surveys.get_survey(db, workspace_id, survey_id)
    total = repo.funnel(db, workspace_id, filters)
    return Funnel(
        total=_row(total[0] if total else {}),
        by_channel=[_row(r) for r in repo.funnel(db, workspace_id, filters, "channel")],
        by_language=[_row(r) for r in repo.funnel(db, workspace_id, filters, "language")],
        blocked=repo.blocked_counts(db, workspace_id, survey_id),
    )


def list_campaigns(db: Session, workspace_id: str) -> list[Campaign]:
    return repo.campaigns(db, workspace_id)


def list_invitations(
    db: Session, workspace_id: str, contact_id: str | None, survey_id: str | None
) -> list[Invitation]:
    query = select(Invitation).where(Invitation.workspace_id == workspace_id)
    if contact_id:
        query = query.where(Invitation.contact_id == contact_id)
    if survey_id:
        query = query.where(Invitation.survey_id == survey_id)
    return list(db.scalars(query.order_by(Invitation.created_at.desc()).limit(200)))


def reachable_audience(db: Session, workspace_id: str, channel: str = "email") -> list[str]:
    """Ids of all contacts with an email (a phone for sms): the "all contacts" audience.

    Invalid when there are none, or more than a listed campaign takes (MAX_LISTED).
    """
    total = repo.count_reachable(db, workspace_id, channel)
    what = "a phone number" if channel == "sms" else "an email address"
    if total == 0:
        raise Invalid(f"audience: no contact has {what} yet")
    if total > MAX_LISTED:
        raise Invalid(
            f"audience: {total:,} contacts have {what}, but a campaign to all contacts "
            f"reaches at most {MAX_LISTED:,}; choose a segment instead"
        )
    return repo.reachable_ids(db, workspace_id, channel, MAX_LISTED)


@dataclass(frozen=True)
class CampaignRow:
    """A campaign with its survey and audience names and how far its sends got."""

    campaign: Campaign
    survey: str
    audience: str
    counts: dict[str, int]  # made, blocked, sent, delivered, opened, completed, responses
    waiting: int  # contacts whose send job has not run yet
    response_rate: float | None  # responses ÷ delivered


def campaign_rows(
    db: Session, workspace_id: str, segment_names: Mapping[str, str] | None = None
) -> list[CampaignRow]:
    """The latest campaigns with their counts (``segment_names``: id → name, if at hand)."""
    listed = repo.campaigns(db, workspace_id)
    if segment_names is None:
        from cxloop.segments import service as segments

        segment_names = {s.id: s.name for s in segments.list_segments(db, workspace_id)}
    names = {s.id: s.name for s in surveys.list_surveys(db, workspace_id)}
    counts = repo.campaign_counts(db, workspace_id, [c.id for c in listed])
    empty = dict.fromkeys(
        ("made", "blocked", "sent", "delivered", "opened", "completed", "responses"), 0
    )
    rows = []
    for c in listed:
        got = counts.get(c.id, empty)
        audience = (
            segment_names.get(c.segment_id, "a deleted segment") if c.segment_id else "contact list"
        )
        rows.append(
            CampaignRow(
                campaign=c,
                survey=names.get(c.survey_id, c.survey_id),
                audience=audience,
                counts=got,
                waiting=max(0, c.contacts - got["made"]),
                response_rate=_rate(got["responses"], got["delivered"]),
            )
        )
    return rows


def seed_campaign(
    db: Session,
    workspace_id: str,
    survey_id: str,
    segment_id: str | None = None,
    *,
    contacts: int = 150,
    send_at: datetime | None = None,
) -> Campaign:
    """A demo email campaign: the oldest ``contacts`` contacts with an email (in the segment,
    if given), reminded once after 3 days. Flushes; the caller commits."""
    within = None
    if segment_id:
        from cxloop.segments import service as segments

        within = segments.member_ids(db, workspace_id, segment_id)
    ids = repo.reachable_ids(db, workspace_id, "email", min(contacts, MAX_LISTED), within)
    if not ids:
        raise Invalid("audience: no contact has an email address yet")
    data = CampaignCreate(
        survey_id=survey_id,
        contact_ids=ids,
        channel="email",
        send_at=send_at,
        reminder_after_days=3,
        max_reminders=1,
    )
    return create_campaign(db, workspace_id, data)

"""The event API: record an event as an interaction, then evaluate the survey triggers.

Flushes, never commits. Each matching trigger leaves a firing row saying what it did
(offered, blocked by governance and why, scheduled, sampled out), which is also what a
retried event with the same idempotency key answers.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from pydantic import ValidationError
from sqlalchemy.orm import Session

from cxloop.contacts import service as contacts
from cxloop.contacts.models import Contact
from cxloop.core.database import utcnow
from cxloop.core.errors import Conflict, CxError, Invalid
from cxloop.core.settings import Settings
from cxloop.events import offers
from cxloop.events import repository as repo
from cxloop.events.models import Outcome, SurveyTrigger, TriggerChannel, TriggerFiring
from cxloop.events.schemas import EventContact, EventCreate, EventResult, FiringRead
from cxloop.interactions import service as interactions
from cxloop.interactions.resolve import as_utc
from cxloop.interactions.schemas import InteractionCreate
from cxloop.jobs import service as jobs
from cxloop.journeys import service as journeys
from cxloop.journeys.models import Channel

OFFER_JOB = "events.offer"


@dataclass
class Recorded:
    """An event's result, with the widget offers (and their tokens) the API does not show."""

    result: EventResult
    shown: list[tuple[SurveyTrigger, offers.OfferResult]] = field(default_factory=list)


def record_event(
    db: Session,
    settings: Settings,
    workspace_id: str,
    data: EventCreate,
    *,
    channels: Collection[str] | None = None,
    default_channel: Channel | None = None,
) -> Recorded:
    """Records the event and evaluates the triggers (only those of `channels`, if given)."""
    contact = _contact(db, workspace_id, data.contact)
    key = data.touchpoint or data.event or ""
    touchpoint = journeys.find_touchpoint_by_key(db, workspace_id, key)
    warnings: list[str] = []
    properties: dict[str, str | int | float | bool | None] = dict(data.properties)
    if data.event:
        properties["event"] = data.event
    if touchpoint is None:
        properties["unknown_touchpoint"] = key
        what = "touchpoint" if data.touchpoint else "touchpoint for the event"
        warnings.append(
            f"no {what} has the key '{key}': the event was recorded without a touchpoint "
            "and flagged; add a touchpoint with this key to map it"
        )
    try:
        item = InteractionCreate(
            kind=data.kind,
            occurred_at=data.occurred_at,
            contact_id=contact.id,
            touchpoint_id=touchpoint.id if touchpoint else None,
            channel=data.channel or (None if touchpoint else default_channel),
            external_id=f"event:{data.idempotency_key}" if data.idempotency_key else None,
            properties=properties,
        )
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"]) or "event"
        raise Invalid(f"{where}: {str(err['msg']).removeprefix('Value error, ')}") from exc
    interaction, created = interactions.create_interaction(db, workspace_id, item)
    result = EventResult(
        interaction_id=interaction.id,
        contact_id=interaction.contact_id,
        touchpoint_id=interaction.touchpoint_id,
        duplicate=not created,
        flagged="unknown_touchpoint" in (interaction.properties or {}),
        warnings=warnings,
        triggers_matched=0,
        triggers=[],
    )
    if not created:
        if interaction.contact_id != contact.id:
            raise Conflict(
                f"idempotency_key: '{data.idempotency_key}' was already used for another contact"
            )
        stored = repo.firings_of(db, workspace_id, interaction.id)
        result.triggers = [_read(f) for f in stored]
        result.triggers_matched = len(stored)
        return Recorded(result)
    recorded = Recorded(result)
    found = repo.active_triggers(db, workspace_id, data.event, interaction.touchpoint_id)
    for trigger in found:
        if channels is not None and trigger.channel not in channels:
            continue
        if not conditions_hold(trigger.conditions, data.properties):
            continue
        result.triggers_matched += 1
        occurred = as_utc(data.occurred_at) if data.occurred_at else utcnow()
        firing, made = _fire(
            db,
            settings,
            trigger,
            contact.id,
            interaction.id,
            interaction.touchpoint_id,
            occurred,
            properties,
        )
        read = _read(firing)
        if made is not None:
            read.url = made.url
            if made.allowed and trigger.channel == TriggerChannel.widget:
                recorded.shown.append((trigger, made))
        result.triggers.append(read)
    return recorded


def in_sample(trigger_id: str, contact_id: str, percent: float) -> bool:
    """Deterministic: the same contact is always in (or out of) the same trigger's sample."""
    if percent >= 100:
        return True
    digest = hashlib.sha256(f"{trigger_id}:{contact_id}".encode()).digest()
    bucket = int.from_bytes(digest[:4], "big") % 10_000
    return bucket < round(percent * 100)


def conditions_hold(
    conditions: list[dict[str, object]], properties: dict[str, str | int | float | bool | None]
) -> bool:
    """Every condition holds: `eq` one value or `in` a list (numbers compare as numbers)."""
    for condition in conditions:
        name = str(condition.get("property", ""))
        if name not in properties:
            return False
        value = properties[name]
        wanted = condition.get("value")
        options = wanted if isinstance(wanted, list) else [wanted]
        if not any(_same(value, option) for option in options):
            return False
    return True


def _same(a: object, b: object) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    return a == b


def _fire(
    db: Session,
    settings: Settings,
    trigger: SurveyTrigger,
    contact_id: str,
    interaction_id: str,
    touchpoint_id: str | None,
    occurred: datetime,
    properties: dict[str, str | int | float | bool | None],
) -> tuple[TriggerFiring, offers.OfferResult | None]:
    firing = TriggerFiring(
        workspace_id=trigger.workspace_id,
        trigger_id=trigger.id,
        interaction_id=interaction_id,
        contact_id=contact_id,
        survey_id=trigger.survey_id,
        channel=trigger.channel,
        outcome=Outcome.offered.value,
        reason="",
    )
    db.add(firing)
    made: offers.OfferResult | None = None
    if not in_sample(trigger.id, contact_id, trigger.sample_percent):
        firing.outcome = Outcome.sampled_out.value
        firing.reason = f"the contact is outside the trigger's {trigger.sample_percent:g}% sample"
    elif trigger.delay_seconds and trigger.channel != TriggerChannel.widget:
        run_after = max(utcnow(), occurred + timedelta(seconds=trigger.delay_seconds))
        db.flush()
        firing.outcome = Outcome.scheduled.value
        firing.run_after = run_after
        firing.reason = f"offered at {run_after:%Y-%m-%d %H:%M} UTC, when the delay is over"
        firing.job_id = jobs.enqueue(
            db,
            OFFER_JOB,
            {"firing_id": firing.id},
            workspace_id=trigger.workspace_id,
            dedupe_key=f"trigger-offer:{firing.id}",
            run_after=run_after,
        )
    else:
        made = _offer(db, settings, trigger, firing, touchpoint_id, _hidden(properties))
    db.flush()
    return firing, made


def _offer(
    db: Session,
    settings: Settings,
    trigger: SurveyTrigger,
    firing: TriggerFiring,
    touchpoint_id: str | None,
    hidden: dict[str, str],
) -> offers.OfferResult | None:
    """Offers the survey now and writes the outcome on the firing."""
    try:
        made = offers.offer(
            db,
            settings,
            trigger.workspace_id,
            contact_id=firing.contact_id,
            survey_id=trigger.survey_id,
            channel=trigger.channel,
            touchpoint_id=touchpoint_id,
            hidden=hidden,
            source=f"trigger:{trigger.id}",
        )
    except CxError as exc:
        firing.outcome = Outcome.failed.value
        firing.reason = exc.message
        return None
    firing.outcome = (Outcome.offered if made.allowed else Outcome.blocked).value
    firing.invitation_id = made.invitation_id
    firing.rule = made.rule
    firing.reason = made.reason
    return made


def run_delayed_offer(db: Session, settings: Settings, workspace_id: str, firing_id: str) -> None:
    """The job behind a delayed trigger: offers unless the trigger was paused or deleted."""
    firing = repo.firing(db, workspace_id, firing_id)
    if firing is None or firing.outcome != Outcome.scheduled:
        return  # deleted with its trigger, or already done
    trigger = repo.trigger(db, workspace_id, firing.trigger_id)
    if trigger is None or not trigger.active:
        firing.outcome = Outcome.cancelled.value
        firing.reason = "the trigger was paused before the delay was over"
        db.flush()
        return
    interaction = interactions.get_interaction(db, workspace_id, firing.interaction_id)
    hidden = _hidden(dict(interaction.properties or {}))
    _offer(db, settings, trigger, firing, interaction.touchpoint_id, hidden)
    db.flush()


def contact_firings(
    db: Session, workspace_id: str, contact_id: str, limit: int = 100
) -> list[FiringRead]:
    """What every trigger did for this contact, newest first ("why was it not surveyed?")."""
    contacts.get_contact(db, workspace_id, contact_id)
    return [_read(f) for f in repo.firings_of_contact(db, workspace_id, contact_id, limit)]


def _hidden(properties: dict[str, str | int | float | bool | None]) -> dict[str, str]:
    """Event properties as the invitation's hidden fields (e.g. order_id), at most 50."""
    out = {k: str(v) for k, v in properties.items() if v is not None and k != "unknown_touchpoint"}
    return dict(list(out.items())[:50])


def _read(firing: TriggerFiring) -> FiringRead:
    return FiringRead.model_validate(firing)


def _contact(db: Session, workspace_id: str, who: EventContact) -> Contact:
    """Finds the contact by external id, email or phone (creating it); adds new attributes."""
    if who.external_id or who.email:
        try:
            contact = _find_or_create(db, workspace_id, who)
        except Conflict:  # created by a concurrent request in between: it is there now
            contact = _find_or_create(db, workspace_id, who)
    else:
        phone = (who.phone or "").strip()
        found = repo.contact_by_phone(db, workspace_id, phone)
        contact = found or contacts.create_contact(
            db, workspace_id, phone=phone, name=who.name or "", language=who.language
        )
    if who.attributes:
        contacts.update_contact(db, workspace_id, contact.id, attributes=who.attributes)
    return contact


def _find_or_create(db: Session, workspace_id: str, who: EventContact) -> Contact:
    return contacts.find_or_create_contact(
        db,
        workspace_id,
        external_id=who.external_id,
        email=who.email,
        name=who.name,
        phone=who.phone,
        language=who.language,
    )

"""The one governance engine: may this contact be surveyed on this channel now, and if not, why.

`contactable` answers the contact-level rules (opt-outs, suppression, bounces, quiet hours);
`check` adds the frequency caps and quarantine, locks the contact and records the decision.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.orm import Session

from cxloop.accounts.models import Workspace
from cxloop.contacts import service as contacts
from cxloop.contacts.models import Contact
from cxloop.core.database import utcnow
from cxloop.core.email_address import normalised
from cxloop.core.errors import Invalid, NotFound
from cxloop.governance import repository as repo
from cxloop.governance.models import ConsentRecord, GovernanceSettings, OptOut, Suppression
from cxloop.governance.models import Decision as DecisionRow
from cxloop.governance.schemas import SettingsRead, SettingsWrite

PUSH_CHANNELS = ("email", "sms")  # channels that interrupt someone: quiet hours apply


@dataclass(frozen=True)
class Decision:
    allowed: bool
    rule: str | None
    reason: str


ALLOWED = Decision(True, None, "allowed: no governance rule blocks this invitation")


def get_settings(db: Session, workspace_id: str) -> SettingsRead:
    row = repo.settings_row(db, workspace_id)
    return SettingsRead.model_validate(row) if row else SettingsRead()


def put_settings(db: Session, workspace_id: str, data: SettingsWrite) -> SettingsRead:
    if (data.quiet_start is None) != (data.quiet_end is None):
        raise Invalid("quiet_start and quiet_end: give both or neither")
    row = repo.settings_row(db, workspace_id)
    if row is None:
        row = GovernanceSettings(workspace_id=workspace_id)
        db.add(row)
    for name, value in data.model_dump().items():
        setattr(row, name, value)
    row.updated_at = utcnow()
    db.flush()
    return SettingsRead.model_validate(row)


def normal_email(value: str) -> str:
    """The address in normal form, or Invalid naming what is wrong (syntax only, no DNS)."""
    try:
        return normalised(value).lower()
    except ValueError as exc:
        raise Invalid(f"email: {exc}") from exc


def normal_phone(value: str) -> str:
    digits = "".join(ch for ch in value if ch.isdigit())
    if not 6 <= len(digits) <= 15:
        raise Invalid("phone: give 6 to 15 digits, e.g. +84 90 123 4567")
    return ("+" if value.strip().startswith("+") else "") + digits


def contact_zone(db: Session, contact: Contact) -> ZoneInfo:
    """The contact's time zone (attribute timezone/time_zone), else the workspace's, else UTC."""
    attributes = contact.attributes or {}
    workspace = db.get(Workspace, contact.workspace_id)
    names = [attributes.get("timezone"), attributes.get("time_zone")]
    names.append(workspace.timezone if workspace else None)
    for name in names:
        if isinstance(name, str) and name:
            try:
                return ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return ZoneInfo("UTC")


def _in_quiet_hours(local: time, start: str, end: str) -> bool:
    begin, finish = time.fromisoformat(start), time.fromisoformat(end)
    if begin <= finish:
        return begin <= local < finish
    return local >= begin or local < finish  # across midnight, e.g. 21:00-08:00


def _address_rule(db: Session, workspace_id: str, contact: Contact, channel: str) -> Decision:
    kind, value = ("email", contact.email) if channel == "email" else ("phone", contact.phone)
    if channel not in PUSH_CHANNELS:
        return ALLOWED
    if not value:
        return Decision(False, f"address.missing_{kind}", f"the contact has no {kind} address")
    if kind == "email":
        try:
            value = normal_email(value)
        except Invalid:
            return Decision(False, "address.invalid", f"the email address {value!r} is not valid")
    else:
        value = normal_phone(value) if any(c.isdigit() for c in value) else value
    found = repo.suppression(db, workspace_id, kind, value)
    if found is None:
        return ALLOWED
    if found.reason == "bounce":
        return Decision(False, "bounced", f"{value} bounced before; it is not retried")
    return Decision(False, "suppressed", f"{value} is on the workspace's suppression list")


def contactable(
    db: Session, workspace_id: str, contact_id: str, channel: str, now: datetime | None = None
) -> Decision:
    """Opt-outs (channel or global), suppression, bounces and quiet hours; not the caps."""
    contact = contacts.get_contact(db, workspace_id, contact_id)
    return _contactable(db, workspace_id, contact, channel, now or utcnow())


def _contactable(
    db: Session, workspace_id: str, contact: Contact, channel: str, now: datetime
) -> Decision:
    outs = {o.channel for o in repo.opt_outs(db, workspace_id, contact.id)}
    if "all" in outs:
        return Decision(False, "opt_out.global", "the contact opted out of all surveys")
    if channel in outs:
        return Decision(False, f"opt_out.{channel}", f"the contact opted out of {channel} surveys")
    address = _address_rule(db, workspace_id, contact, channel)
    if not address.allowed:
        return address
    rules = get_settings(db, workspace_id)
    if channel in PUSH_CHANNELS and rules.quiet_start and rules.quiet_end:
        zone = contact_zone(db, contact)
        local = now.astimezone(zone)
        if _in_quiet_hours(local.time(), rules.quiet_start, rules.quiet_end):
            return Decision(
                False,
                "quiet_hours",
                f"it is {local:%H:%M} for the contact ({zone.key}), inside quiet hours "
                f"{rules.quiet_start}-{rules.quiet_end}",
            )
    return ALLOWED


def _caps(
    db: Session,
    workspace_id: str,
    contact: Contact,
    survey_id: str | None,
    touchpoint_id: str | None,
    now: datetime,
    is_reminder: bool,
) -> Decision:
    rules = get_settings(db, workspace_id)
    if is_reminder and not rules.reminders_count:
        return ALLOWED
    if rules.quarantine_days and not is_reminder:
        last = repo.last_response_at(db, workspace_id, contact.id)
        if last is not None and last >= now - timedelta(days=rules.quarantine_days):
            return Decision(
                False,
                "quarantine",
                f"the contact answered a survey on {last:%Y-%m-%d}; no invitation within "
                f"{rules.quarantine_days} days of a response",
            )
    counted = rules.reminders_count
    checks = [
        ("workspace", rules.workspace_cap, rules.workspace_period_days, None, None),
        ("survey", rules.survey_cap, rules.survey_period_days, survey_id, None),
        ("touchpoint", rules.touchpoint_cap, rules.touchpoint_period_days, None, touchpoint_id),
    ]
    for scope, cap, days, survey, touchpoint in checks:
        if cap is None or (scope == "survey" and not survey):
            continue
        if scope == "touchpoint" and not touchpoint:
            continue
        since = now - timedelta(days=days)
        used = repo.count_allowed(
            db,
            workspace_id,
            contact.id,
            since,
            survey_id=survey,
            touchpoint_id=touchpoint,
            include_reminders=counted,
        )
        if used >= cap:
            where = {"workspace": "in this workspace", "survey": "for this survey"}.get(
                scope, "at this touchpoint"
            )
            return Decision(
                False,
                f"cap.{scope}",
                f"the contact already had {used} invitation(s) {where} in the last {days} days "
                f"(at most {cap})",
            )
    return ALLOWED


def check(
    db: Session,
    workspace_id: str,
    contact_id: str,
    survey_id: str | None,
    touchpoint_id: str | None,
    channel: str,
    now: datetime | None = None,
    is_reminder: bool = False,
) -> Decision:
    """The full decision; locks the contact for the transaction and records the decision.

    The caller inserts the invitation in the same transaction, so two concurrent offers for
    one contact are decided one after the other and a cap can never be exceeded.
    """
    moment = now or utcnow()
    contact = contacts.get_contact(db, workspace_id, contact_id)
    repo.lock_contact(db, workspace_id, contact.id)
    decision = _contactable(db, workspace_id, contact, channel, moment)
    if decision.allowed:
        decision = _caps(db, workspace_id, contact, survey_id, touchpoint_id, moment, is_reminder)
    db.add(
        DecisionRow(
            workspace_id=workspace_id,
            contact_id=contact.id,
            survey_id=survey_id,
            touchpoint_id=touchpoint_id,
            channel=channel,
            is_reminder=is_reminder,
            allowed=decision.allowed,
            rule=decision.rule,
            reason=decision.reason[:500],
            at=moment,
        )
    )
    db.flush()
    return decision


def preview(
    db: Session,
    workspace_id: str,
    contact_id: str,
    survey_id: str | None,
    touchpoint_id: str | None,
    channel: str,
) -> Decision:
    """What `check` would answer now, without recording or locking."""
    contact = contacts.get_contact(db, workspace_id, contact_id)
    now = utcnow()
    decision = _contactable(db, workspace_id, contact, channel, now)
    if decision.allowed:
        decision = _caps(db, workspace_id, contact, survey_id, touchpoint_id, now, False)
    return decision


def opt_out(db: Session, workspace_id: str, contact_id: str, channel: str, source: str) -> None:
    contact = contacts.get_contact(db, workspace_id, contact_id)
    if channel not in {o.channel for o in repo.opt_outs(db, workspace_id, contact.id)}:
        db.add(
            OptOut(workspace_id=workspace_id, contact_id=contact.id, channel=channel, source=source)
        )
    db.add(
        ConsentRecord(
            workspace_id=workspace_id,
            contact_id=contact.id,
            channel=channel,
            granted=False,
            source=source,
        )
    )
    db.flush()


def record_consent(
    db: Session, workspace_id: str, contact_id: str, channel: str, granted: bool, source: str
) -> None:
    """Appends a consent record; granting it lifts an opt-out of that channel."""
    if not granted:
        opt_out(db, workspace_id, contact_id, channel, source)
        return
    contact = contacts.get_contact(db, workspace_id, contact_id)
    for row in repo.opt_outs(db, workspace_id, contact.id):
        if row.channel == channel:
            db.delete(row)
    db.add(
        ConsentRecord(
            workspace_id=workspace_id, contact_id=contact.id, channel=channel, source=source
        )
    )
    db.flush()


def _address(email: str | None, phone: str | None) -> tuple[str, str]:
    if bool(email) == bool(phone):
        raise Invalid("give either email or phone")
    return ("email", normal_email(email)) if email else ("phone", normal_phone(phone or ""))


def suppress(
    db: Session,
    workspace_id: str,
    email: str | None,
    phone: str | None,
    reason: str = "manual",
    note: str = "",
) -> Suppression:
    kind, value = _address(email, phone)
    row = repo.suppression(db, workspace_id, kind, value)
    if row is None:
        row = Suppression(workspace_id=workspace_id, kind=kind, value=value, note=note)
        db.add(row)
    if reason == "bounce" or row.reason != "bounce":
        row.reason = reason
    db.flush()
    return row


def unsuppress(db: Session, workspace_id: str, suppression_id: str) -> None:
    row = db.get(Suppression, suppression_id)
    if row is None or row.workspace_id != workspace_id:
        raise NotFound("suppression entry not found")
    db.delete(row)
    db.flush()


def list_suppressions(db: Session, workspace_id: str) -> list[Suppression]:
    return list(repo.suppressions(db, workspace_id))


def explain(
    db: Session,
    workspace_id: str,
    contact_id: str,
    survey_id: str | None,
    channel: str,
) -> dict[str, object]:
    """Why a contact would (not) be surveyed now, and the decisions taken before."""
    contact = contacts.get_contact(db, workspace_id, contact_id)
    touchpoint: str | None = None
    if survey_id:
        from cxloop.surveys import service as surveys

        touchpoint = surveys.get_survey(db, workspace_id, survey_id).touchpoint_id
    now = preview(db, workspace_id, contact.id, survey_id, touchpoint, channel)
    return {
        "contact_id": contact.id,
        "survey_id": survey_id,
        "channel": channel,
        "allowed": now.allowed,
        "rule": now.rule,
        "reason": now.reason,
        "opt_outs": sorted(o.channel for o in repo.opt_outs(db, workspace_id, contact.id)),
        "consents": repo.consents(db, workspace_id, contact.id),
        "history": repo.history(db, workspace_id, contact.id, survey_id, None),
    }

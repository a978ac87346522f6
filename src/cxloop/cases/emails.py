"""Emails of cases, queued as `notify.email` jobs (the notifications feature sends them): a
message to the customer, and the escalation notice to the owner and the team manager."""

from __future__ import annotations

import html
from typing import Any

from sqlalchemy.orm import Session

from cxloop.accounts import service as accounts
from cxloop.cases import repository as repo
from cxloop.cases.models import Case, CaseNote
from cxloop.contacts.models import Contact
from cxloop.core.settings import Settings
from cxloop.invitations import links
from cxloop.notifications import service as notifications

SUBJECTS = {  # "About your feedback" in the customer's language (English otherwise)
    "en": "About your feedback",
    "vi": "Về phản hồi của bạn",
    "fr": "À propos de votre avis",
    "de": "Zu Ihrem Feedback",
    "es": "Sobre sus comentarios",
    "pt": "Sobre o seu feedback",
    "it": "Riguardo al tuo feedback",
    "nl": "Over uw feedback",
}
CLOCK_LABELS = {"first_action": "first action", "resolution": "resolution"}


def _queue(db: Session, workspace_id: str, payload: dict[str, Any], dedupe_key: str) -> int | None:
    """Through the notifications feature, which also starts its delivery log."""
    return notifications.queue_email(db, workspace_id, payload, dedupe_key)


def delivery_states(db: Session, workspace_id: str, reference: str) -> dict[int, tuple[str, str]]:
    """{job id: (status, last error)} of the emails sent for `reference` (e.g. case:<id>), from
    the notifications feature's delivery log."""
    page = notifications.list_deliveries(
        db, workspace_id, channel="email", reference=reference, limit=500
    )
    return {d.job_id: (str(d.status), str(d.last_error or "")) for d in page.items}


def _paragraphs(text: str) -> str:
    return "".join(
        f"<p>{html.escape(part).replace(chr(10), '<br>')}</p>"
        for part in text.split("\n\n")
        if part.strip()
    )


def _language(contact: Contact, fallback: str | None) -> str | None:
    return (contact.language or fallback or "").strip() or None


def customer_message(
    db: Session,
    settings: Settings,
    case: Case,
    note: CaseNote,
    contact: Contact,
    language: str | None,
) -> int | None:
    """Queues the agent's message to the customer (once per message); the job id."""
    assert contact.email
    lang = _language(contact, language)
    workspace = accounts.get_workspace(db, case.workspace_id)
    subject = SUBJECTS.get((lang or "en").split("-")[0].lower(), SUBJECTS["en"])
    unsubscribe = links.unsubscribe_url(settings, case.workspace_id, contact.id, "email")
    payload: dict[str, Any] = {
        "to": contact.email,
        "subject": f"{subject} · {workspace.name}",
        "text": note.body,
        "html": _paragraphs(note.body),
        "language": lang,
        "contact_id": contact.id,
        "unsubscribe_url": unsubscribe,
        "purpose": "case",
        "reference": f"case:{case.id}",
    }
    return _queue(db, case.workspace_id, payload, f"case-message:{note.id}")


def escalation(
    db: Session, case: Case, clock: str, recipients: list[str], base_url: str, reassigned: bool
) -> list[int]:
    """Tells each recipient (user ids) that the case's clock ran out; once per case, clock
    and person. The job ids of the emails queued now."""
    emails = repo.user_emails(db, sorted(set(recipients)))
    label = CLOCK_LABELS.get(clock, clock)
    link = f"{base_url.rstrip('/')}/app/cases/{case.id}" if base_url else f"/app/cases/{case.id}"
    due = getattr(case, f"{clock}_due")
    text = (
        f"Case #{case.number} \u201c{case.title}\u201d missed its {label} target "
        f"(due {due:%Y-%m-%d %H:%M} UTC).\n"
        f"It is now {case.priority} priority"
        + (" and assigned to the team manager" if reassigned else "")
        + f".\n\nOpen the case: {link}\n"
    )
    queued = []
    for user_id, address in sorted(emails.items()):
        job_id = _queue(
            db,
            case.workspace_id,
            {
                "to": address,
                "subject": f"SLA breached: case #{case.number} ({label})",
                "text": text,
                "html": _paragraphs(text),
                "language": None,
                "contact_id": None,
                "unsubscribe_url": None,
                "purpose": "escalation",
                "reference": f"case:{case.id}",
            },
            f"escalation:{case.id}:{clock}:{user_id}",
        )
        if job_id is not None:
            queued.append(job_id)
    return queued


def assigned(db: Session, case: Case, owner_id: str, actor: str, base_url: str) -> int | None:
    """Tells the new owner that a case is theirs (not when they took it themselves)."""
    if actor == f"user:{owner_id}":
        return None
    address = repo.user_emails(db, [owner_id]).get(owner_id)
    if not address:
        return None
    link = f"{base_url.rstrip('/')}/app/cases/{case.id}" if base_url else f"/app/cases/{case.id}"
    text = (
        f"Case #{case.number} \u201c{case.title}\u201d ({case.priority} priority) is assigned "
        f"to you.\nFirst action due {case.first_action_due:%Y-%m-%d %H:%M} UTC, resolution due "
        f"{case.resolution_due:%Y-%m-%d %H:%M} UTC.\n\nOpen the case: {link}\n"
    )
    payload: dict[str, Any] = {
        "to": address,
        "subject": f"Case #{case.number} assigned to you: {case.title}"[:300],
        "text": text,
        "html": _paragraphs(text),
        "language": None,
        "contact_id": None,
        "unsubscribe_url": None,
        "purpose": "case",
        "reference": f"case:{case.id}",
    }
    seq = len(repo.events_of(db, case.id))  # one email per assignment, not per retry
    return _queue(db, case.workspace_id, payload, f"case-assigned:{case.id}:{owner_id}:{seq}")

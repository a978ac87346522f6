"""Following up with the customer: messages by email, a re-survey when the case closes, and
linking the customer's answer to that re-survey back to the case. Flushes, never commits."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from cxloop.cases import emails, service
from cxloop.cases import followup_repository as repo
from cxloop.cases.models import Case, CaseNote
from cxloop.cases.schemas import Transition
from cxloop.contacts import service as contacts
from cxloop.core.database import utcnow
from cxloop.core.errors import Invalid, NotFound
from cxloop.core.settings import Settings
from cxloop.governance import service as governance
from cxloop.invitations import service as invitations
from cxloop.responses import service as responses
from cxloop.surveys import service as surveys

LINK_WINDOW = timedelta(days=90)  # a re-survey answered later than this is not linked


def _response_language(db: Session, case: Case) -> str | None:
    if case.response_id is None:
        return None
    try:
        return responses.get_response(db, case.workspace_id, case.response_id).language
    except NotFound:
        return None


def send_message(
    db: Session, settings: Settings, workspace_id: str, case_id: str, body: str, actor: str
) -> CaseNote:
    """Stores the message and queues its email in the customer's language ("queued"); when the
    customer cannot be emailed (opted out, suppressed, bounced) it is kept as "blocked" with
    the governance reason."""
    case = service.get_case(db, workspace_id, case_id)
    if case.contact_id is None:
        raise Invalid("contact_id: this case has no contact to send a message to")
    contact = contacts.get_contact(db, workspace_id, case.contact_id)
    if not contact.email:
        raise Invalid("contact: the customer has no email address to send the message to")
    if not body.strip():
        raise Invalid("body: the message is empty")
    note = service.add_note(db, workspace_id, case_id, "message", body.strip(), actor)
    decision = governance.contactable(db, workspace_id, contact.id, "email")
    # a reply the agent writes now is not held back by quiet hours (they pace invitations)
    if not decision.allowed and decision.rule != "quiet_hours":
        note.status, note.delivery_error = "blocked", str(decision.reason)
        service.log(db, case, "message_blocked", actor, note_id=note.id, rule=decision.rule)
    else:
        language = _response_language(db, case)
        note.delivery_job_id = emails.customer_message(db, settings, case, note, contact, language)
        note.status = "queued"
    db.flush()
    return note


def _resurvey_survey(db: Session, case: Case, survey_id: str | None) -> str:
    if case.contact_id is None:
        raise Invalid("resurvey: this case has no contact to re-survey")
    if survey_id:
        return surveys.get_survey(db, case.workspace_id, survey_id).id
    if case.response_id is None:
        raise Invalid("resurvey_survey_id: the case has no survey response; choose a survey")
    return responses.get_response(db, case.workspace_id, case.response_id).survey_id


def _channel(db: Session, case: Case) -> str | None:
    assert case.contact_id is not None
    contact = contacts.get_contact(db, case.workspace_id, case.contact_id)
    return "email" if contact.email else ("sms" if contact.phone else None)


def offer_resurvey(db: Session, settings: Settings, case: Case, survey_id: str, actor: str) -> None:
    """Offers the survey again through the invitations feature (which applies governance) and
    records the invitation, or the reason it was refused."""
    assert case.contact_id is not None
    case.resurvey_survey_id = survey_id
    case.resurvey_invitation_id = case.resurvey_sent_at = case.resurvey_response_id = None
    channel = _channel(db, case)
    rule: str | None
    if channel is None:
        reason, rule = "the customer has no email address or phone number", "no_address"
    else:
        offer = invitations.offer(
            db,
            settings,
            case.workspace_id,
            invitations.OfferRequest(
                contact_id=case.contact_id,
                survey_id=survey_id,
                channel=channel,
                source=f"case:{case.id}",
            ),
        )
        if offer.allowed:
            case.resurvey_invitation_id = offer.invitation_id
            case.resurvey_sent_at = utcnow()
            case.resurvey_blocked_reason = None
            service.log(
                db,
                case,
                "resurvey_sent",
                actor,
                survey_id=survey_id,
                invitation_id=offer.invitation_id,
                channel=channel,
            )
            return
        reason, rule = str(offer.reason), offer.rule
    case.resurvey_blocked_reason = reason
    service.log(db, case, "resurvey_blocked", actor, survey_id=survey_id, rule=rule, reason=reason)


def change_status(
    db: Session, settings: Settings, workspace_id: str, case_id: str, move: Transition, actor: str
) -> Case:
    """A transition; closing with `resurvey` also offers the customer the survey again."""
    if move.resurvey and move.to != "closed":
        raise Invalid("resurvey: a re-survey is sent when the case is closed")
    survey_id = None
    if move.resurvey:
        survey_id = _resurvey_survey(
            db, service.get_case(db, workspace_id, case_id), move.resurvey_survey_id
        )
    case = service.transition(db, workspace_id, case_id, move, actor)
    if survey_id is not None:
        offer_resurvey(db, settings, case, survey_id, actor)
        db.flush()
    return case


def _link(db: Session, case: Case, response_id: str) -> bool:
    if not repo.set_resurvey_response(db, case.id, response_id):
        return False
    score = repo.nps_of_response(db, case.workspace_id, response_id)
    service.log(db, case, "resurvey_answered", "system", response_id=response_id, nps=score)
    return True


def link_resurvey_responses(db: Session, now: datetime, limit: int = 500) -> int:
    """Links each waiting re-survey to the contact's first answer to it (the periodic check)."""
    linked = 0
    for case in repo.pending_resurveys(db, now - LINK_WINDOW, limit):
        assert case.contact_id and case.resurvey_survey_id and case.resurvey_sent_at
        found = repo.first_response_after(
            db, case.workspace_id, case.contact_id, case.resurvey_survey_id, case.resurvey_sent_at
        )
        if found is not None and _link(db, case, found):
            linked += 1
    db.flush()
    return linked


def link_response(db: Session, workspace_id: str, response_id: str) -> list[str]:
    """For a new response (e.g. from the response.submitted hook): the ids of the cases whose
    re-survey it answers, now linked to it."""
    try:
        response = responses.get_response(db, workspace_id, response_id)
    except NotFound:
        return []
    if response.contact_id is None:
        return []
    cases = repo.pending_resurveys_of(
        db, workspace_id, response.contact_id, response.survey_id, response.submitted_at
    )
    linked = [c.id for c in cases if _link(db, c, response_id)]
    db.flush()
    return linked


def response_score(db: Session, workspace_id: str, response_id: str) -> float | None:
    """The NPS answer (0-10) of a response, None when it has none."""
    return repo.nps_of_response(db, workspace_id, response_id)

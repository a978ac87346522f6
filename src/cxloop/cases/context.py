"""The case view: the case with its log and notes, and what we know about the customer."""

from __future__ import annotations

from sqlalchemy.orm import Session

from cxloop.cases import emails, service
from cxloop.cases import repository as repo
from cxloop.cases.schemas import CaseContext, CaseDetail, CaseEventRead, CaseNoteRead
from cxloop.comments import service as comments
from cxloop.core.errors import NotFound
from cxloop.interactions import service as interactions
from cxloop.interactions.schemas import TimelineItem
from cxloop.jobs import service as jobs
from cxloop.responses import service as responses

LAST = 20


def _context(db: Session, workspace_id: str, case_id: str) -> CaseContext:
    case = service.get_case(db, workspace_id, case_id)
    found = CaseContext()
    if case.response_id is not None:
        try:
            found.response = responses.get_response(db, workspace_id, case.response_id)
        except NotFound:  # deleted since
            found.response = None
        ids = repo.comment_ids_of_response(db, workspace_id, case.response_id)
        if case.comment_id is not None and case.comment_id not in ids:
            ids.append(case.comment_id)
        for comment_id in ids:
            try:
                found.comments.append(comments.get_comment(db, workspace_id, comment_id))
            except NotFound:
                continue
    if case.contact_id is not None:
        earlier, _ = responses.list_responses(
            db, workspace_id, {"contact_id": case.contact_id}, LAST + 1, 0
        )
        found.earlier_responses = [r for r in earlier if r.id != case.response_id][:LAST]
        found.interactions = [
            TimelineItem.model_validate(entry)
            for entry in interactions.timeline(db, workspace_id, case.contact_id, LAST)
        ]
        before = repo.cases_of_contact(db, workspace_id, case.contact_id, case.opened_at)
        found.earlier_cases = service.read(db, [c for c in before if c.id != case.id])
    return found


def _delivered(
    db: Session, workspace_id: str, note: CaseNoteRead, log: dict[int, tuple[str, str]]
) -> CaseNoteRead:
    """A queued message as its email's delivery log tells (sent, failed with why, retrying);
    without that log, as its email job tells."""
    if note.status != "queued" or note.delivery_job_id is None:
        return note
    if note.delivery_job_id in log:
        status, error = log[note.delivery_job_id]
        if status in ("sent", "failed"):
            return note.model_copy(update={"status": status, "delivery_error": error or None})
        return note.model_copy(update={"delivery_error": error or None})
    try:
        job = jobs.get_job(db, workspace_id, note.delivery_job_id)
    except NotFound:
        return note
    if job.status == "failed":
        return note.model_copy(update={"status": "failed", "delivery_error": job.last_error})
    return note


def case_detail(db: Session, workspace_id: str, case_id: str) -> CaseDetail:
    case = service.get_case(db, workspace_id, case_id)
    (read,) = service.read(db, [case])
    log = emails.delivery_states(db, workspace_id, f"case:{case.id}")
    return CaseDetail(
        **read.model_dump(),
        events=[CaseEventRead.model_validate(e) for e in repo.events_of(db, case.id)],
        notes=[
            _delivered(db, workspace_id, CaseNoteRead.model_validate(n), log)
            for n in repo.notes_of(db, case.id)
        ],
        context=_context(db, workspace_id, case_id),
    )

"""The public page's steps between pages: saving a page, finishing, invitations, timing.

Kept apart from the routes in ``public.py`` so each stays small.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import Request
from pydantic import JsonValue
from sqlalchemy.orm import Session

from cxloop.core.errors import CxError, NotFound
from cxloop.invitations import service as invitations
from cxloop.responses import progress as partials
from cxloop.responses import service as responses
from cxloop.responses.models import ResponseProgress
from cxloop.responses.schemas import ResponseCreate
from cxloop.responses.scoring import check_answers
from cxloop.surveys.definitions import AnswerableSurvey
from cxloop.surveys.models import Question
from cxloop.surveys.public_view import translate_errors

log = logging.getLogger(__name__)
Start = partials.Start
HIDDEN_PREFIX = "h."
_START_MAX_AGE = 7 * 86400


def contact_language(db: Session, workspace_id: str, contact_id: str | None) -> str | None:
    if not contact_id:
        return None
    from cxloop.contacts import service as contacts

    try:
        return contacts.get_contact(db, workspace_id, contact_id).language
    except NotFound:
        return None


def invitation_of(params: Mapping[str, Any]) -> str | None:
    """The invitation token a link carried (``inv`` or ``token``), if plausible."""
    for name in ("inv", "token"):
        value = params.get(name)
        if isinstance(value, str) and 0 < len(value) <= 500:
            return value
    return None


def hidden_of(params: Mapping[str, Any]) -> dict[str, JsonValue]:
    """Hidden fields a link carried as ``h.<name>=value`` (e.g. ``h.store=12``)."""
    found: dict[str, JsonValue] = {}
    for name, value in params.items():
        if name.startswith(HIDDEN_PREFIX) and isinstance(value, str) and len(found) < 20:
            key = name[len(HIDDEN_PREFIX) :][:64]
            if key:
                found[key] = value[:500]
    return found


def page_url(
    token: str,
    sid: str,
    page: int,
    language: str,
    invitation: str | None,
    hidden: Mapping[str, JsonValue] | None = None,
) -> str:
    params: dict[str, str] = {"sid": sid, "page": str(page), "lang": language}
    if invitation:
        params["inv"] = invitation
    params.update({HIDDEN_PREFIX + k: str(v) for k, v in (hidden or {}).items()})
    return f"/s/{quote(token)}?{urlencode(params)}"


def switch_params(sid: str | None, page: int, state: Any) -> str:
    """Query string the language switcher keeps (so switching never loses the place)."""
    params: dict[str, str] = {}
    if sid:
        params.update({"sid": sid, "page": str(page)})
    if getattr(state, "invitation", None):
        params["inv"] = state.invitation
    return ("&" + urlencode(params)) if params else ""


def sign_start(request: Request) -> str:
    """A signed 'form opened at' time, so the completion time cannot be forged."""
    signer = request.app.state.link_signer
    return str(signer.sign({"f": "start", "t": datetime.now(UTC).isoformat()}))


def verify_start(request: Request, value: str) -> datetime | None:
    if not value:
        return None
    try:
        payload = request.app.state.link_signer.verify(value, _START_MAX_AGE)
        if payload.get("f") != "start":
            return None
        return datetime.fromisoformat(payload["t"])
    except (CxError, KeyError, ValueError):
        return None


def find_progress(
    db: Session, survey: AnswerableSurvey, sid: str | None, contact_id: str | None
) -> ResponseProgress | None:
    """The partial response to continue: by submission id, else the contact's open one."""
    found = partials.find(db, survey, sid)
    if found is None and contact_id:
        found = partials.resume(db, survey, contact_id)
    if found is None or found.status != partials.IN_PROGRESS:
        return None
    return found


def page_errors(
    survey: AnswerableSurvey,
    questions: Sequence[Question],
    answers: dict[str, JsonValue],
    words: Mapping[str, str],
) -> dict[str, str]:
    """Problems of one page's answers, per question, in the respondent's language."""
    specs = tuple(survey.version.by_key[q.key] for q in questions if q.key in survey.version.by_key)
    _, errors = check_answers(specs, {s.key: s for s in specs}, answers)
    errors = [e for e in errors if e["field"] != "answers"]  # an all-optional page may be empty
    per_question, _ = translate_errors(errors, questions, words)
    return per_question


def save_page(
    db: Session,
    survey: AnswerableSurvey,
    sid: str,
    questions: Sequence[Question],
    answers: dict[str, JsonValue],
    number: int,
    language: str,
    start: Start,
) -> None:
    """Stores the page durably (committed) before the next page is shown."""
    keys = [q.key for q in questions]
    _, created = partials.save_page(
        db,
        survey,
        sid,
        page_keys=keys,
        answers=dict(answers),
        next_page=number + 1,
        language=language,
        start=start,
    )
    db.commit()
    if created:
        track(db, survey.workspace_id, start.invitation_token, "started")


def all_answers(
    db: Session,
    survey: AnswerableSurvey,
    sid: str,
    last_page: Sequence[Question],
    page_answers: dict[str, JsonValue],
) -> tuple[dict[str, JsonValue], datetime | None]:
    """The saved answers of earlier pages and the last page's, and when the respondent began."""
    saved = partials.find(db, survey, sid)
    if saved is None:
        return dict(page_answers), None
    keys = {q.key for q in last_page}
    kept = {k: v for k, v in dict(saved.answers or {}).items() if k not in keys}
    started = saved.created_at
    if started.tzinfo is None:
        started = started.replace(tzinfo=UTC)
    return {**kept, **page_answers}, started


def store(
    db: Session,
    survey: AnswerableSurvey,
    data: ResponseCreate,
    sid: str,
    start: Start,
    *,
    single: bool,
) -> None:
    """Stores the response and completes its partial, in one commit; then tracks the
    invitation. A personal link whose contact was deleted still counts, anonymously."""
    try:
        stored = responses.submit_prepared_survey(db, survey, data, source="link")
    except NotFound:
        if data.contact is None:
            raise
        db.rollback()
        data = data.model_copy(update={"contact": None})
        stored = responses.submit_prepared_survey(db, survey, data, source="link")
    saved = partials.find(db, survey, sid)
    if saved is not None:
        partials.complete(db, saved, stored.id)
    db.commit()
    if stored.duplicate:
        return
    if single:
        track(db, survey.workspace_id, start.invitation_token, "started", stored.id)
    track(db, survey.workspace_id, start.invitation_token, "completed", stored.id)


def record_bot(
    db: Session, survey: AnswerableSurvey, sid: str, language: str, answers: dict[str, JsonValue]
) -> None:
    try:
        partials.block(db, survey, sid, language, dict(answers))
        db.commit()
    except Exception:  # a bot never gets an error page, nor breaks anything
        db.rollback()
        log.warning("could not record a honeypot submission", exc_info=True)


def first_page_with(pages: Sequence[Sequence[Question]], errors: Mapping[str, str]) -> int | None:
    for number, page in enumerate(pages, start=1):
        if any(q.key in errors for q in page):
            return number
    return None


def track(
    db: Session,
    workspace_id: str,
    invitation: str | None,
    stage: str,
    response_id: str | None = None,
) -> None:
    """Tells the invitations feature how far the respondent got.

    Runs after the response is committed, so a failure here never loses an answer.
    """
    if not invitation:
        return
    try:
        invitations.track(db, workspace_id, invitation, stage, response_id)
        db.commit()
    except Exception:
        db.rollback()
        log.warning("invitation tracking failed (%s)", stage, exc_info=True)

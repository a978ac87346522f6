"""Partial responses of the public page, saved page by page. Flushes, never commits.

An in-progress response keeps its answers as JSON on a ``response_progress`` row, keyed by the
form's submission id. Metrics read only stored responses, so they count completed responses;
the last page stores the real response (with the same submission id as its idempotency key)
and marks the progress row completed. Abandoned ones stay ``in_progress`` and are listed by
``GET /api/v1/responses/partial`` and counted on the survey page.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cxloop.core.database import utcnow
from cxloop.responses import quality
from cxloop.responses import repository as repo
from cxloop.responses.models import ResponseProgress
from cxloop.surveys.definitions import AnswerableSurvey

IN_PROGRESS = "in_progress"
COMPLETED = "completed"
BLOCKED = "blocked"


@dataclass(frozen=True)
class Start:
    """Who is answering: what the link says and the invitation token it carried."""

    contact_id: str | None = None
    invitation_token: str | None = None


def find(db: Session, survey: AnswerableSurvey, key: str | None) -> ResponseProgress | None:
    """The progress of this submission id, if it belongs to this survey."""
    if not key:
        return None
    found = repo.progress(db, survey.workspace_id, key)
    return found if found is not None and found.survey_id == survey.id else None


def resume(db: Session, survey: AnswerableSurvey, contact_id: str) -> ResponseProgress | None:
    """The contact's unfinished response to this survey (a personal link opened again)."""
    found = repo.open_progress_of_contact(db, survey.workspace_id, survey.id, contact_id)
    return found if found is not None and found.version_id == survey.version.id else None


def save_page(
    db: Session,
    survey: AnswerableSurvey,
    key: str,
    *,
    page_keys: Iterable[str],
    answers: dict[str, Any],
    next_page: int,
    language: str,
    start: Start,
) -> tuple[ResponseProgress, bool]:
    """Merges one page's answers into the progress (made on the first page).

    Returns the progress and whether it was just created (the respondent started).
    """
    progress = find(db, survey, key)
    created = progress is None
    if progress is None:
        progress = ResponseProgress(
            workspace_id=survey.workspace_id,
            survey_id=survey.id,
            version_id=survey.version.id,
            contact_id=start.contact_id,
            submission_key=key,
            status=IN_PROGRESS,
            language=language,
            answers={},
            invitation_token=start.invitation_token,
        )
        db.add(progress)
    kept = {k: v for k, v in dict(progress.answers or {}).items() if k not in set(page_keys)}
    progress.answers = {**kept, **answers}
    progress.page = max(progress.page or 1, next_page) if progress.status == IN_PROGRESS else 1
    progress.language = language
    progress.updated_at = utcnow()
    try:
        db.flush()
    except IntegrityError:  # a double click made it at the same moment: update that one
        db.rollback()
        return save_page(
            db,
            survey,
            key,
            page_keys=page_keys,
            answers=answers,
            next_page=next_page,
            language=language,
            start=start,
        )
    return progress, created


def complete(db: Session, progress: ResponseProgress, response_id: str) -> None:
    progress.status = COMPLETED
    progress.response_id = response_id
    progress.updated_at = utcnow()
    db.flush()


def block(
    db: Session, survey: AnswerableSurvey, key: str, language: str, answers: dict[str, Any]
) -> None:
    """Keeps a bot's submission (honeypot filled) apart from responses, to be counted."""
    if find(db, survey, key) is not None:
        progress = find(db, survey, key)
        assert progress is not None
        progress.status = BLOCKED
        progress.flags = quality.HONEYPOT
    else:
        db.add(
            ResponseProgress(
                workspace_id=survey.workspace_id,
                survey_id=survey.id,
                version_id=survey.version.id,
                submission_key=key,
                status=BLOCKED,
                language=language,
                answers=answers,
                flags=quality.HONEYPOT,
            )
        )
    db.flush()


class PartialRead(BaseModel):
    id: str
    survey_id: str
    version_id: str
    contact_id: str | None
    status: str
    language: str
    page: int
    answers: dict[str, Any]
    flags: list[str]
    response_id: str | None
    started_at: datetime
    updated_at: datetime


def to_read(p: ResponseProgress) -> PartialRead:
    return PartialRead(
        id=p.id,
        survey_id=p.survey_id,
        version_id=p.version_id,
        contact_id=p.contact_id,
        status=p.status,
        language=p.language,
        page=p.page,
        answers=dict(p.answers or {}),
        flags=quality.split(p.flags),
        response_id=p.response_id,
        started_at=p.created_at,
        updated_at=p.updated_at,
    )


def list_partial(
    db: Session,
    workspace_id: str,
    survey_id: str | None,
    status: str | None,
    limit: int,
    offset: int,
) -> tuple[list[PartialRead], int]:
    rows, total = repo.progress_list(db, workspace_id, survey_id, status, limit, offset)
    return [to_read(p) for p in rows], total


@dataclass(frozen=True)
class Funnel:
    """A survey's public-page funnel and quality counts."""

    started: int
    in_progress: int
    completed: int
    blocked: int
    flagged: int


def funnel(db: Session, workspace_id: str, survey_id: str) -> Funnel:
    counts = repo.progress_counts(db, workspace_id, survey_id)
    return Funnel(
        started=counts.get(IN_PROGRESS, 0) + counts.get(COMPLETED, 0),
        in_progress=counts.get(IN_PROGRESS, 0),
        completed=counts.get(COMPLETED, 0),
        blocked=counts.get(BLOCKED, 0),
        flagged=repo.flagged_count(db, workspace_id, survey_id),
    )

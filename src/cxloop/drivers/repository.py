"""Rating answers of one survey, one row per answer, for the driver matrix."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from cxloop.responses.models import Answer
from cxloop.surveys.models import Question

NUMERIC_KINDS = ("nps", "csat", "ces", "rating")


def numeric_answers(
    db: Session,
    workspace_id: str,
    survey_id: str,
    keys: list[str],
    since: datetime | None,
    until: datetime | None,
) -> list[tuple[str, str, float]]:
    """(response id, question key, value) of the given questions' answers."""
    stmt = (
        select(Answer.response_id, Question.key, Answer.value_number)
        .join(Question, Question.id == Answer.question_id)
        .where(
            Answer.workspace_id == workspace_id,
            Answer.survey_id == survey_id,
            Answer.kind.in_(NUMERIC_KINDS),
            Answer.value_number.is_not(None),
            Question.key.in_(keys),
        )
    )
    if since is not None:
        stmt = stmt.where(Answer.submitted_at >= since)
    if until is not None:
        stmt = stmt.where(Answer.submitted_at < until)
    return [(r, k, float(v)) for r, k, v in db.execute(stmt) if v is not None]

"""Every query of the responses feature. Writes use Core executemany for speed."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, func, insert, select
from sqlalchemy.orm import Session

from cxloop.interactions.models import Interaction
from cxloop.responses.models import Answer, Response
from cxloop.surveys.models import Question

_RESPONSES = cast(Table, Response.__table__)
_ANSWERS = cast(Table, Answer.__table__)
_INTERACTIONS = cast(Table, Interaction.__table__)


def insert_rows(
    db: Session,
    responses: list[dict[str, Any]],
    answers: list[dict[str, Any]],
    interactions: list[dict[str, Any]],
) -> None:
    """Core executemany on the tables (complete rows, one statement per table).

    Table inserts, unlike the ORM bulk path, do not split rows into groups by which
    columns are null, so each table takes a single executemany.
    """
    if responses:
        db.execute(insert(_RESPONSES), responses)
    if answers:
        db.execute(insert(_ANSWERS), answers)
    if interactions:
        db.execute(insert(_INTERACTIONS), interactions)


def existing_keys(db: Session, workspace_id: str, keys: Sequence[str]) -> dict[str, str]:
    """Idempotency keys already stored, mapped to their response ids."""
    found: dict[str, str] = {}
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        rows = db.execute(
            select(Response.idempotency_key, Response.id).where(
                Response.workspace_id == workspace_id, Response.idempotency_key.in_(chunk)
            )
        )
        found.update({str(k): str(i) for k, i in rows})
    return found


def response(db: Session, workspace_id: str, response_id: str) -> Response | None:
    return db.scalar(
        select(Response).where(Response.id == response_id, Response.workspace_id == workspace_id)
    )


def responses(
    db: Session, workspace_id: str, filters: dict[str, Any], limit: int, offset: int
) -> tuple[Sequence[Response], int]:
    query = select(Response).where(Response.workspace_id == workspace_id)
    for column in ("survey_id", "touchpoint_id", "contact_id", "channel", "language", "source"):
        if filters.get(column):
            query = query.where(getattr(Response, column) == filters[column])
    since: datetime | None = filters.get("since")
    until: datetime | None = filters.get("until")
    if since:
        query = query.where(Response.submitted_at >= since)
    if until:
        query = query.where(Response.submitted_at < until)
    total = int(db.scalar(select(func.count()).select_from(query.subquery())) or 0)
    page = db.scalars(
        query.order_by(Response.submitted_at.desc(), Response.id).limit(limit).offset(offset)
    ).all()
    return page, total


def answers_of(db: Session, response_ids: Sequence[str]) -> Sequence[tuple[Answer, str]]:
    if not response_ids:
        return []
    rows = db.execute(
        select(Answer, Question.key)
        .join(Question, Question.id == Answer.question_id)
        .where(Answer.response_id.in_(response_ids))
        .order_by(Question.position)
    )
    return [(a, str(k)) for a, k in rows]

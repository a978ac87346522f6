"""Queries of the case follow-up: re-surveys waiting for their answer, and that answer."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from cxloop.cases.models import Case
from cxloop.responses.models import Answer, Response


def pending_resurveys(db: Session, since: datetime, limit: int) -> list[Case]:
    """Cases whose re-survey went out after `since` and has no answer linked yet."""
    return list(
        db.scalars(
            select(Case)
            .where(
                Case.resurvey_sent_at >= since,
                Case.resurvey_response_id.is_(None),
                Case.contact_id.is_not(None),
                Case.resurvey_survey_id.is_not(None),
            )
            .order_by(Case.resurvey_sent_at)
            .limit(limit)
        )
    )


def pending_resurveys_of(
    db: Session, workspace_id: str, contact_id: str, survey_id: str, before: datetime
) -> list[Case]:
    return list(
        db.scalars(
            select(Case).where(
                Case.workspace_id == workspace_id,
                Case.contact_id == contact_id,
                Case.resurvey_survey_id == survey_id,
                Case.resurvey_response_id.is_(None),
                Case.resurvey_sent_at <= before,
            )
        )
    )


def first_response_after(
    db: Session, workspace_id: str, contact_id: str, survey_id: str, after: datetime
) -> str | None:
    """The contact's first response to the survey submitted at or after `after`."""
    found: str | None = db.scalar(
        select(Response.id)
        .where(
            Response.workspace_id == workspace_id,
            Response.contact_id == contact_id,
            Response.survey_id == survey_id,
            Response.submitted_at >= after,
        )
        .order_by(Response.submitted_at, Response.id)
        .limit(1)
    )
    return found


def set_resurvey_response(db: Session, case_id: str, response_id: str) -> bool:
    """Links the answer once (False when another worker linked one first)."""
    result = db.execute(
        update(Case)
        .where(Case.id == case_id, Case.resurvey_response_id.is_(None))
        .values(resurvey_response_id=response_id)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


def nps_of_response(db: Session, workspace_id: str, response_id: str) -> float | None:
    value = db.scalar(
        select(Answer.value_number)
        .where(
            Answer.workspace_id == workspace_id,
            Answer.response_id == response_id,
            Answer.kind == "nps",
        )
        .limit(1)
    )
    return None if value is None else float(value)

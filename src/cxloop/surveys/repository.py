"""Every query of the surveys feature."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from cxloop.responses.models import Response
from cxloop.surveys.models import Question, Survey, SurveyVersion


def survey(db: Session, workspace_id: str, survey_id: str) -> Survey | None:
    return db.scalar(
        select(Survey).where(Survey.id == survey_id, Survey.workspace_id == workspace_id)
    )


def survey_by_token(db: Session, token: str) -> Survey | None:
    return db.scalar(select(Survey).where(Survey.public_token == token))


def survey_any_workspace(db: Session, survey_id: str) -> Survey | None:
    return db.get(Survey, survey_id)


def surveys(
    db: Session, workspace_id: str, *, touchpoint_id: str | None = None, status: str | None = None
) -> Sequence[Survey]:
    query = select(Survey).where(Survey.workspace_id == workspace_id)
    if touchpoint_id:
        query = query.where(Survey.touchpoint_id == touchpoint_id)
    if status:
        query = query.where(Survey.status == status)
    return db.scalars(query.order_by(Survey.created_at.desc())).all()


def version(db: Session, version_id: str) -> SurveyVersion | None:
    return db.get(SurveyVersion, version_id)


def versions(db: Session, survey_id: str) -> Sequence[SurveyVersion]:
    return db.scalars(
        select(SurveyVersion)
        .where(SurveyVersion.survey_id == survey_id)
        .order_by(SurveyVersion.number.desc())
    ).all()


def questions(db: Session, version_id: str) -> Sequence[Question]:
    return db.scalars(
        select(Question).where(Question.version_id == version_id).order_by(Question.position)
    ).all()


def delete_questions(db: Session, version_id: str) -> None:
    db.execute(delete(Question).where(Question.version_id == version_id))


def response_count(db: Session, survey_id: str, version_id: str | None = None) -> int:
    query = select(func.count()).select_from(Response).where(Response.survey_id == survey_id)
    if version_id:
        query = query.where(Response.version_id == version_id)
    return int(db.scalar(query) or 0)


def response_counts_by_survey(db: Session, workspace_id: str) -> dict[str, int]:
    rows = db.execute(
        select(Response.survey_id, func.count())
        .where(Response.workspace_id == workspace_id)
        .group_by(Response.survey_id)
    )
    return {survey_id: int(n) for survey_id, n in rows}


def version_numbers(db: Session, version_ids: Sequence[str]) -> dict[str, int]:
    if not version_ids:
        return {}
    rows = db.execute(
        select(SurveyVersion.id, SurveyVersion.number).where(SurveyVersion.id.in_(version_ids))
    )
    return {version_id: int(number) for version_id, number in rows}


def response_counts_by_version(db: Session, survey_id: str) -> dict[str, int]:
    rows = db.execute(
        select(Response.version_id, func.count())
        .where(Response.survey_id == survey_id)
        .group_by(Response.version_id)
    )
    return {version_id: int(n) for version_id, n in rows}

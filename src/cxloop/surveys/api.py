"""REST API of surveys: definitions, versions, publishing and personal links."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from cxloop.core.deps import ApiAdmin, ApiViewer, AppSettings, DbSession
from cxloop.surveys import service
from cxloop.surveys.models import SurveyStatus
from cxloop.surveys.schemas import SurveyCreate, SurveyRead, SurveyUpdate, SurveyVersionRead

router = APIRouter(tags=["surveys"])


class StatusChange(BaseModel):
    status: SurveyStatus


class PersonalLinkCreate(BaseModel):
    contact_id: str | None = Field(None, description="Contact the link belongs to.")
    language: str | None = None


class PersonalLink(BaseModel):
    url: str
    expires_in_days: int


@router.get("/surveys", response_model=list[SurveyRead])
def list_surveys(
    caller: ApiViewer,
    db: DbSession,
    settings: AppSettings,
    touchpoint_id: str | None = None,
    status: SurveyStatus | None = None,
) -> list[SurveyRead]:
    found = service.list_surveys(
        db,
        caller.workspace_id,
        touchpoint_id=touchpoint_id,
        status=status.value if status else None,
    )
    return [service.to_read(db, s, settings.base_url) for s in found]


@router.post("/surveys", response_model=SurveyRead, status_code=201)
def create_survey(
    body: SurveyCreate, caller: ApiAdmin, db: DbSession, settings: AppSettings
) -> SurveyRead:
    survey = service.create_survey(db, caller.workspace_id, body)
    db.commit()
    return service.to_read(db, survey, settings.base_url)


@router.get("/surveys/{survey_id}", response_model=SurveyRead)
def get_survey(
    survey_id: str, caller: ApiViewer, db: DbSession, settings: AppSettings
) -> SurveyRead:
    return service.to_read(
        db, service.get_survey(db, caller.workspace_id, survey_id), settings.base_url
    )


@router.put("/surveys/{survey_id}", response_model=SurveyRead)
def update_survey(
    survey_id: str, body: SurveyUpdate, caller: ApiAdmin, db: DbSession, settings: AppSettings
) -> SurveyRead:
    """Edits a draft in place; editing a live survey makes a new version."""
    survey = service.update_survey(db, caller.workspace_id, survey_id, body)
    db.commit()
    return service.to_read(db, survey, settings.base_url)


@router.post("/surveys/{survey_id}/status", response_model=SurveyRead)
def change_status(
    survey_id: str, body: StatusChange, caller: ApiAdmin, db: DbSession, settings: AppSettings
) -> SurveyRead:
    survey = service.set_status(db, caller.workspace_id, survey_id, body.status)
    db.commit()
    return service.to_read(db, survey, settings.base_url)


@router.get("/surveys/{survey_id}/versions", response_model=list[SurveyVersionRead])
def list_versions(survey_id: str, caller: ApiViewer, db: DbSession) -> list[SurveyVersionRead]:
    return [
        SurveyVersionRead(id=v.id, number=v.number, created_at=v.created_at, responses=n)
        for v, n in service.versions_with_counts(db, caller.workspace_id, survey_id)
    ]


@router.post("/surveys/{survey_id}/links", response_model=PersonalLink, status_code=201)
def personal_link(
    survey_id: str,
    body: PersonalLinkCreate,
    request: Request,
    caller: ApiAdmin,
    db: DbSession,
    settings: AppSettings,
) -> PersonalLink:
    """A signed, expiring link for one contact (answers are tied to that contact)."""
    token = service.personal_link_token(
        db,
        caller.workspace_id,
        survey_id,
        request.app.state.link_signer,
        contact_id=body.contact_id,
        language=body.language,
    )
    return PersonalLink(
        url=f"{settings.base_url.rstrip('/')}/s/{token}",
        expires_in_days=settings.survey_link_max_age_days,
    )

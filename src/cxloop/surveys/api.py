"""REST API of surveys: definitions, versions, publishing and personal links."""

from __future__ import annotations

import anyio.to_thread
from fastapi import APIRouter, Request, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile as StarletteUpload

from cxloop.core.deps import ApiAdmin, ApiViewer, AppSettings, DbSession
from cxloop.core.errors import Invalid, PayloadTooLarge
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


class TranslationImport(BaseModel):
    updated: dict[str, int] = Field(description="Texts written per language.")
    warnings: list[str] = Field(description="E.g. source texts changed since the export.")
    missing: dict[str, list[str]] = Field(description="Keys each language still lacks.")


MAX_TRANSLATION_BYTES = 2 * 1024 * 1024


def csv_download(survey_id: str, text: str) -> Response:
    """A UTF-8 CSV with a BOM, so spreadsheet apps open Thai or Arabic text correctly."""
    return Response(
        ("\ufeff" + text).encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="survey-{survey_id}-texts.csv"'},
    )


@router.get(
    "/surveys/{survey_id}/translations.csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}},
)
def export_translations(survey_id: str, caller: ApiViewer, db: DbSession) -> Response:
    """Every survey text: key, source (default language) text, one column per other language."""
    _, text = service.export_translations(db, caller.workspace_id, survey_id)
    return csv_download(survey_id, text)


_CSV_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "text/csv": {"schema": {"type": "string", "format": "binary"}},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {"file": {"type": "string", "format": "binary"}},
                    "required": ["file"],
                }
            },
        },
    }
}


@router.post(
    "/surveys/{survey_id}/translations.csv",
    response_model=TranslationImport,
    openapi_extra=_CSV_BODY,
)
async def import_translations(
    survey_id: str, request: Request, caller: ApiAdmin, db: DbSession
) -> TranslationImport:
    """Writes a translator's CSV (the request body, or a multipart field ``file``), all or
    nothing: a bad row or column stores nothing and the 422 names it. Empty cells keep the
    stored text."""
    data = await _csv_body(request)
    return await anyio.to_thread.run_sync(_import, db, caller.workspace_id, survey_id, data)


def _import(db: Session, workspace_id: str, survey_id: str, data: bytes) -> TranslationImport:
    result = service.import_translations(db, workspace_id, survey_id, data)
    missing = service.missing_translations(db, service.get_survey(db, workspace_id, survey_id))
    db.commit()
    return TranslationImport(updated=result.updated, warnings=result.warnings, missing=missing)


async def _csv_body(request: Request) -> bytes:
    if request.headers.get("content-type", "").startswith("multipart/form-data"):
        form = await request.form()
        upload = form.get("file")
        if not isinstance(upload, StarletteUpload):
            raise Invalid("file: send the CSV as the multipart field 'file'")
        data = await upload.read(MAX_TRANSLATION_BYTES + 1)
    else:
        data = await request.body()
    if len(data) > MAX_TRANSLATION_BYTES:
        raise PayloadTooLarge(f"file: at most {MAX_TRANSLATION_BYTES // 2**20} MB")
    return data


def read_upload(file: UploadFile) -> bytes:
    data = file.file.read(MAX_TRANSLATION_BYTES + 1)
    if len(data) > MAX_TRANSLATION_BYTES:
        raise PayloadTooLarge(f"file: at most {MAX_TRANSLATION_BYTES // 2**20} MB")
    return data

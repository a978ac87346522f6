"""Survey admin pages (list, new from a template, detail with versions and JSON editing).

Viewers read; admins create, edit, publish, close and make personal links. Every form
carries the CSRF token. The public answer pages live in ``public.py``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from cxloop.core.deps import AppSettings, DbSession, PageAdmin, PageViewer, Principal
from cxloop.core.errors import CxError, Invalid
from cxloop.core.security import Role, role_at_least
from cxloop.core.web import check_csrf, render
from cxloop.surveys import public, service
from cxloop.surveys.admin_view import definition_json, language_views, validation_errors
from cxloop.surveys.api import csv_download, read_upload
from cxloop.surveys.i18n import language_name
from cxloop.surveys.models import SurveyStatus
from cxloop.surveys.schemas import SurveyUpdate
from cxloop.surveys.survey_templates import TEMPLATE_LANGUAGES, TEMPLATES

router = APIRouter()
router.include_router(public.router)

Csrf = Annotated[str, Form()]
NOTICES = {
    "edited": "Saved. The draft was edited in place.",
    "live": "Published: the public link now accepts answers.",
    "closed": "Closed: the survey no longer accepts answers.",
}


def _touchpoints(db: Session, workspace_id: str) -> dict[str, str]:
    from cxloop.journeys import service as journeys

    return {
        t.id: f"{t.journey_name} / {t.stage_name} / {t.name} ({t.channel})"
        for t in journeys.list_touchpoints(db, workspace_id)
    }


def _can_edit(caller: Principal) -> bool:
    return role_at_least(caller.role, Role.admin)


def _list_page(
    request: Request,
    caller: Principal,
    db: Session,
    base_url: str,
    *,
    link: dict[str, str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    context = {
        "rows": service.summaries(db, caller.workspace_id),
        "touchpoints": _touchpoints(db, caller.workspace_id),
        "base_url": base_url.rstrip("/"),
        "can_edit": _can_edit(caller),
        "link": link or {},
        "language_name": language_name,
    }
    return render(request, "surveys/list.html", context, status_code=status)


@router.get("/app/surveys", response_class=HTMLResponse)
def survey_list(
    request: Request, caller: PageViewer, db: DbSession, settings: AppSettings
) -> Response:
    return _list_page(request, caller, db, settings.base_url)


@router.post("/app/surveys/{survey_id}/links", response_class=HTMLResponse)
def personal_link(
    survey_id: str,
    request: Request,
    caller: PageAdmin,
    db: DbSession,
    settings: AppSettings,
    csrf: Csrf = "",
    contact_id: Annotated[str, Form()] = "",
    language: Annotated[str, Form()] = "",
) -> Response:
    """Shows a signed link for one contact, ready to copy."""
    check_csrf(request, csrf)
    service.get_survey(db, caller.workspace_id, survey_id)
    link = {"survey_id": survey_id, "contact_id": contact_id.strip(), "language": language}
    try:
        token = service.personal_link_token(
            db,
            caller.workspace_id,
            survey_id,
            request.app.state.link_signer,
            contact_id=contact_id.strip() or None,
            language=language.strip() or None,
        )
    except CxError as exc:
        link["error"] = exc.message
        return _list_page(request, caller, db, settings.base_url, link=link, status=422)
    link["url"] = f"{settings.base_url.rstrip('/')}/s/{token}"
    link["days"] = str(settings.survey_link_max_age_days)
    return _list_page(request, caller, db, settings.base_url, link=link)


def _new_page(
    request: Request,
    db: Session,
    caller: Principal,
    values: dict[str, Any],
    errors: list[tuple[str, str]] | None = None,
) -> HTMLResponse:
    context = {
        "templates": list(TEMPLATES.values()),
        "touchpoints": _touchpoints(db, caller.workspace_id),
        "languages": [(code, language_name(code)) for code in TEMPLATE_LANGUAGES],
        "values": values,
        "errors": errors or [],
    }
    return render(request, "surveys/new.html", context, status_code=422 if errors else 200)


@router.get("/app/surveys/new", response_class=HTMLResponse)
def new_survey(request: Request, caller: PageAdmin, db: DbSession) -> Response:
    values = {"template": "nps", "default_language": "en", "languages": [], "name": ""}
    return _new_page(request, db, caller, values)


@router.post("/app/surveys/new", response_class=HTMLResponse)
def create_survey(
    request: Request,
    caller: PageAdmin,
    db: DbSession,
    csrf: Csrf = "",
    name: Annotated[str, Form()] = "",
    template: Annotated[str, Form()] = "",
    touchpoint_id: Annotated[str, Form()] = "",
    default_language: Annotated[str, Form()] = "en",
    languages: Annotated[list[str] | None, Form()] = None,
    publish: Annotated[bool, Form()] = False,
) -> Response:
    check_csrf(request, csrf)
    values = {
        "name": name,
        "template": template,
        "touchpoint_id": touchpoint_id,
        "default_language": default_language,
        "languages": languages or [],
        "publish": publish,
    }
    starter = TEMPLATES.get(template)
    if starter is None:
        choices = ", ".join(TEMPLATES)
        return _new_page(request, db, caller, values, [("template", f"choose one of {choices}")])
    try:
        data = starter.create(
            name.strip(),
            default_language=default_language,
            languages=languages or [],
            touchpoint_id=touchpoint_id or None,
            publish=publish,
        )
        survey = service.create_survey(db, caller.workspace_id, data)
    except ValidationError as exc:
        return _new_page(request, db, caller, values, validation_errors(exc, "survey"))
    except CxError as exc:
        db.rollback()
        return _new_page(request, db, caller, values, [("survey", exc.message)])
    db.commit()
    return RedirectResponse(f"/app/surveys/{survey.id}?notice=created", status_code=303)


def _detail_page(
    request: Request,
    caller: Principal,
    db: Session,
    base_url: str,
    survey_id: str,
    *,
    definition: str | None = None,
    errors: list[tuple[str, str]] | None = None,
    notice: str | None = None,
    warnings: list[str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    survey = service.get_survey(db, caller.workspace_id, survey_id)
    read = service.to_read(db, survey, base_url)
    from cxloop.responses import progress

    language_names = {code: language_name(code) for code in read.languages}
    touchpoints = _touchpoints(db, caller.workspace_id)
    context = {
        "survey": read,
        "touchpoint": touchpoints.get(read.touchpoint_id or "", ""),
        "languages": language_views(read),
        "versions": service.versions_with_counts(db, caller.workspace_id, survey_id),
        "definition": definition if definition is not None else definition_json(read),
        "errors": errors or [],
        "notice": notice,
        "can_edit": _can_edit(caller),
        "missing": service.missing_translations(db, survey),
        "language_names": language_names,
        "warnings": warnings or [],
        "funnel": progress.funnel(db, caller.workspace_id, survey.id),
    }
    return render(request, "surveys/detail.html", context, status_code=status)


@router.get("/app/surveys/{survey_id}/translations.csv")
def download_translations(survey_id: str, caller: PageViewer, db: DbSession) -> Response:
    _, text = service.export_translations(db, caller.workspace_id, survey_id)
    return csv_download(survey_id, text)


@router.post("/app/surveys/{survey_id}/translations", response_class=HTMLResponse)
def upload_translations(
    survey_id: str,
    request: Request,
    caller: PageAdmin,
    db: DbSession,
    settings: AppSettings,
    file: Annotated[UploadFile | None, File()] = None,
    csrf: Csrf = "",
) -> Response:
    """Imports a translator's CSV (all or nothing) and shows what changed."""
    check_csrf(request, csrf)
    service.get_survey(db, caller.workspace_id, survey_id)
    base = settings.base_url
    try:
        if file is None:
            raise Invalid("file: choose the translated CSV file to upload")
        result = service.import_translations(db, caller.workspace_id, survey_id, read_upload(file))
    except CxError as exc:
        db.rollback()
        errors = [("translations", exc.message)]
        return _detail_page(
            request, caller, db, base, survey_id, errors=errors, status=exc.status_code
        )
    db.commit()
    counts = ", ".join(f"{language_name(k)}: {n}" for k, n in result.updated.items())
    notice = f"Translations imported ({counts or 'no texts changed'})."
    return _detail_page(
        request, caller, db, base, survey_id, notice=notice, warnings=result.warnings
    )


@router.get("/app/surveys/{survey_id}", response_class=HTMLResponse)
def survey_detail(
    survey_id: str,
    request: Request,
    caller: PageViewer,
    db: DbSession,
    settings: AppSettings,
    notice: str | None = None,
) -> Response:
    message = NOTICES.get(notice or "")
    if notice == "created":
        message = "Survey created. Check the texts, then publish it."
    elif notice and notice.startswith("version-"):
        number = notice.removeprefix("version-")
        message = f"Saved as version {number}; earlier responses keep their version."
    return _detail_page(request, caller, db, settings.base_url, survey_id, notice=message)


@router.post("/app/surveys/{survey_id}/status", response_class=HTMLResponse)
def change_status(
    survey_id: str,
    request: Request,
    caller: PageAdmin,
    db: DbSession,
    settings: AppSettings,
    csrf: Csrf = "",
    status: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(request, csrf)
    service.get_survey(db, caller.workspace_id, survey_id)
    try:
        if status not in {s.value for s in SurveyStatus}:
            raise Invalid(f"status: '{status}' is not one of draft, live, closed")
        service.set_status(db, caller.workspace_id, survey_id, SurveyStatus(status))
    except CxError as exc:
        db.rollback()
        errors = [("status", exc.message)]
        base = settings.base_url
        return _detail_page(
            request, caller, db, base, survey_id, errors=errors, status=exc.status_code
        )
    db.commit()
    return RedirectResponse(f"/app/surveys/{survey_id}?notice={status}", status_code=303)


@router.post("/app/surveys/{survey_id}/edit", response_class=HTMLResponse)
def edit_definition(
    survey_id: str,
    request: Request,
    caller: PageAdmin,
    db: DbSession,
    settings: AppSettings,
    csrf: Csrf = "",
    definition: Annotated[str, Form()] = "",
) -> Response:
    """Replaces the definition: a draft in place, a live or closed survey as a new version."""
    check_csrf(request, csrf)
    before = service.get_survey(db, caller.workspace_id, survey_id).current_version_id
    try:
        data = SurveyUpdate.model_validate_json(definition)
        survey = service.update_survey(db, caller.workspace_id, survey_id, data)
    except ValidationError as exc:
        errors = validation_errors(exc)
    except CxError as exc:
        db.rollback()
        errors = [(_field_of(exc.message), exc.message)]
    else:
        after = survey.current_version_id
        number = service.to_read(db, survey, settings.base_url).version
        db.commit()
        notice = "edited" if after == before else f"version-{number}"
        return RedirectResponse(f"/app/surveys/{survey_id}?notice={notice}", status_code=303)
    return _detail_page(
        request,
        caller,
        db,
        settings.base_url,
        survey_id,
        definition=definition,
        errors=errors,
        status=422,
    )


def _field_of(message: str) -> str:
    head = message.split(":", 1)[0]
    return head if ":" in message and " " not in head else "definition"

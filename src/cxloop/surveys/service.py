"""Survey definitions: create, edit (versioned), publish, close, read. Flushes, never commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from cxloop.core.database import utcnow
from cxloop.core.errors import Conflict, Gone, Invalid, NotFound
from cxloop.core.security import LinkSigner, new_public_token
from cxloop.surveys import repository as repo
from cxloop.surveys import translations
from cxloop.surveys.definitions import (
    AnswerableSurvey,
    VersionSpec,
    cached_version,
    forget_version,
    remember_version,
)
from cxloop.surveys.models import Question, Survey, SurveyStatus, SurveyVersion
from cxloop.surveys.schemas import (
    QuestionRead,
    SurveyCreate,
    SurveyDefinition,
    SurveyRead,
    SurveyText,
    SurveyUpdate,
    normalise_language,
)


def _check_touchpoint(db: Session, workspace_id: str, touchpoint_id: str | None) -> None:
    if touchpoint_id is None:
        return
    from cxloop.journeys import service as journeys

    journeys.get_touchpoint(db, workspace_id, touchpoint_id)


def _write_version(db: Session, version: SurveyVersion, definition: SurveyDefinition) -> None:
    version.texts = {lang: t.model_dump() for lang, t in definition.texts.items()}
    for position, q in enumerate(definition.questions):
        db.add(
            Question(
                workspace_id=version.workspace_id,
                version_id=version.id,
                key=q.key,
                position=position,
                kind=q.kind.value,
                required=q.required,
                scale_min=q.scale_min,
                scale_max=q.scale_max,
                direction=q.direction,
                top_box=q.top_box,
                page_break=q.page_break and position > 0,
                options=[o.model_dump() for o in q.options],
                texts={lang: t.model_dump() for lang, t in q.texts.items()},
            )
        )
    db.flush()


def create_survey(db: Session, workspace_id: str, data: SurveyCreate) -> Survey:
    _check_touchpoint(db, workspace_id, data.touchpoint_id)
    survey = Survey(
        workspace_id=workspace_id,
        touchpoint_id=data.touchpoint_id,
        name=data.name,
        status=SurveyStatus.live if data.publish else SurveyStatus.draft,
        default_language=data.default_language,
        languages=data.languages,
        public_token=new_public_token(),
        closes_at=data.closes_at,
    )
    db.add(survey)
    db.flush()
    version = SurveyVersion(workspace_id=workspace_id, survey_id=survey.id, number=1)
    db.add(version)
    db.flush()
    _write_version(db, version, data)
    survey.current_version_id = version.id
    db.flush()
    if survey.status == SurveyStatus.live:
        _check_publishable(db, survey)
    return survey


def get_survey(db: Session, workspace_id: str, survey_id: str) -> Survey:
    survey = repo.survey(db, workspace_id, survey_id)
    if survey is None:
        raise NotFound(f"survey '{survey_id}' does not exist")
    return survey


def list_surveys(
    db: Session, workspace_id: str, *, touchpoint_id: str | None = None, status: str | None = None
) -> list[Survey]:
    return list(repo.surveys(db, workspace_id, touchpoint_id=touchpoint_id, status=status))


def update_survey(db: Session, workspace_id: str, survey_id: str, data: SurveyUpdate) -> Survey:
    """A draft without responses is edited in place; otherwise a new version is made.

    Responses keep pointing at the version they answered.
    """
    survey = get_survey(db, workspace_id, survey_id)
    _check_touchpoint(db, workspace_id, data.touchpoint_id)
    current = _current_version(db, survey)
    if survey.status == SurveyStatus.draft and repo.response_count(db, survey.id) == 0:
        repo.delete_questions(db, current.id)
        db.flush()
        forget_version(current.id)
        _write_version(db, current, data)
    else:
        version = SurveyVersion(
            workspace_id=workspace_id, survey_id=survey.id, number=current.number + 1
        )
        db.add(version)
        db.flush()
        _write_version(db, version, data)
        survey.current_version_id = version.id
    survey.name = data.name or survey.name
    survey.touchpoint_id = data.touchpoint_id or survey.touchpoint_id
    survey.default_language = data.default_language
    survey.languages = data.languages
    survey.closes_at = data.closes_at
    db.flush()
    if survey.status != SurveyStatus.draft:
        _check_publishable(db, survey)
    return survey


def set_status(db: Session, workspace_id: str, survey_id: str, status: SurveyStatus) -> Survey:
    survey = get_survey(db, workspace_id, survey_id)
    if status == SurveyStatus.draft and survey.status != SurveyStatus.draft:
        raise Conflict("status: a published survey cannot go back to draft; close it instead")
    if status == SurveyStatus.live:
        _check_publishable(db, survey)
    survey.status = status
    db.flush()
    return survey


def _check_publishable(db: Session, survey: Survey) -> None:
    """Raises a 422 listing, per declared language, the keys of the texts it lacks."""
    missing = missing_translations(db, survey)
    if missing:
        raise translations.missing_message(missing)


def missing_translations(db: Session, survey: Survey) -> dict[str, list[str]]:
    version = _current_version(db, survey)
    return translations.missing_by_language(survey, version, repo.questions(db, version.id))


def export_translations(db: Session, workspace_id: str, survey_id: str) -> tuple[Survey, str]:
    survey = get_survey(db, workspace_id, survey_id)
    version = _current_version(db, survey)
    return survey, translations.export_csv(survey, version, repo.questions(db, version.id))


def import_translations(
    db: Session, workspace_id: str, survey_id: str, data: bytes
) -> translations.ImportResult:
    """Writes a translator's CSV into the current version's texts (all or nothing).

    Only texts change, never questions or answers, so a live version is updated in place.
    """
    survey = get_survey(db, workspace_id, survey_id)
    version = _current_version(db, survey)
    result = translations.import_csv(survey, version, repo.questions(db, version.id), data)
    db.flush()
    return result


def _current_version(db: Session, survey: Survey) -> SurveyVersion:
    version = repo.version(db, survey.current_version_id or "")
    if version is None:  # pragma: no cover - every survey is created with a version
        raise NotFound(f"survey '{survey.id}' has no version")
    return version


def version_spec(db: Session, version_id: str) -> VersionSpec:
    spec = cached_version(version_id)
    if spec is None:
        version = repo.version(db, version_id)
        if version is None:
            raise NotFound(f"survey version '{version_id}' does not exist")
        spec = VersionSpec.of(version, list(repo.questions(db, version_id)))
        remember_version(spec)
    return spec


def _answerable(db: Session, survey: Survey, now: datetime | None) -> AnswerableSurvey:
    if survey.status == SurveyStatus.draft:
        raise Conflict(f"survey '{survey.id}' is a draft; publish it before collecting responses")
    if survey.status == SurveyStatus.closed:
        raise Gone("this survey is closed and no longer accepts responses")
    if survey.closes_at is not None and (now or utcnow()) > survey.closes_at:
        raise Gone("this survey has expired and no longer accepts responses")
    return AnswerableSurvey.of(survey, version_spec(db, survey.current_version_id or ""))


def answerable(db: Session, workspace_id: str, survey_id: str) -> AnswerableSurvey:
    """The live survey with its current version, or a clear error why it cannot be answered."""
    return _answerable(db, get_survey(db, workspace_id, survey_id), None)


def answerable_by_token(db: Session, token: str) -> AnswerableSurvey:
    return _answerable(db, survey_by_token(db, token), None)


def survey_by_token(db: Session, token: str) -> Survey:
    """The survey of a public token (any workspace: the unguessable token proves it)."""
    survey = repo.survey_by_token(db, token) if 0 < len(token) <= 64 else None
    if survey is None:
        raise NotFound("this survey link is not valid")
    return survey


def survey_for_link(db: Session, survey_id: str) -> Survey:
    """A survey found from a verified signed link (any workspace: the signature proves it)."""
    survey = repo.survey_any_workspace(db, survey_id)
    if survey is None:
        raise NotFound("this survey link is not valid")
    return survey


def answerable_survey(db: Session, survey: Survey) -> AnswerableSurvey:
    return _answerable(db, survey, None)


def personal_link_token(
    db: Session,
    workspace_id: str,
    survey_id: str,
    signer: LinkSigner,
    *,
    contact_id: str | None = None,
    language: str | None = None,
) -> str:
    """A signed token for ``/s/<token>`` tying answers to one contact (and a language)."""
    survey = get_survey(db, workspace_id, survey_id)
    payload = {"s": survey.id}
    if contact_id:
        from cxloop.contacts import service as contacts

        payload["c"] = contacts.get_contact(db, workspace_id, contact_id).id
    if language:
        try:
            tag = normalise_language(language)
        except ValueError as exc:
            raise Invalid(f"language: {exc}") from exc
        if tag not in survey.languages:
            known = ", ".join(survey.languages)
            raise Invalid(f"language: '{tag}' is not one of this survey's languages ({known})")
        payload["l"] = tag
    return signer.sign(payload)


def to_read(db: Session, survey: Survey, base_url: str) -> SurveyRead:
    version = _current_version(db, survey)
    questions = [QuestionRead.model_validate(q) for q in repo.questions(db, version.id)]
    return SurveyRead(
        id=survey.id,
        name=survey.name,
        status=SurveyStatus(survey.status),
        touchpoint_id=survey.touchpoint_id,
        default_language=survey.default_language,
        languages=list(survey.languages),
        public_url=f"{base_url.rstrip('/')}/s/{survey.public_token}",
        version=version.number,
        version_id=version.id,
        closes_at=survey.closes_at,
        created_at=survey.created_at,
        texts={lang: SurveyText(**t) for lang, t in version.texts.items()},
        questions=questions,
    )


def questions_of_version(db: Session, version_id: str) -> list[Question]:
    return list(repo.questions(db, version_id))


def version_texts(db: Session, version_id: str) -> dict[str, dict[str, str]]:
    version = repo.version(db, version_id)
    return dict(version.texts) if version else {}


@dataclass(frozen=True)
class SurveySummary:
    """One line of the survey list: the survey, its current version number and responses."""

    survey: Survey
    version: int
    responses: int


def summaries(db: Session, workspace_id: str) -> list[SurveySummary]:
    found = list_surveys(db, workspace_id)
    numbers = repo.version_numbers(db, [s.current_version_id or "" for s in found])
    counts = repo.response_counts_by_survey(db, workspace_id)
    return [
        SurveySummary(s, numbers.get(s.current_version_id or "", 1), counts.get(s.id, 0))
        for s in found
    ]


def versions_with_counts(
    db: Session, workspace_id: str, survey_id: str
) -> list[tuple[SurveyVersion, int]]:
    survey = get_survey(db, workspace_id, survey_id)
    counts = repo.response_counts_by_version(db, survey.id)
    return [(v, counts.get(v.id, 0)) for v in repo.versions(db, survey.id)]

"""Frozen, cached views of survey versions used to validate answers quickly.

A version that can receive responses (its survey is live or closed) is never edited in place,
so caching it by id in the process is safe.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from cxloop.surveys.models import Question, QuestionKind, Survey, SurveyVersion


@dataclass(frozen=True)
class QuestionSpec:
    id: str
    key: str
    kind: QuestionKind
    required: bool
    scale_min: int | None
    scale_max: int | None
    direction: str | None
    top_box: int
    option_keys: frozenset[str]

    @classmethod
    def of(cls, q: Question) -> QuestionSpec:
        return cls(
            id=q.id,
            key=q.key,
            kind=QuestionKind(q.kind),
            required=q.required,
            scale_min=q.scale_min,
            scale_max=q.scale_max,
            direction=q.direction,
            top_box=q.top_box,
            option_keys=frozenset(str(o["key"]) for o in q.options),
        )


@dataclass(frozen=True)
class VersionSpec:
    id: str
    survey_id: str
    workspace_id: str
    number: int
    questions: tuple[QuestionSpec, ...]
    by_key: dict[str, QuestionSpec] = field(compare=False)

    @classmethod
    def of(cls, version: SurveyVersion, questions: list[Question]) -> VersionSpec:
        specs = tuple(QuestionSpec.of(q) for q in questions)
        return cls(
            id=version.id,
            survey_id=version.survey_id,
            workspace_id=version.workspace_id,
            number=version.number,
            questions=specs,
            by_key={q.key: q for q in specs},
        )


@dataclass(frozen=True)
class AnswerableSurvey:
    """What ingestion needs to know about a survey right now."""

    id: str
    workspace_id: str
    status: str
    touchpoint_id: str | None
    default_language: str
    languages: tuple[str, ...]
    closes_at: datetime | None
    version: VersionSpec

    @classmethod
    def of(cls, survey: Survey, version: VersionSpec) -> AnswerableSurvey:
        return cls(
            id=survey.id,
            workspace_id=survey.workspace_id,
            status=survey.status,
            touchpoint_id=survey.touchpoint_id,
            default_language=survey.default_language,
            languages=tuple(survey.languages),
            closes_at=survey.closes_at,
            version=version,
        )


_VERSION_CACHE: dict[str, VersionSpec] = {}
_CACHE_LIMIT = 5000


def cached_version(version_id: str) -> VersionSpec | None:
    return _VERSION_CACHE.get(version_id)


def remember_version(spec: VersionSpec) -> None:
    if len(_VERSION_CACHE) >= _CACHE_LIMIT:
        _VERSION_CACHE.clear()
    _VERSION_CACHE[spec.id] = spec


def forget_version(version_id: str) -> None:
    _VERSION_CACHE.pop(version_id, None)

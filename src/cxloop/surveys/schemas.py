"""Pydantic shapes of surveys: questions with per-language texts, versions, translations."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from cxloop.surveys.models import QuestionKind, SurveyStatus

KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
LANG_RE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})?$")

DEFAULT_SCALES: dict[QuestionKind, tuple[int, int]] = {
    QuestionKind.nps: (0, 10),
    QuestionKind.csat: (1, 5),
    QuestionKind.ces: (1, 7),
    QuestionKind.rating: (1, 5),
}
SCALED = frozenset(DEFAULT_SCALES)
CHOICE = frozenset({QuestionKind.single_choice, QuestionKind.multiple_choice})


def normalise_language(value: str) -> str:
    tag = value.strip().replace("_", "-").lower()
    if not LANG_RE.match(tag):
        raise ValueError(f"'{value}' is not a language tag like en, vi, th, lt or pt-br")
    return tag


class QuestionText(BaseModel):
    prompt: str = Field(min_length=1, max_length=2000)
    low: str = Field("", max_length=200, description="Label of the low end of a scale.")
    high: str = Field("", max_length=200, description="Label of the high end of a scale.")


class ChoiceOption(BaseModel):
    key: str
    texts: dict[str, str] = Field(description="Label per language.")

    @field_validator("key")
    @classmethod
    def _key(cls, v: str) -> str:
        if not KEY_RE.match(v):
            raise ValueError("use lowercase letters, digits and _ (start with a letter)")
        return v


class QuestionIn(BaseModel):
    key: str = Field(description="Stable key used in answers, e.g. `nps` or `comment`.")
    kind: QuestionKind
    required: bool = False
    scale_min: int | None = None
    scale_max: int | None = None
    direction: Literal["agreement", "effort"] | None = Field(
        None, description="CES only: `agreement` (high = easy, default) or `effort` (low = easy)."
    )
    top_box: int = Field(2, ge=1, le=5, description="How many top boxes count as good.")
    page_break: bool = Field(
        False, description="Start a new page before this question on the public survey page."
    )
    options: list[ChoiceOption] = Field(default_factory=list)
    texts: dict[str, QuestionText]

    @field_validator("key")
    @classmethod
    def _key(cls, v: str) -> str:
        if not KEY_RE.match(v):
            raise ValueError("use lowercase letters, digits and _ (start with a letter)")
        return v

    @model_validator(mode="after")
    def _shape(self) -> QuestionIn:
        if self.kind in SCALED:
            low, high = DEFAULT_SCALES[self.kind]
            if self.kind == QuestionKind.nps and (
                self.scale_min not in (None, 0) or self.scale_max not in (None, 10)
            ):
                raise ValueError("an nps question is always 0-10")
            self.scale_min = low if self.scale_min is None else self.scale_min
            self.scale_max = high if self.scale_max is None else self.scale_max
            if self.scale_max - self.scale_min < 2 or self.scale_max - self.scale_min > 10:
                raise ValueError("scale_min..scale_max must span 3 to 11 points")
            if self.kind == QuestionKind.ces:
                self.direction = self.direction or "agreement"
        elif self.scale_min is not None or self.scale_max is not None:
            raise ValueError(f"a {self.kind.value} question has no scale")
        if self.kind in CHOICE:
            if len(self.options) < 2:
                raise ValueError("a choice question needs at least 2 options")
            keys = [o.key for o in self.options]
            if len(set(keys)) != len(keys):
                raise ValueError("option keys must be unique")
        elif self.options:
            raise ValueError(f"a {self.kind.value} question has no options")
        self.texts = {normalise_language(k): v for k, v in self.texts.items()}
        return self


class SurveyText(BaseModel):
    title: str = Field(min_length=1, max_length=300)
    intro: str = Field("", max_length=2000)
    thanks: str = Field("", max_length=2000)


class SurveyDefinition(BaseModel):
    """Everything a version fixes: languages, texts and questions."""

    default_language: str = "en"
    languages: list[str] = Field(default_factory=list)
    texts: dict[str, SurveyText]
    questions: list[QuestionIn] = Field(min_length=1, max_length=100)

    @model_validator(mode="after")
    def _consistent(self) -> SurveyDefinition:
        self.default_language = normalise_language(self.default_language)
        langs = [normalise_language(x) for x in self.languages] or [self.default_language]
        if self.default_language not in langs:
            langs.insert(0, self.default_language)
        self.languages = list(dict.fromkeys(langs))
        self.texts = {normalise_language(k): v for k, v in self.texts.items()}
        keys = [q.key for q in self.questions]
        dupes = sorted({k for k in keys if keys.count(k) > 1})
        if dupes:
            raise ValueError(f"questions: duplicate keys {', '.join(dupes)}")
        missing = _missing_texts(self)
        if missing:
            raise ValueError("missing translations: " + "; ".join(missing[:10]))
        return self


def _missing_texts(d: SurveyDefinition) -> list[str]:
    """Texts the default language lacks. Other languages may be incomplete while a draft
    (translators fill them in); publishing checks them."""
    lang = d.default_language
    missing = [f"texts.{lang}"] if lang not in d.texts else []
    for q in d.questions:
        if lang not in q.texts:
            missing.append(f"questions.{q.key}.texts.{lang}")
        missing += [
            f"questions.{q.key}.options.{o.key}.{lang}" for o in q.options if lang not in o.texts
        ]
    return missing


class SurveyCreate(SurveyDefinition):
    name: str = Field(min_length=1, max_length=200)
    touchpoint_id: str | None = None
    closes_at: datetime | None = None
    publish: bool = Field(False, description="Make the survey live at once.")


class SurveyUpdate(SurveyDefinition):
    """Replaces the definition; a live survey gets a new version, a draft is edited in place."""

    name: str | None = Field(None, min_length=1, max_length=200)
    touchpoint_id: str | None = None
    closes_at: datetime | None = None


class QuestionRead(QuestionIn):
    model_config = ConfigDict(from_attributes=True)

    id: str
    position: int


class SurveyRead(BaseModel):
    id: str
    name: str
    status: SurveyStatus
    touchpoint_id: str | None
    default_language: str
    languages: list[str]
    public_url: str
    version: int
    version_id: str
    closes_at: datetime | None
    created_at: datetime
    texts: dict[str, SurveyText]
    questions: list[QuestionRead]


class SurveyVersionRead(BaseModel):
    id: str
    number: int
    created_at: datetime
    responses: int

"""What the survey admin pages show: the definition per language, as editable JSON, and errors."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from cxloop.surveys.i18n import language_name
from cxloop.surveys.schemas import SCALED, SurveyRead

_EDITABLE_QUESTION_FIELDS = (
    "key",
    "kind",
    "required",
    "scale_min",
    "scale_max",
    "direction",
    "top_box",
    "page_break",
    "options",
    "texts",
)


@dataclass
class QuestionText:
    key: str
    kind: str
    required: bool
    prompt: str
    scale: str = ""
    labels: str = ""
    options: list[str] = field(default_factory=list)


@dataclass
class LanguageView:
    code: str
    name: str
    default: bool
    title: str
    intro: str
    thanks: str
    questions: list[QuestionText]


def definition_json(read: SurveyRead) -> str:
    """The current definition in the shape ``PUT /api/v1/surveys/{id}`` accepts."""
    questions = [
        {k: v for k, v in q.model_dump(mode="json").items() if k in _EDITABLE_QUESTION_FIELDS}
        for q in read.questions
    ]
    for q in questions:
        if q["kind"] not in {k.value for k in SCALED}:
            for name in ("scale_min", "scale_max", "direction"):
                q.pop(name, None)
        if not q.get("options"):
            q.pop("options", None)
    body: dict[str, Any] = {
        "name": read.name,
        "touchpoint_id": read.touchpoint_id,
        "closes_at": read.closes_at.isoformat() if read.closes_at else None,
        "default_language": read.default_language,
        "languages": read.languages,
        "texts": {lang: t.model_dump() for lang, t in read.texts.items()},
        "questions": questions,
    }
    return json.dumps(body, indent=2, ensure_ascii=False)


def language_views(read: SurveyRead) -> list[LanguageView]:
    views = []
    for lang in read.languages:
        text = read.texts.get(lang)
        questions = []
        for q in read.questions:
            qt = q.texts.get(lang)
            questions.append(
                QuestionText(
                    key=q.key,
                    kind=q.kind.value,
                    required=q.required,
                    prompt=qt.prompt if qt else "— missing —",
                    scale=f"{q.scale_min}-{q.scale_max}" if q.scale_min is not None else "",
                    labels=" / ".join(x for x in (qt.low, qt.high) if x) if qt else "",
                    options=[o.texts.get(lang, f"{o.key} (missing)") for o in q.options],
                )
            )
        views.append(
            LanguageView(
                code=lang,
                name=language_name(lang),
                default=lang == read.default_language,
                title=text.title if text else "— missing —",
                intro=text.intro if text else "",
                thanks=text.thanks if text else "",
                questions=questions,
            )
        )
    return views


def validation_errors(exc: ValidationError, whole: str = "definition") -> list[tuple[str, str]]:
    """(field, message) pairs; malformed JSON says where it broke."""
    errors = []
    for err in exc.errors(include_url=False):
        where = ".".join(str(p) for p in err.get("loc", ())) or whole
        message = str(err.get("msg", "invalid"))
        if err.get("type") == "json_invalid":
            message = "malformed JSON: " + message.removeprefix("Invalid JSON: ")
        errors.append((where, message.removeprefix("Value error, ")))
    return errors

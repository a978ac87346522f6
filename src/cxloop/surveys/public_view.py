"""What the public survey form shows: questions in one language, kept answers, translated errors.

Answers travel as form fields named ``a.<question key>`` so they never clash with the form's
own fields (``lang``, ``submission_id`` and the honeypot).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import JsonValue
from starlette.datastructures import FormData

from cxloop.responses.scoring import MAX_TEXT
from cxloop.surveys.models import Question, QuestionKind

ANSWER_PREFIX = "a."
HONEYPOT = "website"
_SUBMISSION_RE = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
_SCALED = {QuestionKind.nps, QuestionKind.csat, QuestionKind.ces, QuestionKind.rating}


@dataclass
class OptionView:
    key: str
    label: str
    checked: bool


@dataclass
class QuestionView:
    key: str
    kind: str
    required: bool
    prompt: str
    low: str = ""
    high: str = ""
    points: list[int] = field(default_factory=list)
    options: list[OptionView] = field(default_factory=list)
    value: str = ""
    error: str | None = None

    @property
    def name(self) -> str:
        return ANSWER_PREFIX + self.key


def in_language(texts: Mapping[str, Any], language: str, default: str) -> Any:
    """The entry for ``language``, else the default language's, else any."""
    for lang in (language, default):
        if lang in texts:
            return texts[lang]
    return next(iter(texts.values()), None)


def _scale_labels(q: Question, text: Mapping[str, str], words: Mapping[str, str]) -> list[str]:
    prefix = {"nps": "nps", "csat": "csat", "rating": "rating"}.get(q.kind)
    if q.kind == QuestionKind.ces:
        prefix = "effort" if q.direction == "effort" else "agreement"
    return [
        text.get("low") or words.get(f"{prefix}_low", ""),
        text.get("high") or words.get(f"{prefix}_high", ""),
    ]


def question_views(
    questions: Sequence[Question],
    language: str,
    default: str,
    words: Mapping[str, str],
    answers: Mapping[str, Any] | None = None,
    errors: Mapping[str, str] | None = None,
) -> list[QuestionView]:
    answers = answers or {}
    errors = errors or {}
    views = []
    for q in questions:
        text = in_language(q.texts, language, default) or {}
        kept = answers.get(q.key)
        chosen = set(kept) if isinstance(kept, list) else {kept}
        view = QuestionView(
            key=q.key,
            kind=q.kind,
            required=q.required,
            prompt=text.get("prompt", q.key),
            value="" if kept is None or isinstance(kept, list) else str(kept),
            error=errors.get(q.key),
        )
        if q.kind in _SCALED:
            view.points = list(range(q.scale_min or 0, (q.scale_max or 0) + 1))
            view.low, view.high = _scale_labels(q, text, words)
        for option in q.options:
            label = in_language(option.get("texts", {}), language, default) or option["key"]
            view.options.append(OptionView(option["key"], str(label), option["key"] in chosen))
        views.append(view)
    return views


def form_answers(form: FormData, questions: Sequence[Question]) -> dict[str, JsonValue]:
    """The answers in a posted form, by question key (empty ones left out)."""
    answers: dict[str, JsonValue] = {}
    for q in questions:
        name = ANSWER_PREFIX + q.key
        if q.kind == QuestionKind.multiple_choice:
            values: list[JsonValue] = [v for v in form.getlist(name) if isinstance(v, str) and v]
            if values:
                answers[q.key] = values
            continue
        value = form.get(name)
        if isinstance(value, str) and value.strip():
            answers[q.key] = value
    return answers


def submission_id(posted: object) -> str:
    """The form's random submission id (double-click protection), or a fresh one."""
    if isinstance(posted, str) and _SUBMISSION_RE.match(posted):
        return posted
    return secrets.token_urlsafe(16)


def translate_errors(
    details: Sequence[Mapping[str, Any]], questions: Sequence[Question], words: Mapping[str, str]
) -> tuple[dict[str, str], list[str]]:
    """Service errors as messages in the respondent's language: per question, and for the form."""
    by_key = {q.key: q for q in questions}
    per_question: dict[str, str] = {}
    general: list[str] = []
    for detail in details:
        fieldname = str(detail.get("field", ""))
        message = str(detail.get("message", ""))
        q = by_key.get(fieldname.removeprefix("answers."))
        if q is None:
            general.append(
                words["error_answer_one"] if fieldname == "answers" else words["error_invalid"]
            )
        elif message == "is required":
            per_question[q.key] = words["error_required"]
        elif q.kind in _SCALED:
            per_question[q.key] = words["error_scale"].format(low=q.scale_min, high=q.scale_max)
        elif q.kind in (QuestionKind.single_choice, QuestionKind.multiple_choice):
            per_question[q.key] = words["error_choice"]
        elif "too long" in message:
            per_question[q.key] = words["error_too_long"].format(max=MAX_TEXT)
        else:
            per_question[q.key] = words["error_invalid"]
    return per_question, list(dict.fromkeys(general))


def pages_of(questions: Sequence[Question]) -> list[list[Question]]:
    """The questions split into pages at each page break (one page when there is none)."""
    pages: list[list[Question]] = []
    for q in questions:
        if not pages or (q.page_break and pages[-1]):
            pages.append([])
        pages[-1].append(q)
    return pages or [[]]


def prefill(questions: Sequence[Question], query: Mapping[str, str]) -> dict[str, JsonValue]:
    """A first-question answer carried in the link (one-click NPS from an email: ``?nps=7``).

    Only shown pre-selected; it is stored when the respondent sends the page.
    """
    if not questions:
        return {}
    first = questions[0]
    value = query.get(ANSWER_PREFIX + first.key) or query.get(first.key)
    if value is None and first.kind == QuestionKind.nps:
        value = query.get("score")
    if value is None or not value.strip().isdigit() or first.kind not in _SCALED:
        return {}
    number = int(value.strip())
    if not (first.scale_min or 0) <= number <= (first.scale_max or 0):
        return {}
    return {first.key: str(number)}

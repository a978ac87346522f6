"""Checks one answer against its question and classifies it for metrics (good / bad)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cxloop.surveys.definitions import QuestionSpec
from cxloop.surveys.models import QuestionKind

MAX_TEXT = 10_000


@dataclass(frozen=True)
class CheckedAnswer:
    question: QuestionSpec
    number: float | None = None
    text: str | None = None
    choices: list[str] | None = None
    good: int = 0
    bad: int = 0


def _classify(q: QuestionSpec, v: int) -> tuple[int, int]:
    low, high, top = q.scale_min or 0, q.scale_max or 0, q.top_box
    if q.kind == QuestionKind.nps:
        return int(v >= 9), int(v <= 6)
    if q.kind == QuestionKind.ces and q.direction == "effort":
        return int(v < low + top), int(v > high - top)
    return int(v > high - top), int(v < low + top)


def check_answer(q: QuestionSpec, value: Any) -> CheckedAnswer | str | None:
    """The checked answer, None when left empty, or a message saying what is wrong."""
    if value is None or value == "" or value == []:
        return None
    kind = q.kind
    if kind in (QuestionKind.nps, QuestionKind.csat, QuestionKind.ces, QuestionKind.rating):
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            value = int(value.strip())
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            return f"must be a whole number from {q.scale_min} to {q.scale_max}"
        if not (q.scale_min or 0) <= value <= (q.scale_max or 0):
            return f"must be from {q.scale_min} to {q.scale_max}, got {value}"
        good, bad = _classify(q, value)
        return CheckedAnswer(q, number=float(value), good=good, bad=bad)
    if kind == QuestionKind.open_text:
        if not isinstance(value, str):
            return "must be text"
        text = value.strip()
        if len(text) > MAX_TEXT:
            return f"is too long ({len(text)} characters; at most {MAX_TEXT})"
        return CheckedAnswer(q, text=text) if text else None
    if kind == QuestionKind.single_choice:
        if not isinstance(value, str):
            return "must be one option key"
        if value not in q.option_keys:
            return f"'{value}' is not an option (choose from {', '.join(sorted(q.option_keys))})"
        return CheckedAnswer(q, choices=[value])
    if kind == QuestionKind.multiple_choice:
        values = [value] if isinstance(value, str) else value
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            return "must be a list of option keys"
        unknown = [v for v in values if v not in q.option_keys]
        if unknown:
            return f"{', '.join(map(repr, unknown))} not an option"
        return CheckedAnswer(q, choices=list(dict.fromkeys(values)))
    return f"unsupported question kind {kind}"  # pragma: no cover


def check_answers(
    questions: tuple[QuestionSpec, ...], by_key: dict[str, QuestionSpec], answers: dict[str, Any]
) -> tuple[list[CheckedAnswer], list[dict[str, str]]]:
    """Checks a whole answer set; returns the good answers and every problem found."""
    errors = [
        {"field": f"answers.{key}", "message": "no such question in this survey version"}
        for key in answers
        if key not in by_key
    ]
    checked: list[CheckedAnswer] = []
    for q in questions:
        result = check_answer(q, answers.get(q.key))
        if isinstance(result, str):
            errors.append(
                {"field": f"answers.{q.key}", "message": f"{q.kind.value} answer {result}"}
            )
        elif result is None:
            if q.required:
                errors.append({"field": f"answers.{q.key}", "message": "is required"})
        else:
            checked.append(result)
    if not checked and not errors:
        errors.append({"field": "answers", "message": "at least one question must be answered"})
    return checked, errors

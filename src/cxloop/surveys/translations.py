"""Every translatable text of a survey version under one stable key, missing texts per language,
and the CSV round trip for translators.

Keys: ``survey.title|intro|thanks``, ``q.<question>.prompt|low|high`` and
``q.<question>.option.<option>``. A text is missing in a language when the survey's default
(source) language has it and that language does not.

The CSV has a ``key`` column, a ``source`` column (the default language's text, for reference)
and one column per other language. An import is all or nothing: one bad row or column and
nothing is stored; an empty cell keeps what is stored (a file never erases a translation).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from cxloop.core.csv_text import decode
from cxloop.core.errors import Invalid
from cxloop.surveys.models import Question, Survey, SurveyVersion
from cxloop.surveys.schemas import normalise_language

SURVEY_FIELDS = {"title": 300, "intro": 2000, "thanks": 2000}
QUESTION_FIELDS = {"prompt": 2000, "low": 200, "high": 200}
OPTION_LIMIT = 500
MAX_ROWS = 5000


@dataclass(frozen=True)
class Entry:
    """One translatable text: its key, where it lives, and its text per language."""

    key: str
    texts: dict[str, str]
    limit: int
    question: Question | None = None
    part: str = ""
    option: str | None = None


def entries(version: SurveyVersion, questions: Sequence[Question]) -> list[Entry]:
    """The version's texts in the order a respondent reads them."""
    found: list[Entry] = []
    for name, limit in SURVEY_FIELDS.items():
        texts = {lang: t.get(name, "") for lang, t in version.texts.items()}
        found.append(Entry(f"survey.{name}", _present(texts), limit, part=name))
    for q in questions:
        for name, limit in QUESTION_FIELDS.items():
            texts = {lang: t.get(name, "") for lang, t in q.texts.items()}
            found.append(Entry(f"q.{q.key}.{name}", _present(texts), limit, q, name))
        for option in q.options:
            texts = {lang: str(v) for lang, v in dict(option.get("texts", {})).items()}
            key = f"q.{q.key}.option.{option['key']}"
            found.append(Entry(key, _present(texts), OPTION_LIMIT, q, "option", option["key"]))
    return found


def _present(texts: dict[str, str]) -> dict[str, str]:
    return {lang: text for lang, text in texts.items() if text and text.strip()}


def missing_by_language(
    survey: Survey, version: SurveyVersion, questions: Sequence[Question]
) -> dict[str, list[str]]:
    """Keys each declared language lacks (only languages with something missing)."""
    source = survey.default_language
    found = entries(version, questions)
    missing: dict[str, list[str]] = {}
    for lang in survey.languages:
        keys = [e.key for e in found if source in e.texts and lang not in e.texts]
        if lang == source:
            keys = [e.key for e in found if e.part in ("title", "prompt", "option") and not e.texts]
        if keys:
            missing[lang] = keys
    return missing


def missing_message(missing: dict[str, list[str]]) -> Invalid:
    """The 422 a publish attempt gets, listing the missing keys per language."""
    parts = [f"{lang}: {', '.join(keys)}" for lang, keys in missing.items()]
    details = [
        {"field": f"translations.{lang}", "message": "missing " + ", ".join(keys), "keys": keys}
        for lang, keys in missing.items()
    ]
    return Invalid(
        "cannot publish: missing translations (" + "; ".join(parts) + ")", details=details
    )


def export_csv(survey: Survey, version: SurveyVersion, questions: Sequence[Question]) -> str:
    """UTF-8 CSV text (the caller adds a BOM so spreadsheet apps read it as UTF-8)."""
    targets = [lang for lang in survey.languages if lang != survey.default_language]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["key", "source", *targets])
    for entry in entries(version, questions):
        source = entry.texts.get(survey.default_language, "")
        if not source and not any(entry.texts.get(lang) for lang in targets):
            continue  # nothing to translate (e.g. no custom scale label)
        writer.writerow([entry.key, source, *(entry.texts.get(lang, "") for lang in targets)])
    return out.getvalue()


@dataclass
class ImportResult:
    updated: dict[str, int] = field(default_factory=dict)  # texts written per language
    warnings: list[str] = field(default_factory=list)


def _decode(data: bytes) -> str:
    if not data.strip():
        raise Invalid("file: the CSV file is empty (no header row)")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return decode(data, "utf-16")[0]
    try:
        return decode(data, "utf-8-sig")[0]
    except Invalid as exc:
        raise Invalid(
            exc.message + "; save the file as CSV UTF-8 so no translation is garbled"
        ) from exc


def _rows(data: bytes) -> tuple[list[str], list[list[str]]]:
    text = _decode(data).replace("\x00", "")
    first = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first.count)
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise Invalid(f"file: not a readable CSV file ({exc})") from exc
    rows = [r for r in rows if any(cell.strip() for cell in r)]
    if not rows:
        raise Invalid("file: the CSV file is empty (no header row)")
    if len(rows) > MAX_ROWS + 1:
        raise Invalid(f"file: at most {MAX_ROWS} rows per file")
    return [h.strip() for h in rows[0]], rows[1:]


def _columns(header: list[str], survey: Survey) -> dict[int, str]:
    """Column index -> language, checking the header."""
    if header[:2] != ["key", "source"]:
        raise Invalid("row 1: the header must start with the columns key, source")
    columns: dict[int, str] = {}
    for index, name in enumerate(header[2:], start=2):
        column = f"row 1, column {index + 1} ('{name}')"
        try:
            lang = normalise_language(name)
        except ValueError as exc:
            raise Invalid(f"{column}: not a language code like vi, th or ar") from exc
        if lang == survey.default_language:
            raise Invalid(
                f"{column}: '{lang}' is the source language; edit it in the survey definition"
            )
        if lang not in survey.languages:
            known = ", ".join(survey.languages)
            raise Invalid(f"{column}: '{lang}' is not one of this survey's languages ({known})")
        if lang in columns.values():
            raise Invalid(f"{column}: the language '{lang}' appears twice")
        columns[index] = lang
    return columns


def import_csv(
    survey: Survey, version: SurveyVersion, questions: Sequence[Question], data: bytes
) -> ImportResult:
    """Checks the whole file, then writes its texts into ``version`` and its questions.

    Raises Invalid naming the row and column of the first problem; nothing is written then.
    """
    header, rows = _rows(data)
    columns = _columns(header, survey)
    by_key = {e.key: e for e in entries(version, questions)}
    result = ImportResult()
    changes: list[tuple[Entry, str, str]] = []
    seen: dict[str, int] = {}
    for number, row in enumerate(rows, start=2):
        key = row[0].strip() if row else ""
        entry = by_key.get(key)
        if entry is None:
            raise Invalid(f"row {number}, column 1: unknown key '{key}' (export a fresh file)")
        if key in seen:
            raise Invalid(f"row {number}, column 1: the key '{key}' is also on row {seen[key]}")
        seen[key] = number
        source = row[1].strip() if len(row) > 1 else ""
        current = entry.texts.get(survey.default_language, "")
        if source != current.strip():
            result.warnings.append(
                f"row {number}: the source text of '{key}' changed since the export; "
                "check the translation"
            )
        for index, lang in columns.items():
            text = row[index].strip() if index < len(row) else ""
            if not text:
                continue
            if len(text) > entry.limit:
                raise Invalid(
                    f"row {number}, column {index + 1} ({lang}): at most {entry.limit} "
                    f"characters, got {len(text)}"
                )
            changes.append((entry, lang, text))
    _check_complete_entries(version, questions, changes, columns)
    _apply(version, changes)
    for _, lang, _ in changes:
        result.updated[lang] = result.updated.get(lang, 0) + 1
    return result


def _check_complete_entries(
    version: SurveyVersion,
    questions: Sequence[Question],
    changes: list[tuple[Entry, str, str]],
    columns: dict[int, str],
) -> None:
    """A language's survey texts need a title, a question's texts a prompt."""
    column_of = {lang: index + 1 for index, lang in columns.items()}
    written = {(e.key, lang) for e, lang, _ in changes}
    for entry, lang, _ in changes:
        if entry.question is None and entry.part != "title":
            has = lang in version.texts and version.texts[lang].get("title")
            if not has and ("survey.title", lang) not in written:
                raise Invalid(
                    f"column {column_of[lang]} ({lang}): '{entry.key}' needs survey.title "
                    "in the same language"
                )
        if entry.question is not None and entry.part in ("low", "high"):
            q = entry.question
            has = lang in q.texts and q.texts[lang].get("prompt")
            if not has and (f"q.{q.key}.prompt", lang) not in written:
                raise Invalid(
                    f"column {column_of[lang]} ({lang}): '{entry.key}' needs q.{q.key}.prompt "
                    "in the same language"
                )


def _apply(version: SurveyVersion, changes: list[tuple[Entry, str, str]]) -> None:
    survey_texts: dict[str, dict[str, str]] = {k: dict(v) for k, v in version.texts.items()}
    touched: dict[str, Question] = {}
    question_texts: dict[str, dict[str, dict[str, str]]] = {}
    options: dict[str, list[dict[str, Any]]] = {}
    for entry, lang, text in changes:
        q = entry.question
        if q is None:
            survey_texts.setdefault(lang, {"title": "", "intro": "", "thanks": ""})[entry.part] = (
                text
            )
            continue
        touched[q.id] = q
        if entry.part == "option":
            opts = options.setdefault(q.id, [dict(o, texts=dict(o["texts"])) for o in q.options])
            for option in opts:
                if option["key"] == entry.option:
                    option["texts"][lang] = text
            continue
        texts = question_texts.setdefault(q.id, {k: dict(v) for k, v in q.texts.items()})
        texts.setdefault(lang, {"prompt": "", "low": "", "high": ""})[entry.part] = text
    version.texts = survey_texts  # new objects, so SQLAlchemy sees the JSON change
    for qid, q in touched.items():
        if qid in question_texts:
            q.texts = question_texts[qid]
        if qid in options:
            q.options = options[qid]

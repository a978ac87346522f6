"""CSV import of responses: good rows are stored in chunks, bad rows reported by line number.

Columns: survey_id (or a survey given for the whole file), submitted_at, contact_id,
contact_external_id, contact_email, contact_name, language, channel, touchpoint_id,
idempotency_key; one column per question, named ``answer.<key>`` or just ``<key>``; and
``hidden.<name>`` columns. Multiple choices are separated by ``|``. The header is line 1.
UTF-8 (with or without BOM) and UTF-16 are read as such; other bytes are read as
Windows-1252 and the report says so. Flushes, never commits.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from pydantic import BaseModel, Field, ValidationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cxloop.core import csv_text
from cxloop.core.errors import CxError, Invalid
from cxloop.responses import repository as repo
from cxloop.responses import service
from cxloop.responses.csv_layout import Layout, read_layout
from cxloop.responses.schemas import ResponseCreate
from cxloop.surveys import service as surveys
from cxloop.surveys.definitions import AnswerableSurvey
from cxloop.surveys.models import QuestionKind

CHUNK = 500
SOURCE = "import"
Progress = Callable[[int], None]


@dataclass
class Rejected:
    line: int
    message: str
    cells: list[str]


@dataclass
class ImportReport:
    """What happened to every record of the file."""

    encoding: str = "utf-8"
    header: list[str] = field(default_factory=list)
    rows: int = 0
    accepted: int = 0
    duplicates: int = 0
    rejected: list[Rejected] = field(default_factory=list)

    def to_read(self) -> ImportReportRead:
        return ImportReportRead(
            rows=self.rows,
            accepted=self.accepted,
            duplicates=self.duplicates,
            encoding=self.encoding,
            rejected=[RejectedRow(line=r.line, message=r.message) for r in self.rejected],
        )


class RejectedRow(BaseModel):
    line: int = Field(description="Line of the file where the record starts (header = 1).")
    message: str


class ImportReportRead(BaseModel):
    rows: int = Field(description="Records read (blank lines skipped).")
    accepted: int = Field(description="Good rows, including rows already imported before.")
    duplicates: int = Field(description="Good rows whose idempotency_key was already stored.")
    encoding: str = Field(description="How the file was read, e.g. utf-8 or cp1252.")
    rejected: list[RejectedRow]


def decode(data: bytes, encoding: str | None = None) -> tuple[str, str]:
    """The file's text and the encoding used to read it (binary files are refused)."""
    text, used = csv_text.decode(data, encoding, binary=False)
    return text, "utf-8" if used == "utf-8-sig" else used


def _records(text: str) -> Iterator[tuple[int, list[str]]]:
    """(line number where the record starts, cells) for each non-blank record."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=csv_text.delimiter(text))
    line = 1
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise Invalid(f"file: line {line} cannot be read as CSV: {exc}") from exc
        start, line = line, reader.line_num + 1
        if any(cell.strip() for cell in record):
            yield start, record


def count_records(text: str) -> int:
    """Data records in the file (for a progress bar)."""
    return max(0, sum(1 for _ in _records(text)) - 1)


class _Importer:
    def __init__(self, db: Session, workspace_id: str, layout: Layout) -> None:
        self.db, self.workspace_id, self.layout = db, workspace_id, layout
        self.surveys: dict[str, AnswerableSurvey | str] = {}
        self.channels: dict[str, str | None] = {}
        self.seen_keys: set[str] = set()

    def survey(self, survey_id: str) -> AnswerableSurvey | str:
        if survey_id not in self.surveys:
            try:
                self.surveys[survey_id] = surveys.answerable(self.db, self.workspace_id, survey_id)
            except CxError as exc:
                self.surveys[survey_id] = f"survey_id: {exc.message}"
        return self.surveys[survey_id]

    def channel(self, touchpoint_id: str) -> str | None:
        """The touchpoint's channel, or None when it does not exist in the workspace."""
        if touchpoint_id not in self.channels:
            from cxloop.journeys import service as journeys

            try:
                tp = journeys.get_touchpoint(self.db, self.workspace_id, touchpoint_id)
                self.channels[touchpoint_id] = tp.channel
            except CxError:
                self.channels[touchpoint_id] = None
        return self.channels[touchpoint_id]

    def item(self, cells: list[str]) -> tuple[ResponseCreate, AnswerableSurvey] | str:
        """The submission a record describes, or why it cannot be one."""
        values = self.layout.values(cells)
        if isinstance(values, str):
            return values
        fields, answers, hidden = values
        survey_id = fields.pop("survey_id", None) or self.layout.survey_id
        if not survey_id:
            return "survey_id: missing"
        survey = self.survey(survey_id)
        if isinstance(survey, str):
            return survey
        converted = _answers(survey, answers)
        if isinstance(converted, str):
            return converted
        contact = {
            k[len("contact_") :]: fields.pop(k) for k in list(fields) if k.startswith("contact_")
        }
        if contact:
            if not ({"id", "external_id", "email"} & set(contact)):
                return "contact_name: give contact_external_id or contact_email with it"
            contact.setdefault("language", fields.get("language", ""))
        touchpoint_id = fields.get("touchpoint_id")
        if touchpoint_id:
            channel = self.channel(touchpoint_id)
            if channel is None:
                return f"touchpoint_id: touchpoint '{touchpoint_id}' does not exist"
            fields.setdefault("channel", channel)
        data = {**fields, "survey_id": survey.id, "answers": converted, "hidden": hidden}
        if contact:
            data["contact"] = {k: v for k, v in contact.items() if v}
        try:
            return ResponseCreate.model_validate(data), survey
        except ValidationError as exc:
            return "; ".join(_error(err) for err in exc.errors())

    def store(
        self,
        chunk: list[tuple[int, list[str], ResponseCreate, AnswerableSurvey]],
        report: ImportReport,
    ) -> None:
        keys = [i.idempotency_key for _, _, i, _ in chunk if i.idempotency_key]
        stored = repo.existing_keys(self.db, self.workspace_id, keys) if keys else {}
        prepared: list[tuple[int, list[str], service.Prepared]] = []
        for line, cells, item, survey in chunk:
            key = item.idempotency_key
            if key and (key in stored or key in self.seen_keys):
                report.accepted += 1
                report.duplicates += 1
                continue
            try:
                p = service.prepare(self.db, self.workspace_id, item, source=SOURCE, survey=survey)
            except CxError as exc:
                details = exc.details or [{"field": "", "message": exc.message}]
                message = "; ".join(f"{d['field']}: {d['message']}".lstrip(": ") for d in details)
                report.rejected.append(Rejected(line, message, cells))
                continue
            if key:
                self.seen_keys.add(key)
            prepared.append((line, cells, p))
        try:
            with self.db.begin_nested():
                service.store(self.db, [p for _, _, p in prepared])
            report.accepted += len(prepared)
        except IntegrityError:  # a concurrent import stored some of these keys: one by one
            for line, cells, p in prepared:
                self._store_one(line, cells, p, report)

    def _store_one(
        self, line: int, cells: list[str], p: service.Prepared, report: ImportReport
    ) -> None:
        try:
            with self.db.begin_nested():
                service.store(self.db, [p])
            report.accepted += 1
        except IntegrityError:
            key = p.idempotency_key
            if key and repo.existing_keys(self.db, self.workspace_id, [key]):
                report.accepted += 1
                report.duplicates += 1
            else:
                report.rejected.append(Rejected(line, "row could not be stored", cells))


def _answers(survey: AnswerableSurvey, answers: dict[str, str]) -> dict[str, object] | str:
    converted: dict[str, object] = {}
    for key, raw in answers.items():
        question = survey.version.by_key.get(key)
        if question is None:
            known = ", ".join(survey.version.by_key)
            return f"answer.{key}: no such question in this survey (questions: {known})"
        if question.kind == QuestionKind.multiple_choice:
            converted[key] = [p.strip() for p in raw.replace(";", "|").split("|") if p.strip()]
        else:
            converted[key] = raw
    return converted


def _error(err: object) -> str:
    data = err if isinstance(err, dict) else {}
    loc = ".".join(str(p) for p in data.get("loc", ())) or "row"
    return f"{loc}: {str(data.get('msg', 'invalid')).removeprefix('Value error, ')}"


def import_responses_csv(
    db: Session,
    workspace_id: str,
    data: bytes,
    *,
    survey_id: str | None = None,
    encoding: str | None = None,
    on_progress: Progress | None = None,
) -> ImportReport:
    """Imports a CSV file; ``on_progress(records_done)`` is called after every chunk.

    A file that cannot be used at all (no header, unknown survey, unreadable bytes) raises
    Invalid / NotFound; bad records are listed in the report and the good ones stored.
    """
    text, used = decode(data, encoding)
    records = _records(text)
    first = next(records, None)
    if first is None:
        raise Invalid("file: the CSV file is empty; line 1 must name the columns")
    fixed = surveys.answerable(db, workspace_id, survey_id) if survey_id else None
    layout = read_layout(first[1], fixed)
    report = ImportReport(encoding=used, header=layout.header)
    importer = _Importer(db, workspace_id, layout)
    chunk: list[tuple[int, list[str], ResponseCreate, AnswerableSurvey]] = []
    for line, cells in records:
        report.rows += 1
        parsed = importer.item(cells)
        if isinstance(parsed, str):
            report.rejected.append(Rejected(line, parsed, cells))
        else:
            chunk.append((line, cells, *parsed))
        if len(chunk) >= CHUNK:
            importer.store(chunk, report)
            chunk = []
            if on_progress:
                on_progress(report.rows)
    if chunk:
        importer.store(chunk, report)
    if on_progress:
        on_progress(report.rows)
    report.rejected.sort(key=lambda r: r.line)
    return report

"""Response ingestion (one, or an all-or-nothing batch) and listing. Flushes, never commits."""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cxloop.core.database import utcnow
from cxloop.core.errors import CxError, Invalid, NotFound
from cxloop.interactions.models import InteractionKind
from cxloop.responses import quality
from cxloop.responses import repository as repo
from cxloop.responses.schemas import AnswerRead, ContactRef, ResponseCreate, ResponseRead
from cxloop.responses.scoring import CheckedAnswer, check_answers
from cxloop.rules import events as rule_events
from cxloop.surveys import service as surveys
from cxloop.surveys.definitions import AnswerableSurvey
from cxloop.surveys.i18n import match_language
from cxloop.surveys.models import QuestionKind
from cxloop.surveys.schemas import normalise_language

if TYPE_CHECKING:
    from cxloop.surveys.models import Survey

FUTURE_TOLERANCE = timedelta(minutes=5)
_SQLITE_WRITER = threading.Lock()


def ordered_id() -> str:
    """A 32-hex-digit id like ``new_id``, led by the time in milliseconds (then 80 random bits).

    New rows then land at the end of the primary-key index instead of all over it, which
    keeps inserting thousands of responses fast as the table grows.
    """
    return f"{time.time_ns() // 1_000_000:012x}{secrets.token_hex(10)}"


@contextmanager
def write_turn(db: Session) -> Iterator[None]:
    """Hold around a write transaction up to its commit.

    SQLite has one writer at a time, and a connection that finds the database locked sleeps
    (1, 2, 5, 10 ms ...) before retrying; the requests of one process therefore take turns
    on a lock instead, which keeps the latency flat. Other databases lock rows: no-op.
    """
    if db.get_bind().dialect.name != "sqlite":
        yield
        return
    with _SQLITE_WRITER:
        yield


@dataclass
class Prepared:
    """A validated response, ready to insert."""

    row: dict[str, Any]
    answers: list[CheckedAnswer]
    idempotency_key: str | None


@dataclass
class _Lookups:
    """Per-call caches so a batch looks each survey and touchpoint up once."""

    surveys: dict[str, AnswerableSurvey] = field(default_factory=dict)
    channels: dict[str, str] = field(default_factory=dict)


def _survey(db: Session, ws: str, survey_id: str, lookups: _Lookups) -> AnswerableSurvey:
    """As ``surveys.answerable``, from a lean lookup (this runs on every submission)."""
    if survey_id not in lookups.surveys:
        header = repo.survey_header(db, ws, survey_id)
        if header is None:
            raise NotFound(f"survey '{survey_id}' does not exist")
        # The row has the attributes the surveys service reads from a Survey.
        lookups.surveys[survey_id] = surveys.answerable_survey(db, cast("Survey", header))
    return lookups.surveys[survey_id]


def _channel(db: Session, ws: str, touchpoint_id: str, lookups: _Lookups) -> str:
    if touchpoint_id not in lookups.channels:
        from cxloop.journeys import service as journeys

        lookups.channels[touchpoint_id] = journeys.get_touchpoint(db, ws, touchpoint_id).channel
    return lookups.channels[touchpoint_id]


def _language(data: ResponseCreate, survey: AnswerableSurvey) -> str:
    """The answer's language: a survey language where one matches (vi-VN -> vi), else as sent."""
    for candidate in (data.language, data.contact.language if data.contact else None):
        if candidate:
            try:
                tag = normalise_language(candidate)
            except ValueError:
                continue
            return match_language(tag, survey.languages) or tag
    return survey.default_language


def _contact_id(db: Session, ws: str, ref: ContactRef | None) -> str | None:
    if ref is None:
        return None
    from cxloop.contacts import service as contacts

    if ref.id:
        return contacts.get_contact(db, ws, ref.id).id
    if not ref.external_id and not ref.email:
        raise Invalid("contact: give an id, an external_id or an email")
    contact = contacts.find_or_create_contact(
        db, ws, external_id=ref.external_id, email=ref.email, name=ref.name, language=ref.language
    )
    return contact.id


def prepare(
    db: Session,
    workspace_id: str,
    data: ResponseCreate,
    *,
    source: str,
    lookups: _Lookups | None = None,
    survey: AnswerableSurvey | None = None,
    history: bool = False,
) -> Prepared:
    """Validates one response; raises Invalid listing every problem with its field.

    ``history`` also checks earlier responses for quality flags (single submissions only).
    """
    lookups = lookups or _Lookups()
    survey = survey or _survey(db, workspace_id, data.survey_id, lookups)
    checked, errors = check_answers(survey.version.questions, survey.version.by_key, data.answers)
    now = utcnow()
    submitted_at = data.submitted_at or now
    if submitted_at.tzinfo is None:
        errors.append(
            {"field": "submitted_at", "message": "needs a time zone, e.g. 2026-01-31T10:00:00Z"}
        )
    elif submitted_at > now + FUTURE_TOLERANCE:
        errors.append({"field": "submitted_at", "message": "is in the future"})
    if errors:
        raise Invalid("; ".join(f"{e['field']}: {e['message']}" for e in errors), details=errors)
    touchpoint_id = data.touchpoint_id or survey.touchpoint_id
    channel = data.channel.value if data.channel else None
    if touchpoint_id and (channel is None or data.touchpoint_id):
        channel = channel or _channel(db, workspace_id, touchpoint_id, lookups)
    row = {
        "id": ordered_id(),
        "created_at": now,
        "workspace_id": workspace_id,
        "survey_id": survey.id,
        "version_id": survey.version.id,
        "touchpoint_id": touchpoint_id,
        "contact_id": _contact_id(db, workspace_id, data.contact),
        "channel": channel,
        "language": _language(data, survey),
        "source": source,
        "submitted_at": submitted_at,
        "idempotency_key": data.idempotency_key,
        "hidden": data.hidden,
    }
    quality.mark(db if history else None, row, checked, data.started_at)
    return Prepared(row=row, answers=checked, idempotency_key=data.idempotency_key)


def _answer_rows(p: Prepared) -> list[dict[str, Any]]:
    r = p.row
    return [
        {
            "workspace_id": r["workspace_id"],
            "response_id": r["id"],
            "question_id": a.question.id,
            "survey_id": r["survey_id"],
            "touchpoint_id": r["touchpoint_id"],
            "channel": r["channel"],
            "submitted_at": r["submitted_at"],
            "kind": a.question.kind.value,
            "value_number": a.number,
            "value_text": a.text,
            "value_choices": a.choices,
            "good": a.good,
            "bad": a.bad,
        }
        for a in p.answers
    ]


def _interaction_row(p: Prepared) -> dict[str, Any] | None:
    r = p.row
    if not r["contact_id"]:
        return None
    texts = [a.text for a in p.answers if a.text]
    scores = [a.number for a in p.answers if a.question.kind == QuestionKind.nps]
    return {
        "id": ordered_id(),
        "created_at": r["created_at"],
        "workspace_id": r["workspace_id"],
        "contact_id": r["contact_id"],
        "touchpoint_id": r["touchpoint_id"],
        "channel": r["channel"],
        "kind": InteractionKind.survey_response.value,
        "occurred_at": r["submitted_at"],
        "external_id": f"response:{r['id']}",
        "text": "\n".join(texts) or None,
        "value": scores[0] if scores else None,
        "properties": {"response_id": r["id"], "survey_id": r["survey_id"]},
    }


def store(db: Session, prepared: list[Prepared]) -> None:
    """Inserts the responses, and queues rules on them where a workspace has such a rule."""
    answers = [row for p in prepared for row in _answer_rows(p)]
    interactions = [i for p in prepared if (i := _interaction_row(p)) is not None]
    repo.insert_rows(db, [p.row for p in prepared], answers, interactions)
    by_workspace: dict[str, list[str]] = {}
    for p in prepared:
        by_workspace.setdefault(p.row["workspace_id"], []).append(p.row["id"])
    for workspace_id, ids in by_workspace.items():
        rule_events.emit_watched(db, workspace_id, "response.submitted", ids)


def _read(p: Prepared, duplicate: bool = False) -> ResponseRead:
    values: dict[str, float | str | list[str] | None] = {}
    for a in p.answers:
        values[a.question.key] = a.number if a.number is not None else (a.text or a.choices)
    row = {**p.row, "flags": quality.split(p.row.get("flags", ""))}
    return ResponseRead(**{**row, "answers": values, "duplicate": duplicate})


def _stored_duplicate(db: Session, workspace_id: str, key: str | None) -> ResponseRead | None:
    """The response already stored under this idempotency key, if any."""
    if not key:
        return None
    found = repo.existing_keys(db, workspace_id, [key])
    if key not in found:
        return None
    return get_response(db, workspace_id, found[key], duplicate=True)


def _store_one(db: Session, workspace_id: str, prepared: Prepared) -> ResponseRead:
    """Stores one response; a concurrent twin with the same key wins and is returned instead."""
    try:
        store(db, [prepared])
        db.flush()
    except IntegrityError:
        db.rollback()
        stored = _stored_duplicate(db, workspace_id, prepared.idempotency_key)
        if stored is None:
            raise
        return stored
    return _read(prepared)


def submit(
    db: Session, workspace_id: str, data: ResponseCreate, *, source: str = "api"
) -> ResponseRead:
    """Stores one response; the same idempotency key returns the stored one (duplicate=True)."""
    stored = _stored_duplicate(db, workspace_id, data.idempotency_key)
    if stored is not None:
        return stored
    prepared = prepare(db, workspace_id, data, source=source, history=True)
    return _store_one(db, workspace_id, prepared)


def submit_prepared_survey(
    db: Session, survey: AnswerableSurvey, data: ResponseCreate, *, source: str
) -> ResponseRead:
    """Stores a response to a survey already resolved (e.g. from a public link).

    Idempotent like ``submit``: the same key returns the stored response (duplicate=True).
    """
    stored = _stored_duplicate(db, survey.workspace_id, data.idempotency_key)
    if stored is not None:
        return stored
    prepared = prepare(db, survey.workspace_id, data, source=source, survey=survey, history=True)
    return _store_one(db, survey.workspace_id, prepared)


def submit_batch(
    db: Session,
    workspace_id: str,
    items: list[ResponseCreate],
    *,
    max_items: int,
    source: str = "api",
) -> tuple[list[str], int]:
    """All or nothing: every bad item is reported by index, else all are stored.

    Returns the ids of the stored responses and how many were duplicates (already stored).
    A concurrent batch that stored some of the same idempotency keys first makes this one
    start over once, so those items count as duplicates instead of failing.
    """
    if len(items) > max_items:
        raise Invalid(f"items: a batch holds at most {max_items} responses, got {len(items)}")
    try:
        return _submit_batch_once(db, workspace_id, items, source=source)
    except IntegrityError:
        db.rollback()
        if not any(i.idempotency_key for i in items):
            raise
        return _submit_batch_once(db, workspace_id, items, source=source)


def _submit_batch_once(
    db: Session, workspace_id: str, items: list[ResponseCreate], *, source: str
) -> tuple[list[str], int]:
    keys = [i.idempotency_key for i in items if i.idempotency_key]
    seen = repo.existing_keys(db, workspace_id, keys) if keys else {}
    lookups = _Lookups()
    prepared: list[Prepared] = []
    errors: list[dict[str, str]] = []
    duplicates = 0
    for index, item in enumerate(items):
        key = item.idempotency_key
        if key and key in seen:
            duplicates += 1
            continue
        try:
            p = prepare(db, workspace_id, item, source=source, lookups=lookups)
        except CxError as exc:
            details = exc.details or [{"field": "", "message": exc.message}]
            errors += [
                {"field": f"items.{index}.{d['field']}".rstrip("."), "message": d["message"]}
                for d in details
            ]
            continue
        if key:
            seen[key] = p.row["id"]
        prepared.append(p)
    if errors:
        bad = sorted({int(e["field"].split(".")[1]) for e in errors})
        indexes = ", ".join(map(str, bad[:20]))
        raise Invalid(
            f"{len(bad)} of {len(items)} items are invalid (indexes {indexes}); nothing was stored",
            details=errors,
        )
    store(db, prepared)
    db.flush()
    return [p.row["id"] for p in prepared], duplicates


def get_response(
    db: Session, workspace_id: str, response_id: str, duplicate: bool = False
) -> ResponseRead:
    response = repo.response(db, workspace_id, response_id)
    if response is None:
        raise NotFound(f"response '{response_id}' does not exist")
    return _to_read(db, [response], duplicate)[0]


def list_responses(
    db: Session, workspace_id: str, filters: dict[str, Any], limit: int, offset: int
) -> tuple[list[ResponseRead], int]:
    rows, total = repo.responses(db, workspace_id, filters, limit, offset)
    return _to_read(db, list(rows)), total


def _to_read(db: Session, rows: list[Any], duplicate: bool = False) -> list[ResponseRead]:
    answers: dict[str, dict[str, float | str | list[str] | None]] = {r.id: {} for r in rows}
    for answer, key in repo.answers_of(db, [r.id for r in rows]):
        value = answer.value_number if answer.value_number is not None else None
        answers[answer.response_id][key] = (
            value if value is not None else (answer.value_text or answer.value_choices)
        )
    return [
        ResponseRead(
            id=r.id,
            survey_id=r.survey_id,
            version_id=r.version_id,
            touchpoint_id=r.touchpoint_id,
            contact_id=r.contact_id,
            channel=r.channel,
            language=r.language,
            source=r.source,
            submitted_at=r.submitted_at,
            hidden=r.hidden,
            answers=answers[r.id],
            duplicate=duplicate,
            flags=quality.split(r.flags),
            duration_seconds=r.duration_seconds,
        )
        for r in rows
    ]


def parse_period(since: datetime | None, until: datetime | None) -> dict[str, datetime]:
    if since and until and since >= until:
        raise Invalid("from: must be before to")
    return {k: v for k, v in (("since", since), ("until", until)) if v}


def stored_duplicate(db: Session, workspace_id: str, key: str | None) -> ResponseRead | None:
    """The response already stored under this idempotency key (duplicate=True), if any."""
    return _stored_duplicate(db, workspace_id, key)


def read_prepared(prepared: Prepared) -> ResponseRead:
    """What the API answers for a response just stored."""
    return _read(prepared)


def answers_with_kinds(db: Session, response_ids: list[str]) -> dict[str, list[AnswerRead]]:
    """Each response's answers with their question kind (nps, csat, open_text ...)."""
    found: dict[str, list[AnswerRead]] = {rid: [] for rid in response_ids}
    for answer, key in repo.answers_of(db, response_ids):
        value = answer.value_number if answer.value_number is not None else None
        found[answer.response_id].append(
            AnswerRead(
                question_key=key,
                kind=answer.kind,
                value=value if value is not None else (answer.value_text or answer.value_choices),
            )
        )
    return found

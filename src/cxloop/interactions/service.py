"""Interactions: record one or a batch, list, and a contact's timeline. Flushes, never commits.

An `external_id` makes recording idempotent: the same external id stored twice is one row.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cxloop.contacts import service as contacts
from cxloop.core.database import new_id, utcnow
from cxloop.core.errors import Conflict, Invalid, NotFound, PayloadTooLarge
from cxloop.interactions import repository as repo
from cxloop.interactions.models import Interaction, InteractionKind
from cxloop.interactions.repository import InteractionFilter
from cxloop.interactions.resolve import ItemError, Resolver, as_utc
from cxloop.interactions.schemas import (
    BatchResult,
    InteractionCreate,
    NewInteraction,
    TimelineEntry,
)
from cxloop.journeys import service as journeys
from cxloop.rules import events as rule_events

MAX_BATCH = 1000


def get_interaction(db: Session, workspace_id: str, interaction_id: str) -> Interaction:
    found = repo.interaction(db, workspace_id, interaction_id)
    if found is None:
        raise NotFound(f"interaction '{interaction_id}' does not exist")
    return found


def create_interaction(
    db: Session, workspace_id: str, data: InteractionCreate
) -> tuple[Interaction, bool]:
    """Stores one interaction: (interaction, created); a known external_id returns that one.

    A new interaction comes back as a plain object built from the inserted row (not loaded
    into the session).
    """
    if data.external_id:
        existing = repo.by_external_id(db, workspace_id, data.external_id)
        if existing is not None:
            return existing, False
    try:
        row = Resolver(db, workspace_id).row(data)
    except ItemError as exc:
        raise (NotFound if exc.not_found else Invalid)(f"{exc.field}: {exc.message}") from exc
    # A Core insert of the complete row: no unit of work, and the row is what we answer.
    if not data.external_id:
        repo.insert_rows(db, [row])
        rule_events.emit_watched(db, workspace_id, "interaction.created", [row["id"]])
        return Interaction(**row), True
    # the same external id may arrive twice at the same moment: insert unless it is taken
    if repo.insert_unless_external_id_taken(db, row):
        rule_events.emit_watched(db, workspace_id, "interaction.created", [row["id"]])
        return Interaction(**row), True
    stored = repo.by_external_id(db, workspace_id, data.external_id)
    if stored is None:  # the row that took it was deleted in between
        raise Conflict(f"external_id: '{data.external_id}' is being stored; send it again")
    return stored, False


def create_batch(
    db: Session, workspace_id: str, items: Sequence[Any], *, max_items: int = MAX_BATCH
) -> BatchResult:
    """Stores up to ``max_items`` interactions; the error lists every bad item.

    All or nothing: on an error nothing is inserted, and contacts created on the way are
    flushed only, so the caller's rollback (request or command boundary) removes them.
    """
    if len(items) > max_items:
        raise PayloadTooLarge(f"items: at most {max_items} items per batch, got {len(items)}")
    if not items:
        raise Invalid("items: send at least one item")
    errors: list[dict[str, str]] = []
    parsed: list[InteractionCreate | None] = []
    for index, raw in enumerate(items):
        try:
            parsed.append(InteractionCreate.model_validate(raw))
        except ValidationError as exc:
            parsed.append(None)
            errors.extend(_validation_details(f"items.{index}", exc))
    resolver = Resolver(db, workspace_id)
    resolver.prefetch([p for p in parsed if p is not None])
    rows: list[dict[str, Any]] = []
    ids: list[str] = []
    duplicates = 0
    for index, item in enumerate(parsed):
        if item is None:
            continue
        stored = resolver.stored_id(item.external_id)
        if stored is not None:
            duplicates += 1
            ids.append(stored)
            continue
        try:
            row = resolver.row(item)
        except ItemError as exc:
            errors.append({"field": f"items.{index}.{exc.field}", "message": exc.message})
            continue
        rows.append(row)
        ids.append(row["id"])
    if errors:  # contacts created on the way go with the caller's rollback
        raise _batch_error(errors, len(items))
    try:
        repo.insert_rows(db, rows)
    except IntegrityError as exc:
        raise Conflict(
            "external_id: another request stored one of these external ids at the same "
            "moment; send the batch again (stored items are skipped)"
        ) from exc
    rule_events.emit_watched(db, workspace_id, "interaction.created", [r["id"] for r in rows])
    return BatchResult(created=len(rows), duplicates=duplicates, ids=ids)


def list_interactions(
    db: Session, workspace_id: str, filters: InteractionFilter, *, limit: int, offset: int
) -> tuple[list[Interaction], int]:
    """A page of interactions, newest first; unknown contact or touchpoint ids are a 404."""
    if filters.contact_id is not None:
        contacts.get_contact(db, workspace_id, filters.contact_id)
    if filters.touchpoint_id is not None:
        journeys.get_touchpoint(db, workspace_id, filters.touchpoint_id)
    items, total = repo.search(db, workspace_id, filters, limit, offset)
    return list(items), total


def delete_interaction(db: Session, workspace_id: str, interaction_id: str) -> None:
    if not repo.delete_one(db, workspace_id, interaction_id):
        raise NotFound(f"interaction '{interaction_id}' does not exist")


def timeline(
    db: Session, workspace_id: str, contact_id: str, limit: int = 200
) -> list[TimelineEntry]:
    """The contact's interactions on every channel, newest first."""
    contacts.get_contact(db, workspace_id, contact_id)
    found = repo.timeline(db, workspace_id, contact_id, max(1, min(limit, 5000)))
    touchpoint_ids = sorted({i.touchpoint_id for i in found if i.touchpoint_id})
    names = (
        {t.id: t for t in journeys.list_touchpoints(db, workspace_id, ids=touchpoint_ids)}
        if touchpoint_ids
        else {}
    )
    entries = []
    for item in found:
        info = names.get(item.touchpoint_id or "")
        entries.append(
            TimelineEntry(
                id=item.id,
                kind=item.kind,
                channel=item.channel,
                occurred_at=item.occurred_at,
                text=item.text,
                value=item.value,
                thread_id=item.thread_id,
                external_id=item.external_id,
                properties=dict(item.properties or {}),
                touchpoint_id=item.touchpoint_id,
                touchpoint_name=info.name if info else None,
                stage_name=info.stage_name if info else None,
                journey_name=info.journey_name if info else None,
            )
        )
    return entries


def record_interaction(
    db: Session,
    workspace_id: str,
    *,
    contact_id: str,
    kind: InteractionKind | str,
    occurred_at: datetime | None = None,
    touchpoint_id: str | None = None,
    channel: str | None = None,
    text: str | None = None,
    value: float | None = None,
    external_id: str | None = None,
    thread_id: str | None = None,
    properties: dict[str, Any] | None = None,
) -> Interaction:
    """Records one interaction whose contact and touchpoint the caller has already checked
    (e.g. a survey response). A known external_id returns the stored interaction."""
    if external_id:
        existing = repo.by_external_id(db, workspace_id, external_id)
        if existing is not None:
            return existing
    row: dict[str, Any] = {
        "id": new_id(),
        "workspace_id": workspace_id,
        "contact_id": contact_id,
        "kind": _kind(kind),
        "occurred_at": as_utc(occurred_at) if occurred_at else utcnow(),
        "touchpoint_id": touchpoint_id,
        "channel": channel,
        "text": text,
        "value": value,
        "external_id": external_id,
        "thread_id": thread_id,
        "properties": properties or {},
        "created_at": utcnow(),
    }
    if not external_id:
        repo.insert_rows(db, [row])
        return Interaction(**row)
    if repo.insert_unless_external_id_taken(db, row):  # a concurrent twin may have won
        return Interaction(**row)
    stored = repo.by_external_id(db, workspace_id, external_id)
    if stored is None:  # the row that took it was deleted in between
        raise Conflict(f"external_id: '{external_id}' is being stored; send it again")
    return stored


def record_interactions(db: Session, workspace_id: str, items: Sequence[NewInteraction]) -> int:
    """Bulk insert of checked interactions (one statement); skips external ids already stored."""
    known = repo.ids_by_external_id(
        db, workspace_id, {i.external_id for i in items if i.external_id}
    )
    rows = []
    now = utcnow()
    for item in items:
        if item.external_id:
            if item.external_id in known:
                continue
            known[item.external_id] = ""
        rows.append(
            {
                "id": new_id(),
                "workspace_id": workspace_id,
                "contact_id": item.contact_id,
                "touchpoint_id": item.touchpoint_id,
                "channel": item.channel,
                "kind": _kind(item.kind),
                "occurred_at": as_utc(item.occurred_at),
                "external_id": item.external_id,
                "thread_id": item.thread_id,
                "text": item.text,
                "value": item.value,
                "properties": dict(item.properties),
                "created_at": now,
            }
        )
    repo.insert_rows(db, rows)
    return len(rows)


def _kind(kind: InteractionKind | str) -> str:
    try:
        return InteractionKind(kind).value
    except ValueError as exc:
        raise Invalid(f"kind: unknown interaction kind '{kind}'") from exc


def _validation_details(prefix: str, exc: ValidationError) -> list[dict[str, str]]:
    details = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err.get("loc", ()))
        message = str(err.get("msg", "invalid")).removeprefix("Value error, ")
        details.append({"field": f"{prefix}.{loc}" if loc else prefix, "message": message})
    return details


def _batch_error(errors: list[dict[str, str]], total: int) -> Invalid:
    errors = sorted(errors, key=lambda e: int(e["field"].split(".")[1]))
    indexes = sorted({int(e["field"].split(".")[1]) for e in errors})
    summary = "; ".join(f"{e['field']}: {e['message']}" for e in errors[:5])
    more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
    return Invalid(
        f"{len(indexes)} of {total} items are invalid, so none was stored "
        f"(bad items: {', '.join(map(str, indexes))}): {summary}{more}",
        details=errors,
    )

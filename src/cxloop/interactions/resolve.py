"""Turns incoming interactions into rows: finds (or creates) contacts, finds touchpoints.

A Resolver caches what it looked up, so batches and imports cost a few queries per chunk.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from cxloop.contacts import service as contacts
from cxloop.contacts.models import Contact
from cxloop.contacts.validation import normalise_email
from cxloop.core.database import new_id, utcnow
from cxloop.core.errors import Conflict, CxError
from cxloop.interactions import repository as repo
from cxloop.interactions.schemas import InteractionCreate
from cxloop.journeys import service as journeys
from cxloop.journeys.schemas import TouchpointInfo


class ItemError(Exception):
    """One item cannot be stored: which field, and why."""

    def __init__(self, field: str, message: str, *, not_found: bool = False) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
        self.not_found = not_found


class Resolver:
    def __init__(self, db: Session, workspace_id: str) -> None:
        self.db = db
        self.workspace_id = workspace_id
        self._contacts: dict[tuple[str, str], Contact] = {}
        self._stored: dict[str, str] = {}  # external id -> interaction id
        self._touchpoints: dict[str, TouchpointInfo] | None = None
        self._by_key: dict[str, TouchpointInfo] = {}

    def prefetch(self, items: Sequence[InteractionCreate]) -> None:
        """Loads the contacts and already stored external ids of many items in two queries."""
        ids = {i.contact_id for i in items if i.contact_id}
        external_ids = {i.contact_external_id for i in items if i.contact_external_id}
        emails: set[str] = set()
        for item in items:
            try:
                email = normalise_email(item.contact_email)
            except ValueError:
                continue
            if email:
                emails.add(email)
        found = contacts.lookup_contacts(
            self.db, self.workspace_id, ids=ids, external_ids=external_ids, emails=emails
        )
        for contact in found:
            self._remember(contact)
        wanted = {i.external_id for i in items if i.external_id} - self._stored.keys()
        self._stored.update(repo.ids_by_external_id(self.db, self.workspace_id, wanted))

    def stored_id(self, external_id: str | None) -> str | None:
        """The id of the interaction already stored (or queued) under this external id."""
        if not external_id:
            return None
        if external_id not in self._stored:
            self._stored.update(repo.ids_by_external_id(self.db, self.workspace_id, [external_id]))
        return self._stored.get(external_id)

    def row(self, item: InteractionCreate) -> dict[str, Any]:
        """A complete row for the interactions table; raises ItemError."""
        touchpoint = self.touchpoint(item)
        contact = self.contact(item)
        occurred_at = as_utc(item.occurred_at) if item.occurred_at else utcnow()
        row: dict[str, Any] = {
            "id": new_id(),
            "workspace_id": self.workspace_id,
            "contact_id": contact.id,
            "touchpoint_id": touchpoint.id if touchpoint else None,
            "channel": item.channel.value if item.channel else touchpoint and touchpoint.channel,
            "kind": item.kind.value,
            "occurred_at": occurred_at,
            "external_id": item.external_id,
            "thread_id": item.thread_id,
            "text": item.text,
            "value": item.value,
            "properties": dict(item.properties),
            "created_at": utcnow(),
        }
        if item.external_id:
            self._stored[item.external_id] = row["id"]
        return row

    def touchpoint(self, item: InteractionCreate) -> TouchpointInfo | None:
        if self._touchpoints is None:
            infos = journeys.list_touchpoints(self.db, self.workspace_id)
            self._touchpoints = {t.id: t for t in infos}
            self._by_key = {t.key: t for t in infos if t.key}
        by_id = None
        if item.touchpoint_id:
            by_id = self._touchpoints.get(item.touchpoint_id)
            if by_id is None:
                raise ItemError(
                    "touchpoint_id",
                    f"touchpoint '{item.touchpoint_id}' does not exist",
                    not_found=True,
                )
        if item.touchpoint_key:
            by_key = self._by_key.get(item.touchpoint_key)
            if by_key is None:
                raise ItemError(
                    "touchpoint_key",
                    f"no touchpoint has the key '{item.touchpoint_key}'",
                    not_found=True,
                )
            if by_id is not None and by_id.id != by_key.id:
                raise ItemError("touchpoint_key", "names another touchpoint than touchpoint_id")
            return by_key
        return by_id

    def contact(self, item: InteractionCreate) -> Contact:
        if item.contact_id:
            known = self._contacts.get(("id", item.contact_id))
            if known is not None:
                return known
            try:
                contact = contacts.get_contact(self.db, self.workspace_id, item.contact_id)
            except CxError as exc:
                raise ItemError("contact_id", exc.message, not_found=True) from exc
            return self._remember(contact)
        try:
            email = normalise_email(item.contact_email)
        except ValueError as exc:
            raise ItemError("contact_email", str(exc)) from exc
        ext = item.contact_external_id
        known = self._contacts.get(("ext", ext)) if ext else None
        if known is None and email and not ext:
            known = self._contacts.get(("email", email))
        if known is not None:
            return known
        try:
            contact = find_or_create_contact(
                self.db, self.workspace_id, external_id=ext, email=email, name=item.contact_name
            )
        except CxError as exc:
            field = "contact_email" if exc.message.startswith("email") else "contact_external_id"
            raise ItemError(field, _reason(exc.message)) from exc
        return self._remember(contact)

    def _remember(self, contact: Contact) -> Contact:
        self._contacts[("id", contact.id)] = contact
        if contact.external_id:
            self._contacts[("ext", contact.external_id)] = contact
        if contact.email:
            self._contacts[("email", contact.email)] = contact
        return contact


def find_or_create_contact(
    db: Session, workspace_id: str, *, external_id: str | None, email: str | None, name: str | None
) -> Contact:
    """``contacts.find_or_create_contact``, safe when requests create the same contact at once.

    Its lookup and its uniqueness checks are separate statements: a contact that a concurrent
    request commits in between makes the checks fail with Conflict ("already used by another
    contact"). That contact is committed by then, so a second call finds and returns it; a
    real conflict (the email belongs to another external id) is raised again.
    """
    try:
        return contacts.find_or_create_contact(
            db, workspace_id, external_id=external_id, email=email, name=name
        )
    except Conflict:
        return contacts.find_or_create_contact(
            db, workspace_id, external_id=external_id, email=email, name=name
        )


def as_utc(moment: datetime) -> datetime:
    """Naive times are taken as UTC; aware ones are converted to UTC."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _reason(message: str) -> str:
    """'email: x is taken' -> 'x is taken' (the caller names its own field)."""
    head, sep, rest = message.partition(": ")
    return rest if sep and " " not in head else message

"""Contacts: create, update, upsert, search, and find-or-create for ingestion.

Flushes, never commits. External ids and emails are each unique within a workspace.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from cxloop.contacts import repository as repo
from cxloop.contacts.models import Contact
from cxloop.contacts.schemas import ContactFilter
from cxloop.contacts.validation import (
    ATTRIBUTE_NAME,
    AttributeValue,
    check_attributes,
    normalise_email,
    normalise_language,
)
from cxloop.core.database import new_id, utcnow
from cxloop.core.errors import Conflict, Invalid, NotFound

T = TypeVar("T")
_FIELDS = ("external_id", "email", "phone", "name", "language", "attributes")


def get_contact(db: Session, workspace_id: str, contact_id: str) -> Contact:
    contact = repo.contact(db, workspace_id, contact_id)
    if contact is None:
        raise NotFound(f"contact '{contact_id}' does not exist")
    return contact


def find_contact(
    db: Session, workspace_id: str, *, external_id: str | None = None, email: str | None = None
) -> Contact | None:
    """The contact with this external id, else the one with this email, else None."""
    if external_id:
        found = repo.by_external_id(db, workspace_id, external_id)
        if found is not None:
            return found
    email = _valid("email", normalise_email, email)
    return repo.by_email(db, workspace_id, email) if email else None


def lookup_contacts(
    db: Session,
    workspace_id: str,
    *,
    ids: Collection[str] = (),
    external_ids: Collection[str] = (),
    emails: Collection[str] = (),
) -> list[Contact]:
    """Contacts matching any of the ids, external ids or (normalised) emails, in one query."""
    return list(repo.many(db, workspace_id, ids=ids, external_ids=external_ids, emails=emails))


def list_contacts(
    db: Session, workspace_id: str, filters: ContactFilter, *, limit: int = 50, offset: int = 0
) -> tuple[list[Contact], int]:
    """A page of contacts (newest first) and the total number matching the filters."""
    for name in filters.attributes:
        if not ATTRIBUTE_NAME.match(name):
            raise Invalid(f"attr.{name}: not an attribute name (letters, digits, '_' or '-')")
    filters.email = _valid("email", normalise_email, filters.email)
    filters.language = _valid("language", normalise_language, filters.language)
    items, total = repo.search(db, workspace_id, filters, limit, offset)
    return list(items), total


def create_contact(
    db: Session,
    workspace_id: str,
    *,
    external_id: str | None = None,
    email: str | None = None,
    phone: str | None = None,
    name: str = "",
    language: str | None = None,
    attributes: Mapping[str, AttributeValue] | None = None,
) -> Contact:
    """Creates a contact; a taken external id or email is a 409."""
    contact = _new_contact(
        db,
        workspace_id,
        {
            "external_id": external_id,
            "email": email,
            "phone": phone,
            "name": name,
            "language": language,
            "attributes": attributes or {},
        },
    )
    db.add(contact)
    db.flush()
    return contact


def _new_contact(db: Session, workspace_id: str, fields: Mapping[str, Any]) -> Contact:
    """A checked contact, not yet added to the session."""
    contact = Contact(id=new_id(), workspace_id=workspace_id, created_at=utcnow(), attributes={})
    contact.name = ""
    _apply(db, contact, fields)
    return contact


def update_contact(db: Session, workspace_id: str, contact_id: str, **fields: Any) -> Contact:
    """Sets the given fields; ``attributes`` are merged (a null value removes one)."""
    contact = get_contact(db, workspace_id, contact_id)
    _apply(db, contact, fields)
    db.flush()
    return contact


def upsert_contact(
    db: Session,
    workspace_id: str,
    *,
    external_id: str | None = None,
    email: str | None = None,
    **fields: Any,
) -> tuple[Contact, bool]:
    """Updates the contact with this external id (else email) or creates it; (contact, created)."""
    if not external_id and not email:
        raise Invalid("external_id: give an external id or an email")
    existing = find_contact(db, workspace_id, external_id=external_id, email=email)
    if existing is not None and external_id and existing.external_id not in (None, external_id):
        existing = None  # the email belongs to another person's record
    if existing is None:
        return create_contact(
            db, workspace_id, external_id=external_id, email=email, **_creatable(fields)
        ), True
    changes = dict(fields)
    if external_id:
        changes["external_id"] = external_id
    if email:
        changes["email"] = email
    _apply(db, existing, changes)
    db.flush()
    return existing, False


def find_or_create_contact(
    db: Session,
    workspace_id: str,
    *,
    external_id: str | None = None,
    email: str | None = None,
    name: str | None = None,
    phone: str | None = None,
    language: str | None = None,
    attributes: Mapping[str, AttributeValue] | None = None,
) -> Contact:
    """The contact with this external id, else email (linking the external id), else a new one.

    Existing contacts only get blank fields filled; nothing already known is overwritten.
    """
    if external_id is not None and not external_id.strip():
        external_id = None
    email = _valid("email", normalise_email, email)
    if not external_id and not email:
        raise Invalid("contact: give a contact id, an external id or an email")
    contact = find_contact(db, workspace_id, external_id=external_id, email=email)
    if contact is not None:
        if external_id and contact.external_id not in (None, external_id):
            raise Conflict(
                f"email: {email} belongs to the contact with external id "
                f"'{contact.external_id}', not '{external_id}'"
            )
        if email and not contact.email and repo.by_email(db, workspace_id, email) is None:
            contact.email = email
        _fill_blanks(contact, external_id=external_id, name=name, phone=phone)
        if language and not contact.language:
            contact.language = _valid("language", normalise_language, language)
        return contact
    fields = {
        "external_id": external_id,
        "email": email,
        "phone": phone,
        "name": name or "",
        "language": language,
        "attributes": attributes or {},
    }
    try:
        contact = _new_contact(db, workspace_id, fields)
    except Conflict:
        # another request created this contact between our lookup and the uniqueness check
        if find_contact(db, workspace_id, external_id=external_id, email=email) is None:
            raise
        return find_or_create_contact(
            db,
            workspace_id,
            external_id=external_id,
            email=email,
            name=name,
            phone=phone,
            language=language,
            attributes=attributes,
        )
    if contact.external_id is None:
        db.add(contact)
        db.flush()
        return contact
    # another request may create the same external id at the same moment: insert unless taken
    values = {column.key: getattr(contact, column.key) for column in Contact.__table__.columns}
    repo.insert_unless_external_id_taken(db, values)
    created = repo.by_external_id(db, workspace_id, contact.external_id)
    assert created is not None
    return created


def delete_contact(db: Session, workspace_id: str, contact_id: str) -> None:
    db.delete(get_contact(db, workspace_id, contact_id))
    db.flush()


def _apply(db: Session, contact: Contact, fields: Mapping[str, Any]) -> None:
    unknown = set(fields) - set(_FIELDS)
    if unknown:
        raise Invalid(f"{sorted(unknown)[0]}: not a contact field")
    if "external_id" in fields and fields["external_id"] is not None:
        external_id = str(fields["external_id"]).strip() or None
        if external_id and external_id != contact.external_id:
            if repo.by_external_id(db, contact.workspace_id, external_id) is not None:
                raise Conflict(f"external_id: '{external_id}' is already used by another contact")
            contact.external_id = external_id
    if "email" in fields and fields["email"] is not None:
        email = _valid("email", normalise_email, fields["email"])
        if email and email != contact.email:
            if repo.by_email(db, contact.workspace_id, email) is not None:
                raise Conflict(f"email: {email} is already used by another contact")
            contact.email = email
    if fields.get("phone") is not None:
        contact.phone = str(fields["phone"]).strip() or None
    if fields.get("name") is not None:
        contact.name = str(fields["name"]).strip()
    if fields.get("language") is not None:
        contact.language = _valid("language", normalise_language, fields["language"])
    if fields.get("attributes") is not None:
        merged = dict(contact.attributes or {})
        for key, value in _valid("attributes", check_attributes, fields["attributes"]).items():
            if value is None:
                merged.pop(key, None)
            else:
                merged[key] = value
        contact.attributes = merged


def _fill_blanks(contact: Contact, **values: str | None) -> None:
    for field, value in values.items():
        if value and not getattr(contact, field):
            setattr(contact, field, value.strip())


def _creatable(fields: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in fields.items() if v is not None}


def _valid(field: str, check: Callable[[Any], T], value: Any) -> T:
    try:
        return check(value)
    except ValueError as exc:
        raise Invalid(f"{field}: {exc}") from exc

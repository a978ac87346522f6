"""Every query of the contacts feature; each one is scoped to a workspace."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.orm import Session

from cxloop.contacts.models import Contact, attribute_text
from cxloop.contacts.schemas import ContactFilter


def contact(db: Session, workspace_id: str, contact_id: str) -> Contact | None:
    return db.scalar(
        select(Contact).where(Contact.id == contact_id, Contact.workspace_id == workspace_id)
    )


def by_external_id(db: Session, workspace_id: str, external_id: str) -> Contact | None:
    return db.scalar(
        select(Contact).where(
            Contact.workspace_id == workspace_id, Contact.external_id == external_id
        )
    )


def by_email(db: Session, workspace_id: str, email: str) -> Contact | None:
    return db.scalar(
        select(Contact)
        .where(Contact.workspace_id == workspace_id, Contact.email == email)
        .order_by(Contact.created_at, Contact.id)
        .limit(1)
    )


def insert_unless_external_id_taken(db: Session, values: dict[str, Any]) -> None:
    """INSERT ... ON CONFLICT (workspace_id, external_id) DO NOTHING, on both databases."""
    if db.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        db.execute(
            pg_insert(Contact)
            .values(**values)
            .on_conflict_do_nothing(index_elements=["workspace_id", "external_id"])
        )
        return
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    db.execute(
        sqlite_insert(Contact)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["workspace_id", "external_id"])
    )


def many(
    db: Session,
    workspace_id: str,
    *,
    ids: Collection[str] = (),
    external_ids: Collection[str] = (),
    emails: Collection[str] = (),
) -> Sequence[Contact]:
    """Contacts matching any of the given ids, external ids or emails."""
    conditions: list[ColumnElement[bool]] = []
    if ids:
        conditions.append(Contact.id.in_(list(ids)))
    if external_ids:
        conditions.append(Contact.external_id.in_(list(external_ids)))
    if emails:
        conditions.append(Contact.email.in_(list(emails)))
    if not conditions:
        return []
    return db.scalars(
        select(Contact)
        .where(Contact.workspace_id == workspace_id, or_(*conditions))
        .order_by(Contact.created_at, Contact.id)
    ).all()


def search(
    db: Session, workspace_id: str, filters: ContactFilter, limit: int, offset: int
) -> tuple[Sequence[Contact], int]:
    """One page of contacts, newest first, and the number of all matches."""
    query = _filtered(db, workspace_id, filters)
    total = db.scalar(select(func.count()).select_from(query.subquery())) or 0
    items = db.scalars(
        query.order_by(Contact.created_at.desc(), Contact.id.desc()).limit(limit).offset(offset)
    ).all()
    return items, int(total)


def _filtered(db: Session, workspace_id: str, filters: ContactFilter) -> Select[Contact]:
    query = select(Contact).where(Contact.workspace_id == workspace_id)
    if filters.email is not None:
        query = query.where(Contact.email == filters.email)
    if filters.external_id is not None:
        query = query.where(Contact.external_id == filters.external_id)
    if filters.language is not None:
        query = query.where(Contact.language == filters.language)
    if filters.q:
        pattern = "%" + _escape_like(filters.q.strip()) + "%"
        query = query.where(
            or_(
                Contact.name.ilike(pattern, escape="\\"),
                Contact.email.ilike(pattern, escape="\\"),
                Contact.external_id.ilike(pattern, escape="\\"),
            )
        )
    dialect = db.get_bind().dialect.name
    for name, value in filters.attributes.items():
        query = query.where(attribute_text(dialect, name) == value)
    return query


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")

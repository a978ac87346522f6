"""Contacts: customers with identities, attributes and a preferred language."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    JSON,
    ColumnElement,
    Float,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
    case,
    cast,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from cxloop.core.database import Base, IdMixin, TimestampMixin


class Contact(IdMixin, TimestampMixin, Base):
    __tablename__ = "contacts"
    __table_args__ = (
        UniqueConstraint("workspace_id", "external_id"),
        Index("ix_contacts_workspace_email", "workspace_id", "email"),
    )

    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    external_id: Mapped[str | None] = mapped_column(String(200), default=None)
    email: Mapped[str | None] = mapped_column(String(320), default=None)
    phone: Mapped[str | None] = mapped_column(String(40), default=None)
    name: Mapped[str] = mapped_column(String(200), default="")
    language: Mapped[str | None] = mapped_column(String(16), default=None)
    attributes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


def attribute_text(dialect: str, name: str) -> ColumnElement[Any]:
    """An attribute as text, the same on both databases: 'gold', '42', '1.5', 'true'.

    `name` must match ATTRIBUTE_NAME (contacts.validation) before it gets here.
    """
    if dialect == "sqlite":
        path = f'$."{name}"'
        kind = func.json_type(Contact.attributes, path)
        return case(
            (kind == "true", "true"),
            (kind == "false", "false"),
            else_=cast(func.json_extract(Contact.attributes, path), String),
        )
    text: ColumnElement[Any] = Contact.attributes[name].as_string()
    return text


def attribute_number(dialect: str, name: str) -> ColumnElement[Any]:
    """A numeric attribute as a float; NULL where it is missing or not a number."""
    if dialect == "sqlite":
        path = f'$."{name}"'
        kind = func.json_type(Contact.attributes, path)
        number = cast(func.json_extract(Contact.attributes, path), Float)
        return case((kind.in_(("integer", "real")), number), else_=None)
    value = Contact.attributes[name]
    return case(
        (func.json_typeof(value) == "number", cast(value.as_string(), Float)),
        else_=None,
    )

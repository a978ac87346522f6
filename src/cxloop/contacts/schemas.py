"""Pydantic shapes of the contacts feature."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

from cxloop.contacts.validation import (
    AttributeValue,
    check_attributes,
    normalise_email,
    normalise_language,
)


class _ContactFields(BaseModel):
    @field_validator("email", check_fields=False)
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        return normalise_email(value)

    @field_validator("language", check_fields=False)
    @classmethod
    def _language(cls, value: str | None) -> str | None:
        return normalise_language(value)

    @field_validator("attributes", mode="before", check_fields=False)
    @classmethod
    def _attributes(cls, value: object) -> object:
        return None if value is None else check_attributes(value)


class ContactCreate(_ContactFields):
    external_id: str | None = Field(None, min_length=1, max_length=200)
    email: str | None = Field(None, max_length=320)
    phone: str | None = Field(None, max_length=40)
    name: str = Field("", max_length=200)
    language: str | None = Field(None, description="A language tag like en, vi or pt-BR.")
    attributes: dict[str, AttributeValue] = Field(
        default_factory=dict, description="Scalars only: string, number, boolean."
    )


class ContactUpdate(_ContactFields):
    """Fields left out are kept; attributes are merged, and an attribute set to null is removed."""

    external_id: str | None = Field(None, min_length=1, max_length=200)
    email: str | None = Field(None, max_length=320)
    phone: str | None = Field(None, max_length=40)
    name: str | None = Field(None, max_length=200)
    language: str | None = None
    attributes: dict[str, AttributeValue] | None = None


class ContactUpsert(_ContactFields):
    """Fields left out are kept on an existing contact; attributes are merged."""

    email: str | None = Field(None, max_length=320)
    phone: str | None = Field(None, max_length=40)
    name: str | None = Field(None, max_length=200)
    language: str | None = None
    attributes: dict[str, AttributeValue] | None = None


class ContactRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    external_id: str | None
    email: str | None
    phone: str | None
    name: str
    language: str | None
    attributes: dict[str, AttributeValue]
    created_at: datetime


@dataclass
class ContactFilter:
    """Filters of the contact list; every given filter must hold."""

    email: str | None = None
    external_id: str | None = None
    language: str | None = None
    q: str | None = None
    attributes: dict[str, str] = field(default_factory=dict)

"""Normalisation of contact fields; raises ValueError (Pydantic turns it into a 422)."""

from __future__ import annotations

import re
from collections.abc import Mapping

AttributeValue = str | int | float | bool | None

ATTRIBUTE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]{0,63}$")
MAX_ATTRIBUTES = 100
MAX_ATTRIBUTE_TEXT = 2000
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_LANGUAGE = re.compile(r"^([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]{1,8})*$")


def normalise_language(value: str | None) -> str | None:
    """'pt-BR' -> 'pt', 'EN' -> 'en'; empty -> None; anything else not like a tag is refused."""
    if value is None or not value.strip():
        return None
    match = _LANGUAGE.match(value.strip())
    if not match:
        raise ValueError(f"'{value}' is not a language tag like en, vi or pt-BR")
    return match.group(1).lower()


def normalise_email(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    email = value.strip().lower()
    if len(email) > 320 or not _EMAIL.match(email):
        raise ValueError(f"'{value}' is not an email address")
    return email


def check_attributes(values: object) -> dict[str, AttributeValue]:
    """Attribute names are identifiers; values are scalars (null removes on update)."""
    if not isinstance(values, Mapping):
        raise ValueError("must be an object of names to values")
    if len(values) > MAX_ATTRIBUTES:
        raise ValueError(f"at most {MAX_ATTRIBUTES} attributes, got {len(values)}")
    checked: dict[str, AttributeValue] = {}
    for name, value in values.items():
        if not isinstance(name, str) or not ATTRIBUTE_NAME.match(name):
            raise ValueError(
                f"'{name}' is not an attribute name (letters, digits, '_' or '-', max 64)"
            )
        if value is not None and not isinstance(value, str | int | float | bool):
            raise ValueError(f"'{name}' must be a string, number, boolean or null")
        if isinstance(value, float) and value != value:  # NaN
            raise ValueError(f"'{name}' must be a finite number")
        if isinstance(value, str) and len(value) > MAX_ATTRIBUTE_TEXT:
            raise ValueError(f"'{name}' is longer than {MAX_ATTRIBUTE_TEXT} characters")
        checked[name] = value
    return checked


def check_properties(values: object) -> dict[str, AttributeValue]:
    """Properties of an event or interaction: attributes without the nulls (none: empty)."""
    if values is None:
        return {}
    return {k: v for k, v in check_attributes(values).items() if v is not None}

"""Email address syntax: one rule for every feature (syntax only, no DNS look-ups)."""

from __future__ import annotations

import email_validator
from email_validator import EmailNotValidError, validate_email

# Self-hosted companies often mail staff on internal domains such as corp.local (the demo's
# users are @cxloop.local too); email-validator refuses these special-use names unless told.
if "local" in email_validator.SPECIAL_USE_DOMAIN_NAMES:
    email_validator.SPECIAL_USE_DOMAIN_NAMES.remove("local")


def normalised(address: str) -> str:
    """The address in normal form; ValueError saying why when it is not an email address."""
    try:
        return validate_email(address.strip(), check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise ValueError(str(exc)) from None

"""One error base class with a status code and a message, handled in one place."""

from __future__ import annotations

from typing import Any


class CxError(Exception):
    status_code = 400
    code = "bad_request"

    def __init__(self, message: str, *, details: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or []


class NotFound(CxError):
    status_code = 404
    code = "not_found"


class Forbidden(CxError):
    status_code = 403
    code = "forbidden"


class Unauthorized(CxError):
    status_code = 401
    code = "unauthorized"


class Conflict(CxError):
    status_code = 409
    code = "conflict"


class Gone(CxError):
    status_code = 410
    code = "gone"


class Invalid(CxError):
    status_code = 422
    code = "invalid"


class PayloadTooLarge(CxError):
    status_code = 413
    code = "too_large"

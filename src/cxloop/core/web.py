"""Helpers for server-rendered pages: CSRF tokens and rendering with the caller's context."""

from __future__ import annotations

import secrets
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse

from cxloop.core.errors import Forbidden


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(24)
        request.session["csrf"] = token
    return str(token)


def check_csrf(request: Request, token: str | None) -> None:
    expected = request.session.get("csrf")
    if not expected or not token or not secrets.compare_digest(str(expected), token):
        raise Forbidden("the form expired; reload the page and try again")


def render(
    request: Request, template: str, context: dict[str, Any], status_code: int = 200
) -> HTMLResponse:
    """Renders a page; every template gets the CSRF token and the session's user details."""
    base = {
        "csrf_token": csrf_token(request),
        "session_user": request.session.get("user_email"),
        "session_workspace": request.session.get("workspace_name"),
    }
    response: HTMLResponse = request.app.state.templates.TemplateResponse(
        request, template, {**base, **context}, status_code=status_code
    )
    return response

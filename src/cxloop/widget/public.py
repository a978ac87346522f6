"""The widget's public endpoints, called from other sites: the script, events, answers.

CORS is handled here, per route and per workspace: only origins in the workspace's allowed
list get ``Access-Control-Allow-Origin``; any other origin gets a 403 with a message (also on
preflight). Every answer is JSON (the script never shows errors; it fails silently).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, JSONResponse, Response
from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from cxloop.core.deps import AppSettings, DbSession
from cxloop.core.errors import CxError, Forbidden, Invalid
from cxloop.core.handlers import validation_details
from cxloop.core.templating import STATIC
from cxloop.events import ratelimit
from cxloop.widget import service
from cxloop.widget.models import WidgetConfig
from cxloop.widget.schemas import AnswerBody, SeenBody, TrackBody

router = APIRouter()
SCRIPT = STATIC / "widget" / "cxloop.js"
ACTIONS = ("events", "responses", "seen")
MAX_BODY = 64 * 1024
M = TypeVar("M", bound=BaseModel)


@router.get("/w/cxloop.js")
def script() -> Response:
    """The embeddable script (also at /static/widget/cxloop.js)."""
    return FileResponse(
        SCRIPT,
        media_type="text/javascript; charset=utf-8",
        headers={"Cache-Control": "public, max-age=300"},
    )


def _cors(origin: str) -> dict[str, str]:
    return {
        "Access-Control-Allow-Origin": origin,
        "Access-Control-Expose-Headers": "Retry-After",
        "Vary": "Origin",
    }


def _error(exc: CxError, origin: str | None) -> JSONResponse:
    body = {"error": {"code": exc.code, "message": exc.message, "details": exc.details}}
    headers = _cors(origin) if origin else {"Vary": "Origin"}
    return JSONResponse(body, status_code=exc.status_code, headers=headers)


def _allowed(db: Session, key: str, origin: str | None) -> WidgetConfig:
    found = service.config_by_key(db, key)
    if not service.origin_allowed(found, origin):
        shown = origin or "(none: this endpoint is for pages in a browser)"
        raise Forbidden(
            f"origin {shown} is not allowed to use this widget; add it to the allowed "
            "origins in Settings > Widget"
        )
    return found


@router.options("/w/{key}/{action}")
def preflight(key: str, action: str, request: Request, db: DbSession) -> Response:
    origin = request.headers.get("origin")
    try:
        if action not in ACTIONS:
            raise Invalid(f"no widget endpoint '{action}'")
        _allowed(db, key, origin)
    except CxError as exc:
        return _error(exc, None)
    headers = {
        **_cors(origin or ""),
        "Access-Control-Allow-Methods": "POST, OPTIONS",
        "Access-Control-Allow-Headers": "Content-Type",
        "Access-Control-Max-Age": "600",
    }
    return Response(status_code=204, headers=headers)


def _parse(raw: bytes, model: type[M]) -> M:
    if len(raw) > MAX_BODY:
        raise Invalid(f"body: at most {MAX_BODY // 1024} KiB")
    try:
        return model.model_validate(json.loads(raw or b"null"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise Invalid(f"body: malformed JSON: {exc}") from exc
    except ValidationError as exc:
        details = validation_details(list(exc.errors()))
        summary = "; ".join(f"{d['field']}: {d['message']}" for d in details[:5])
        raise Invalid(summary, details=details) from exc


async def _handle(
    request: Request,
    db: Session,
    key: str,
    model: type[M],
    work: Callable[[WidgetConfig, M], dict[str, Any]],
) -> Response:
    raw = await request.body()
    origin = request.headers.get("origin")
    limited = ratelimit.hit(request, "widget", key, ratelimit.client_address(request))
    return await run_in_threadpool(_sync_handle, db, key, origin, raw, model, work, limited)


def _sync_handle(
    db: Session,
    key: str,
    origin: str | None,
    raw: bytes,
    model: type[M],
    work: Callable[[WidgetConfig, M], dict[str, Any]],
    limited: JSONResponse | None,
) -> Response:
    """The database part, in a worker thread like any sync route."""
    if limited is not None:
        try:
            if service.origin_allowed(service.config_by_key(db, key), origin):
                limited.headers.update(_cors(origin or ""))
        except CxError:
            pass
        return limited
    try:
        found = _allowed(db, key, origin)
    except CxError as exc:
        return _error(exc, None)
    try:
        result = work(found, _parse(raw, model))
    except CxError as exc:
        db.rollback()
        return _error(exc, origin)
    db.commit()
    return JSONResponse(result, headers=_cors(origin or ""))


@router.post("/w/{key}/events")
async def track(key: str, request: Request, db: DbSession, settings: AppSettings) -> Response:
    """Records the page's event; answers the survey to show when a widget trigger offered one."""
    return await _handle(
        request, db, key, TrackBody, lambda found, body: service.track(db, settings, found, body)
    )


@router.post("/w/{key}/responses")
async def respond(key: str, request: Request, db: DbSession) -> Response:
    """Stores the visitor's answer to the survey the widget showed."""
    return await _handle(
        request, db, key, AnswerBody, lambda found, body: service.answer(db, found, body)
    )


@router.post("/w/{key}/seen")
async def seen(key: str, request: Request, db: DbSession) -> Response:
    """The survey is on screen: its invitation counts as opened."""

    def work(found: WidgetConfig, body: SeenBody) -> dict[str, Any]:
        service.seen(db, found, body.prompt)
        return {"ok": True}

    return await _handle(request, db, key, SeenBody, work)

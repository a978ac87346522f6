"""Server-rendered pages of comments: the explorer (with inline relabelling), the themes
overview and detail, discovered-theme suggestions and the workspace's theme settings.

Forms work without JavaScript (POST, then a redirect back keeping the filters); small scripts
under /static/comments only add charts and relabelling without a full reload.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Annotated, Any
from urllib.parse import parse_qsl, urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from cxloop.comments import discovery, insights, service, tasks
from cxloop.comments.schemas import (
    CommentCorrection,
    CommentFilters,
    SuggestionAccept,
)
from cxloop.core.deps import DbSession, PageAnalyst, PageViewer, Principal
from cxloop.core.errors import CxError, Invalid, NotFound
from cxloop.core.security import Role, role_at_least
from cxloop.core.web import check_csrf, render
from cxloop.jobs import service as jobs
from cxloop.journeys import service as journeys
from cxloop.journeys.models import Channel
from cxloop.segments import service as segments

router = APIRouter()
Text = Annotated[str, Form()]
Many = Annotated[list[str] | None, Form()]

PER_PAGE = 50
KEY_RULE = "key: use 1 to 64 lowercase letters, digits or _ (e.g. parking_lot)"
SENTIMENTS = ("positive", "neutral", "negative", "mixed")
SOURCES = ("survey", "ticket_opened", "ticket_reopened", "chat", "call", "review", "social_mention")
LANGUAGES = ("en", "vi", "th", "lt")  # keyword fields on the settings page
FILTER_KEYS = (
    *("theme", "sentiment", "language", "touchpoint_id", "channel", "source"),
    *("from", "to", "q", "attribute", "segment_id"),
)
PAGE_KEYS = (*FILTER_KEYS, "before_id", "limit", "taxonomy")
NOTICES = {
    "relabelled": "Saved. The comment keeps your labels when comments are analysed again.",
    "unchanged": "Nothing changed.",
    "discovering": "Looking for new themes in the comments no theme covers. Reload in a moment.",
    "accepted": "Theme added. Analyse all comments again for past comments to get it.",
    "discarded": "Suggestion discarded.",
    "saved": "Theme saved. Analyse all comments again for past comments to follow.",
    "reset": "Theme reset. Analyse all comments again for past comments to follow.",
    "reanalysing": "Analysing all comments again in the background; corrections are kept.",
    "languages": "Expected languages saved.",
    "busy": "That job is already queued or running.",
}


# --- filters and query strings ----------------------------------------------------------------


def _clean(values: Mapping[str, str], keys: tuple[str, ...] = PAGE_KEYS) -> dict[str, str]:
    """The non-empty, known parameters (form fields left blank are dropped)."""
    return {k: str(values[k]).strip() for k in keys if str(values.get(k) or "").strip()}


def _date(field: str, value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise Invalid(f"{field}: '{value}' is not a date; use YYYY-MM-DD") from None


def _filters(raw: Mapping[str, str]) -> CommentFilters:
    """Comment filters from query parameters; bad values raise Invalid naming the field."""
    data: dict[str, Any] = {k: v for k, v in raw.items() if k in FILTER_KEYS}
    data["date_from"] = _date("from", data.pop("from", None))
    data["date_to"] = _date("to", data.pop("to", None))
    if data.get("sentiment") and data["sentiment"] not in SENTIMENTS:
        raise Invalid(f"sentiment: use {', '.join(SENTIMENTS)}")
    try:
        return CommentFilters.model_validate(data)
    except ValidationError as exc:
        raise invalid_of(exc) from None


def _number(params: Mapping[str, str], key: str, default: int) -> int:
    value = params.get(key)
    if value is None:
        return default
    if not value.isdigit() or int(value) < 1:
        raise Invalid(f"{key}: must be a whole number of at least 1")
    return int(value)


def invalid_of(exc: ValidationError) -> Invalid:
    first = exc.errors()[0]
    field = ".".join(str(p) for p in first["loc"]) or "form"
    return Invalid(f"{field}: {first['msg']}")


def _qs(params: Mapping[str, str], **changes: str | None) -> str:
    merged = {**params, **changes}
    return urlencode({k: v for k, v in merged.items() if v})


def can(caller: Principal, role: Role) -> bool:
    return role_at_least(caller.role, role)


def _choices(db: Session, workspace_id: str) -> dict[str, Any]:
    """Options of the filter form."""
    languages = sorted({*LANGUAGES, *service.languages_of(db, workspace_id)})
    return {
        "touchpoints": journeys.list_touchpoints(db, workspace_id),
        "channels": [c.value for c in Channel],
        "sources": SOURCES,
        "languages": languages,
        "segments": segments.list_segments(db, workspace_id),
        "sentiments": SENTIMENTS,
    }


# --- the explorer -----------------------------------------------------------------------------


def _explorer(
    request: Request,
    db: Session,
    caller: Principal,
    params: dict[str, str],
    error: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    ws = caller.workspace_id
    page = None
    try:
        before = _number(params, "before_id", 0) or None
        limit = min(_number(params, "limit", PER_PAGE), 200)
        page = service.list_comments(db, ws, _filters(params), before, limit)
    except CxError as exc:
        db.rollback()
        error, status = error or exc.message, status if error else exc.status_code
    themes = service.taxonomy(db, ws, "themes").themes
    pillars = service.taxonomy(db, ws, "pillars").themes
    context = {
        "page": page,
        "params": params,
        "filter_qs": _qs({k: v for k, v in params.items() if k in FILTER_KEYS}),
        "counts_qs": _qs({k: v for k, v in params.items() if k in FILTER_KEYS}, sentiment=None),
        "back": _qs(params),
        "older_qs": _qs(params, before_id=str(page.next_before_id)) if page else "",
        "themes": [(t.key, t.label("en")) for t in themes],
        "pillars": [(t.key, t.label("en")) for t in pillars],
        "can_edit": can(caller, Role.analyst),
        "error": error,
        "notice": NOTICES.get(request.query_params.get("notice", "")),
        **_choices(db, ws),
    }
    return render(request, "comments/explorer.html", context, status_code=status)


@router.get("/app/comments", response_class=HTMLResponse)
def explorer_page(request: Request, caller: PageViewer, db: DbSession) -> Response:
    return _explorer(request, db, caller, _clean(request.query_params))


@router.post("/app/comments/{comment_id}/label")
def relabel_comment(
    comment_id: int,
    request: Request,
    caller: PageAnalyst,
    db: DbSession,
    csrf: Text = "",
    sentiment: Text = "",
    themes: Many = None,
    themes_shown: Text = "",
    back: Text = "",
) -> Response:
    """Stores a person's sentiment and themes (only what differs from the shown labels)."""
    check_csrf(request, csrf)
    current = service.get_comment(db, caller.workspace_id, comment_id)
    params = _clean(dict(parse_qsl(back)))
    chosen = sorted(dict.fromkeys(k.strip() for k in themes or [] if k.strip()))
    change: dict[str, Any] = {}
    if sentiment and sentiment != current.sentiment:
        change["sentiment"] = sentiment
    if themes_shown and chosen != sorted(t.key for t in current.themes):
        change["themes"] = chosen
    if not change:
        return _back_to(params, "unchanged", comment_id)
    try:
        correction = CommentCorrection.model_validate(change)
        service.correct(db, caller.workspace_id, comment_id, correction, caller.user_id)
    except ValidationError as exc:
        return _explorer(request, db, caller, params, invalid_of(exc).message, 422)
    except CxError as exc:
        db.rollback()
        return _explorer(request, db, caller, params, exc.message, exc.status_code)
    db.commit()
    return _back_to(params, "relabelled", comment_id)


def _back_to(params: dict[str, str], notice: str, comment_id: int) -> Response:
    url = f"/app/comments?{_qs(params, notice=notice)}#c-{comment_id}"
    return RedirectResponse(url, status_code=303)


# --- themes overview, suggestions and detail --------------------------------------------------


def taxonomy_of(params: Mapping[str, str]) -> str:
    which = params.get("taxonomy") or "themes"
    if which not in service.TAXONOMIES:
        raise Invalid("taxonomy: use themes or pillars")
    return which


def _themes_page(
    request: Request,
    db: Session,
    caller: Principal,
    params: dict[str, str],
    error: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    ws = caller.workspace_id
    overview, emerging = None, []
    which = "themes"
    try:
        which = taxonomy_of(params)
        filters = _filters(params)
        overview = insights.overview(db, ws, filters, which)
        emerging = insights.emerging(db, ws, filters) if which == "themes" else []
    except CxError as exc:
        db.rollback()
        error, status = error or exc.message, status if error else exc.status_code
    themes = overview.themes if overview else []
    chart = [
        {"key": t.key, "name": t.name, "x": t.mentions, "y": t.net_sentiment, "share": t.share}
        for t in themes
        if t.mentions
    ]
    suggestions = discovery.suggestions(db, ws, "proposed")
    context = {
        "overview": overview,
        "emerging": emerging,
        "chart": chart,
        "taxonomy": which,
        "params": params,
        "filter_qs": _qs(params),
        "period_qs": _qs({k: v for k, v in params.items() if k != "taxonomy"}),
        "suggestions": suggestions,
        "keys": {s.id: _key_of(s.label, s.keywords) for s in suggestions},
        "discovering": jobs.has_active(db, tasks.DISCOVER, ws),
        "can_edit": can(caller, Role.analyst),
        "touchpoints": journeys.list_touchpoints(db, ws),
        "channels": [c.value for c in Channel],
        "error": error,
        "notice": NOTICES.get(request.query_params.get("notice", "")),
    }
    return render(request, "comments/themes.html", context, status_code=status)


@router.get("/app/themes", response_class=HTMLResponse)
def themes_page(request: Request, caller: PageViewer, db: DbSession) -> Response:
    return _themes_page(request, db, caller, _clean(request.query_params))


def _key_of(label: str, keywords: list[str]) -> str:
    """A theme key proposed for a suggestion (people can change it before accepting)."""
    for text in (label, *keywords):
        key = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")[:64]
        if key:
            return key
    return "new_theme"


def queue_job(db: Session, kind: str, workspace_id: str) -> str:
    if jobs.has_active(db, kind, workspace_id):
        return "busy"
    jobs.enqueue(db, kind, {}, workspace_id=workspace_id)
    db.commit()
    return "queued"


@router.post("/app/themes/discover")
def discover_themes(
    request: Request, caller: PageAnalyst, db: DbSession, csrf: Text = ""
) -> Response:
    check_csrf(request, csrf)
    done = queue_job(db, tasks.DISCOVER, caller.workspace_id)
    notice = "discovering" if done == "queued" else "busy"
    return RedirectResponse(f"/app/themes?notice={notice}#suggestions", status_code=303)


def _suggestion(db: Session, workspace_id: str, suggestion_id: str) -> None:
    """404 unless the suggestion is one of the workspace's (before any form checks)."""
    if suggestion_id not in {s.id for s in discovery.suggestions(db, workspace_id)}:
        raise NotFound(f"suggestion '{suggestion_id}' does not exist")


@router.post("/app/themes/suggestions/{suggestion_id}/accept")
def accept_suggestion(
    suggestion_id: str,
    request: Request,
    caller: PageAnalyst,
    db: DbSession,
    csrf: Text = "",
    key: Text = "",
    name: Text = "",
) -> Response:
    check_csrf(request, csrf)
    _suggestion(db, caller.workspace_id, suggestion_id)
    try:
        data = SuggestionAccept.model_validate({"key": key.strip(), "name": name.strip() or None})
        discovery.accept(db, caller.workspace_id, suggestion_id, data)
    except ValidationError as exc:
        message = invalid_of(exc).message
        if "key" in message:
            message = KEY_RULE
        return _themes_page(request, db, caller, {}, message, 422)
    except CxError as exc:
        db.rollback()
        return _themes_page(request, db, caller, {}, exc.message, exc.status_code)
    db.commit()
    return RedirectResponse("/app/themes?notice=accepted#suggestions", status_code=303)


@router.post("/app/themes/suggestions/{suggestion_id}/discard")
def discard_suggestion(
    suggestion_id: str, request: Request, caller: PageAnalyst, db: DbSession, csrf: Text = ""
) -> Response:
    check_csrf(request, csrf)
    _suggestion(db, caller.workspace_id, suggestion_id)
    discovery.dismiss(db, caller.workspace_id, suggestion_id)
    db.commit()
    return RedirectResponse("/app/themes?notice=discarded#suggestions", status_code=303)


# --- theme settings ---------------------------------------------------------------------------


# --- one theme (routes.py mounts theme_settings first: this would swallow /app/themes/settings)


@router.get("/app/themes/{key}", response_class=HTMLResponse)
def theme_page(key: str, request: Request, caller: PageViewer, db: DbSession) -> Response:
    params = _clean(request.query_params)
    which = taxonomy_of(params)
    found = insights.detail(db, caller.workspace_id, key, _filters(params), which)
    explorer = {k: v for k, v in params.items() if k in FILTER_KEYS and k != "theme"}
    context = {
        "detail": found,
        "taxonomy": which,
        "params": params,
        "explorer_qs": _qs(explorer, theme=key),
        "back_qs": _qs({k: v for k, v in params.items() if k != "theme"}),
        "trend": {
            "labels": [p.period.isoformat() for p in found.trend],
            "mentions": [p.mentions for p in found.trend],
            "negative": [p.negative for p in found.trend],
        },
    }
    return render(request, "comments/theme.html", context)

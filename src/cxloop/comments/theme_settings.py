"""Theme settings pages (/app/themes/settings): a taxonomy's themes with their names and
keywords per language, the expected languages, and re-analysing every comment.

Mounted before the comments pages, whose /app/themes/{key} would otherwise match "settings".
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from cxloop.comments import insights, service, tasks
from cxloop.comments.pages import (
    KEY_RULE,
    LANGUAGES,
    NOTICES,
    Text,
    can,
    invalid_of,
    queue_job,
    taxonomy_of,
)
from cxloop.comments.schemas import TextProfileUpdate, ThemeDefinitionIn, ThemeDefinitionRead
from cxloop.core.deps import DbSession, PageAdmin, PageAnalyst, Principal
from cxloop.core.errors import CxError
from cxloop.core.security import Role
from cxloop.core.web import check_csrf, render
from cxloop.jobs import service as jobs

router = APIRouter()


def _settings_page(
    request: Request,
    db: Session,
    caller: Principal,
    which: str,
    form: dict[str, Any] | None = None,
    error: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    ws = caller.workspace_id
    definitions = insights.definitions(db, ws, which)
    editing = request.query_params.get("edit", "")
    if form is None:
        found = next((d for d in definitions if d.key == editing), None)
        form = _form_of(found) if found else {"key": "", "enabled": True, "new": True}
    context = {
        "taxonomy": which,
        "definitions": definitions,
        "form": form,
        "languages": LANGUAGES,
        "profile": service.read_profile(db, ws, pending_jobs=0),
        "reanalysing": jobs.has_active(db, tasks.REANALYSE, ws),
        "is_admin": can(caller, Role.admin),
        "changed": request.query_params.get("notice") in ("saved", "reset", "accepted"),
        "error": error,
        "notice": NOTICES.get(request.query_params.get("notice", "")),
    }
    return render(request, "comments/settings.html", context, status_code=status)


def _form_of(d: ThemeDefinitionRead) -> dict[str, Any]:
    return {
        "key": d.key,
        "name": d.name.get("en") or next(iter(d.name.values()), ""),
        "description": d.description,
        "enabled": d.enabled,
        "new": False,
        **{f"keywords_{lang}": ", ".join(d.keywords.get(lang, [])) for lang in LANGUAGES},
    }


@router.get("/app/themes/settings", response_class=HTMLResponse)
def settings_page(request: Request, caller: PageAnalyst, db: DbSession) -> Response:
    return _settings_page(request, db, caller, taxonomy_of(request.query_params))


def _words(text: str) -> list[str]:
    return list(dict.fromkeys(w.strip() for w in text.split(",") if w.strip()))


def _settings_back(which: str, notice: str) -> Response:
    return RedirectResponse(
        f"/app/themes/settings?taxonomy={which}&notice={notice}", status_code=303
    )


@router.post("/app/themes/settings")
async def save_theme(request: Request, caller: PageAnalyst, db: DbSession) -> Response:
    """Adds a theme or edits one; other languages' names, keywords and examples are kept."""
    form = {k: str(v) for k, v in (await request.form()).items()}
    check_csrf(request, form.get("csrf"))
    which = taxonomy_of(form)
    key = form.get("key", "").strip()
    old = next(
        (d for d in insights.definitions(db, caller.workspace_id, which) if d.key == key), None
    )
    name = form.get("name", "").strip()
    keywords = dict(old.keywords) if old else {}
    for lang in LANGUAGES:
        keywords[lang] = _words(form.get(f"keywords_{lang}", ""))
    data = {
        "key": key,
        "taxonomy": which,
        "name": {**(old.name if old else {}), **({"en": name} if name else {})},
        "description": form.get("description", "").strip(),
        "keywords": {lang: words for lang, words in keywords.items() if words},
        "examples": old.examples if old else {},
        "enabled": form.get("enabled") == "on",
    }
    shown = {**form, "enabled": data["enabled"], "new": old is None}
    try:
        insights.save_definition(db, caller.workspace_id, ThemeDefinitionIn.model_validate(data))
    except ValidationError as exc:
        message = invalid_of(exc).message
        if message.startswith("key"):
            message = KEY_RULE
        return _settings_page(request, db, caller, which, shown, message, 422)
    except CxError as exc:
        db.rollback()
        return _settings_page(request, db, caller, which, shown, exc.message, exc.status_code)
    db.commit()
    return _settings_back(which, "saved")


@router.post("/app/themes/settings/reset")
def reset_theme(
    request: Request,
    caller: PageAnalyst,
    db: DbSession,
    csrf: Text = "",
    taxonomy: Text = "themes",
    key: Text = "",
) -> Response:
    check_csrf(request, csrf)
    which = taxonomy_of({"taxonomy": taxonomy})
    insights.reset_definition(db, caller.workspace_id, which, key)
    db.commit()
    return _settings_back(which, "reset")


@router.post("/app/themes/settings/reanalyse")
def reanalyse(request: Request, caller: PageAdmin, db: DbSession, csrf: Text = "") -> Response:
    check_csrf(request, csrf)
    done = queue_job(db, tasks.REANALYSE, caller.workspace_id)
    return _settings_back("themes", "reanalysing" if done == "queued" else "busy")


@router.post("/app/themes/settings/languages")
def save_languages(
    request: Request, caller: PageAdmin, db: DbSession, csrf: Text = "", languages: Text = ""
) -> Response:
    check_csrf(request, csrf)
    codes = [c.strip() for c in languages.replace(" ", ",").split(",") if c.strip()]
    try:
        service.update_profile(db, caller.workspace_id, TextProfileUpdate(languages=codes))
    except CxError as exc:
        db.rollback()
        form = None
        return _settings_page(request, db, caller, "themes", form, exc.message, exc.status_code)
    db.commit()
    return _settings_back("themes", "languages")

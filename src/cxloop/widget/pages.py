"""Settings > Widget: the embed snippet, the allowed origins and key rotation."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from cxloop.core.deps import AppSettings, DbSession, PageAdmin
from cxloop.core.errors import CxError
from cxloop.core.web import check_csrf, render
from cxloop.widget import service

router = APIRouter()
NOTICES = {"origins": "Allowed origins saved.", "rotated": "New key made: update your pages."}


@router.get("/app/settings/widget", response_class=HTMLResponse)
def widget_page(
    request: Request, caller: PageAdmin, db: DbSession, settings: AppSettings, notice: str = ""
) -> Response:
    found = service.config(db, caller.workspace_id)
    db.commit()
    context = {
        "widget": service.read(found, settings),
        "origins_text": "\n".join(found.allowed_origins or []),
        "notice": NOTICES.get(notice),
        "error": None,
    }
    return render(request, "widget/settings.html", context)


@router.post("/app/settings/widget/origins")
async def save_origins(
    request: Request, caller: PageAdmin, db: DbSession, settings: AppSettings
) -> Response:
    form = await request.form()
    check_csrf(request, str(form.get("csrf") or ""))
    text = str(form.get("origins") or "")[:20000]
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    try:
        service.set_origins(db, caller.workspace_id, lines)
    except CxError as exc:
        db.rollback()
        found = service.config(db, caller.workspace_id)
        context = {
            "widget": service.read(found, settings),
            "origins_text": text,
            "notice": None,
            "error": exc.message,
        }
        return render(request, "widget/settings.html", context, status_code=exc.status_code)
    db.commit()
    return RedirectResponse("/app/settings/widget?notice=origins", status_code=303)


@router.post("/app/settings/widget/rotate")
async def rotate(request: Request, caller: PageAdmin, db: DbSession) -> Response:
    form = await request.form()
    check_csrf(request, str(form.get("csrf") or ""))
    service.rotate_key(db, caller.workspace_id)
    db.commit()
    return RedirectResponse("/app/settings/widget?notice=rotated", status_code=303)

"""Survey triggers page: the list (with what each does) and a form to add one."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from cxloop.core.deps import DbSession, PageAdmin, PageViewer, Principal
from cxloop.core.errors import CxError, Invalid
from cxloop.core.security import Role, role_at_least
from cxloop.core.web import check_csrf, render
from cxloop.events import triggers
from cxloop.events.models import TriggerChannel
from cxloop.events.schemas import TriggerWrite
from cxloop.journeys import service as journeys
from cxloop.surveys import service as surveys

router = APIRouter()
FIELDS = ("name", "event", "touchpoint_id", "survey_id", "channel", "delay_seconds")
FIELDS_MORE = ("sample_percent", "conditions")
NOTICES = {"created": "Trigger saved.", "deleted": "Trigger deleted."}


def _render(
    request: Request,
    db: DbSession,
    caller: Principal,
    form: dict[str, str] | None = None,
    *,
    error: str | None = None,
    notice: str = "",
    status: int = 200,
) -> HTMLResponse:
    ws = caller.workspace_id
    all_surveys = surveys.list_surveys(db, ws)
    touchpoints = journeys.list_touchpoints(db, ws)
    context: dict[str, Any] = {
        "triggers": triggers.list_triggers(db, ws),
        "surveys": all_surveys,
        "survey_names": {s.id: s.name for s in all_surveys},
        "touchpoints": touchpoints,
        "touchpoint_names": {t.id: t.name for t in touchpoints},
        "channels": [c.value for c in TriggerChannel],
        "form": form or {"channel": "widget", "delay_seconds": "0", "sample_percent": "100"},
        "error": error,
        "notice": NOTICES.get(notice),
        "can_edit": role_at_least(caller.role, Role.admin),
    }
    return render(request, "events/triggers.html", context, status_code=status)


@router.get("/app/triggers", response_class=HTMLResponse)
def triggers_page(
    request: Request, caller: PageViewer, db: DbSession, notice: str = ""
) -> Response:
    return _render(request, db, caller, notice=notice)


def _write(form: dict[str, str]) -> TriggerWrite:
    conditions: Any = []
    if form["conditions"].strip():
        try:
            conditions = json.loads(form["conditions"])
        except json.JSONDecodeError as exc:
            raise Invalid(f"Conditions (JSON): {exc.msg} at column {exc.colno}") from None
    try:
        return TriggerWrite.model_validate(
            {
                "name": form["name"].strip(),
                "event": form["event"].strip() or None,
                "touchpoint_id": form["touchpoint_id"] or None,
                "survey_id": form["survey_id"],
                "channel": form["channel"],
                "delay_seconds": form["delay_seconds"].strip() or 0,
                "sample_percent": form["sample_percent"].strip() or 100,
                "conditions": conditions,
                "active": True,
            }
        )
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"]) or "trigger"
        raise Invalid(f"{where}: {str(err['msg']).removeprefix('Value error, ')}") from None


@router.post("/app/triggers")
async def create_trigger(request: Request, caller: PageAdmin, db: DbSession) -> Response:
    data = await request.form()
    check_csrf(request, str(data.get("csrf") or ""))
    form = {k: str(data.get(k) or "")[:5000] for k in FIELDS + FIELDS_MORE}
    try:
        triggers.create_trigger(db, caller.workspace_id, _write(form))
    except CxError as exc:
        db.rollback()
        return _render(request, db, caller, form, error=exc.message, status=exc.status_code)
    db.commit()
    return RedirectResponse("/app/triggers?notice=created", status_code=303)


@router.post("/app/triggers/{trigger_id}/delete")
async def delete_trigger(
    trigger_id: str, request: Request, caller: PageAdmin, db: DbSession
) -> Response:
    data = await request.form()
    check_csrf(request, str(data.get("csrf") or ""))
    triggers.delete_trigger(db, caller.workspace_id, trigger_id)
    db.commit()
    return RedirectResponse("/app/triggers?notice=deleted", status_code=303)

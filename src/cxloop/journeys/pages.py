"""Journey pages: the list (create from a template) and a journey's stages as columns."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from cxloop.core.deps import DbSession, PageAdmin, PageViewer, Principal
from cxloop.core.errors import CxError, NotFound
from cxloop.core.security import Role, role_at_least
from cxloop.core.web import check_csrf, render
from cxloop.journeys import service
from cxloop.journeys.models import Channel
from cxloop.journeys.schemas import TEMPLATE_STAGES, JourneyTemplate

router = APIRouter()
Text = Annotated[str, Form()]
TEMPLATE_LABELS = {
    JourneyTemplate.purchase: "Before / during / after purchase",
    JourneyTemplate.five_es: "The 5 Es: entice, enter, engage, exit, extend",
}


def _can_edit(caller: Principal) -> bool:
    return role_at_least(caller.role, Role.admin)


def _list_page(
    request: Request, db: DbSession, caller: Principal, error: str | None = None, status: int = 200
) -> HTMLResponse:
    context = {
        "journeys": service.list_journeys(db, caller.workspace_id),
        "counts": service.journey_counts(db, caller.workspace_id),
        "templates": [(t.value, TEMPLATE_LABELS[t], TEMPLATE_STAGES[t]) for t in JourneyTemplate],
        "can_edit": _can_edit(caller),
        "error": error,
    }
    return render(request, "journeys/list.html", context, status_code=status)


def _journey_page(
    request: Request,
    db: DbSession,
    caller: Principal,
    journey_id: str,
    error: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    journey = service.get_journey(db, caller.workspace_id, journey_id)
    stages = service.list_stages(db, caller.workspace_id, journey_id)
    touchpoints = service.list_touchpoints(db, caller.workspace_id, journey_id=journey_id)
    by_stage = {s.id: [t for t in touchpoints if t.stage_id == s.id] for s in stages}
    context = {
        "journey": journey,
        "stages": stages,
        "by_stage": by_stage,
        "channels": [c.value for c in Channel],
        "can_edit": _can_edit(caller),
        "error": error,
    }
    return render(request, "journeys/detail.html", context, status_code=status)


def _back(journey_id: str) -> Response:
    return RedirectResponse(f"/app/journeys/{journey_id}", status_code=303)


@router.get("/app/journeys", response_class=HTMLResponse)
def journeys_page(request: Request, caller: PageViewer, db: DbSession) -> Response:
    return _list_page(request, db, caller)


@router.post("/app/journeys")
def create_journey(
    request: Request,
    caller: PageAdmin,
    db: DbSession,
    name: Text = "",
    template: Text = "",
    csrf: Text = "",
) -> Response:
    check_csrf(request, csrf)
    try:
        journey = service.create_journey(db, caller.workspace_id, name, template=template or None)
    except CxError as exc:
        db.rollback()
        return _list_page(request, db, caller, exc.message, exc.status_code)
    db.commit()
    return _back(journey.id)


@router.get("/app/journeys/{journey_id}", response_class=HTMLResponse)
def journey_page(journey_id: str, request: Request, caller: PageViewer, db: DbSession) -> Response:
    return _journey_page(request, db, caller, journey_id)


@router.post("/app/journeys/{journey_id}/delete")
def delete_journey(
    journey_id: str, request: Request, caller: PageAdmin, db: DbSession, csrf: Text = ""
) -> Response:
    check_csrf(request, csrf)
    service.delete_journey(db, caller.workspace_id, journey_id)
    db.commit()
    return RedirectResponse("/app/journeys", status_code=303)


@router.post("/app/journeys/{journey_id}/stages")
def add_stage(
    journey_id: str,
    request: Request,
    caller: PageAdmin,
    db: DbSession,
    name: Text = "",
    csrf: Text = "",
) -> Response:
    check_csrf(request, csrf)
    try:
        service.create_stage(db, caller.workspace_id, journey_id, name)
    except CxError as exc:
        db.rollback()
        return _journey_page(request, db, caller, journey_id, exc.message, exc.status_code)
    db.commit()
    return _back(journey_id)


@router.post("/app/journeys/{journey_id}/stages/{stage_id}/move")
def move_stage(
    journey_id: str,
    stage_id: str,
    request: Request,
    caller: PageAdmin,
    db: DbSession,
    direction: Text = "right",
    csrf: Text = "",
) -> Response:
    check_csrf(request, csrf)
    stage = service.get_stage(db, caller.workspace_id, stage_id, journey_id=journey_id)
    step = -1 if direction == "left" else 1
    service.update_stage(db, caller.workspace_id, stage_id, position=max(0, stage.position + step))
    db.commit()
    return _back(journey_id)


@router.post("/app/journeys/{journey_id}/stages/{stage_id}/delete")
def delete_stage(
    journey_id: str,
    stage_id: str,
    request: Request,
    caller: PageAdmin,
    db: DbSession,
    csrf: Text = "",
) -> Response:
    check_csrf(request, csrf)
    service.get_stage(db, caller.workspace_id, stage_id, journey_id=journey_id)
    service.delete_stage(db, caller.workspace_id, stage_id)
    db.commit()
    return _back(journey_id)


@router.post("/app/journeys/{journey_id}/touchpoints")
def add_touchpoint(
    journey_id: str,
    request: Request,
    caller: PageAdmin,
    db: DbSession,
    stage_id: Text = "",
    name: Text = "",
    channel: Text = "",
    key: Text = "",
    csrf: Text = "",
) -> Response:
    check_csrf(request, csrf)
    try:
        service.get_stage(db, caller.workspace_id, stage_id, journey_id=journey_id)
        service.create_touchpoint(
            db, caller.workspace_id, stage_id, name, channel, key=key.strip() or None
        )
    except CxError as exc:
        db.rollback()
        return _journey_page(request, db, caller, journey_id, exc.message, exc.status_code)
    db.commit()
    return _back(journey_id)


@router.post("/app/journeys/{journey_id}/touchpoints/{touchpoint_id}/delete")
def delete_touchpoint(
    journey_id: str,
    touchpoint_id: str,
    request: Request,
    caller: PageAdmin,
    db: DbSession,
    csrf: Text = "",
) -> Response:
    check_csrf(request, csrf)
    info = service.touchpoint_info(db, caller.workspace_id, touchpoint_id)
    if info.journey_id != journey_id:
        raise NotFound(f"touchpoint '{touchpoint_id}' does not exist")
    service.delete_touchpoint(db, caller.workspace_id, touchpoint_id)
    db.commit()
    return _back(journey_id)

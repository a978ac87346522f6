"""The case page: header with SLA countdowns, the customer's context, the timeline, notes and
messages, and forms for what can be done next. A refused action re-renders the page with the
message naming what is wrong."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from cxloop.cases import board, context, followup, service, teams
from cxloop.cases.list_pages import router  # after the fixed /app/cases/... paths
from cxloop.cases.page_common import PageAgent, labels, posted, readable
from cxloop.cases.schemas import PRIORITIES, CaseUpdate, RootCauseUpdate, Transition
from cxloop.cases.service import TRANSITIONS
from cxloop.core.deps import AppSettings, DbSession, PageViewer, Principal
from cxloop.core.errors import CxError, Invalid
from cxloop.core.security import Role, role_at_least
from cxloop.core.web import render
from cxloop.surveys import service as surveys

NOTICES = {
    "status": "Status changed.",
    "note": "Note added.",
    "message": "Message queued for sending to the customer.",
    "assigned": "Case updated.",
    "obstacle": "Root cause flagged as a policy or process obstacle.",
}
STATUS_LABELS = {
    "new": "New",
    "open": "Open",
    "waiting_on_customer": "Waiting on customer",
    "resolved": "Resolved",
    "closed": "Closed",
    "reopened": "Reopened",
}
ACTION_LABELS = {
    "open": "Start working (open)",
    "waiting_on_customer": "Wait on the customer",
    "resolved": "Resolve",
    "closed": "Close",
    "reopened": "Reopen",
}


def _render(
    request: Request,
    db: DbSession,
    caller: Principal,
    case_id: str,
    *,
    notice: str = "",
    error: str | None = None,
    form: dict[str, str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    ws = caller.workspace_id
    detail = context.case_detail(db, ws, case_id)
    names = labels(db, ws)
    causes = teams.list_root_causes(db, ws)
    ctx = detail.context
    own_survey = ctx.response.survey_id if ctx.response else None
    resurvey_score = (
        followup.response_score(db, ws, detail.resurvey_response_id)
        if detail.resurvey_response_id
        else None
    )
    page: dict[str, Any] = {
        "case": detail,
        "ctx": ctx,
        "names": names,
        "clocks": (
            board.clock_view(detail.first_action_clock, "first_action", detail),
            board.clock_view(detail.resolution_clock, "resolution", detail),
        ),
        "moves": TRANSITIONS[detail.status],
        "status_labels": STATUS_LABELS,
        "action_labels": ACTION_LABELS,
        "causes": [c for c in causes if c.active],
        "cause": next((c for c in causes if c.id == detail.root_cause_id), None),
        "workers": board.workers(db, ws),
        "teams": teams.list_teams(db, ws),
        "priorities": PRIORITIES,
        "surveys": surveys.list_surveys(db, ws),
        "own_survey": own_survey,
        "can_resurvey": detail.contact_id is not None,
        "resurvey_score": resurvey_score,
        "own_score": ctx.response.answers.get("nps") if ctx.response else None,
        "can_work": role_at_least(caller.role, Role.agent),
        "notice": NOTICES.get(notice),
        "error": error,
        "form": form or {},
    }
    return render(request, "cases/case.html", page, status_code=status)


def _refused(
    request: Request,
    db: DbSession,
    caller: Principal,
    case_id: str,
    message: str,
    status: int,
    form: dict[str, str],
) -> HTMLResponse:
    db.rollback()
    return _render(request, db, caller, case_id, error=message, form=form, status=status)


def _done(case_id: str, notice: str) -> RedirectResponse:
    return RedirectResponse(f"/app/cases/{case_id}?notice={notice}", status_code=303)


def _actor(caller: Principal) -> str:
    return f"user:{caller.user_id}"


@router.get("/app/cases/{case_id}", response_class=HTMLResponse)
def case_page(
    case_id: str, request: Request, caller: PageViewer, db: DbSession, notice: str = ""
) -> Response:
    return _render(request, db, caller, case_id, notice=notice)


@router.post("/app/cases/{case_id}/status")
async def change_status(
    case_id: str, request: Request, caller: PageAgent, db: DbSession, settings: AppSettings
) -> Response:
    service.get_case(db, caller.workspace_id, case_id)  # 404 before reading the form
    form = await posted(
        request, "to", "root_cause_id", "resolution", "reason", "resurvey", "resurvey_survey_id"
    )
    try:
        move = Transition(
            to=form["to"],  # checked by the model
            root_cause_id=form["root_cause_id"] or None,
            resolution=form["resolution"] or None,
            reason=form["reason"] or None,
            resurvey=form["to"] == "closed" and bool(form["resurvey"]),
            resurvey_survey_id=form["resurvey_survey_id"] or None,
        )
        followup.change_status(db, settings, caller.workspace_id, case_id, move, _actor(caller))
    except ValidationError as exc:
        return _refused(request, db, caller, case_id, readable(exc), 422, form)
    except CxError as exc:
        return _refused(request, db, caller, case_id, exc.message, exc.status_code, form)
    db.commit()
    return _done(case_id, "status")


@router.post("/app/cases/{case_id}/notes")
async def add_note(
    case_id: str, request: Request, caller: PageAgent, db: DbSession, settings: AppSettings
) -> Response:
    service.get_case(db, caller.workspace_id, case_id)
    form = await posted(request, "kind", "body")
    try:
        if not form["body"].strip():
            raise Invalid("body: write something first")
        if form["kind"] == "message":
            followup.send_message(
                db, settings, caller.workspace_id, case_id, form["body"], _actor(caller)
            )
        else:
            service.add_note(
                db, caller.workspace_id, case_id, "note", form["body"].strip(), _actor(caller)
            )
    except CxError as exc:
        return _refused(request, db, caller, case_id, exc.message, exc.status_code, form)
    db.commit()
    return _done(case_id, "message" if form["kind"] == "message" else "note")


@router.post("/app/cases/{case_id}/assign")
async def assign(
    case_id: str, request: Request, caller: PageAgent, db: DbSession, settings: AppSettings
) -> Response:
    """Owner, team and priority in one form (only what changed is logged)."""
    case = service.get_case(db, caller.workspace_id, case_id)
    form = await posted(request, "owner_id", "team_id", "priority")
    try:
        change = CaseUpdate(
            owner_id=form["owner_id"] or None,
            team_id=form["team_id"] or None,
            priority=form["priority"] or case.priority,
        )
        service.update_case(
            db, caller.workspace_id, case_id, change, _actor(caller), settings.base_url
        )
    except ValidationError as exc:
        return _refused(request, db, caller, case_id, readable(exc), 422, form)
    except CxError as exc:
        return _refused(request, db, caller, case_id, exc.message, exc.status_code, form)
    db.commit()
    return _done(case_id, "assigned")


@router.post("/app/cases/{case_id}/obstacle")
async def flag_obstacle(
    case_id: str, request: Request, caller: PageAgent, db: DbSession
) -> Response:
    """Flags the case's root cause as a policy or process obstacle (the internal loop)."""
    case = service.get_case(db, caller.workspace_id, case_id)
    await posted(request)
    if case.root_cause_id is None:
        return _refused(
            request,
            db,
            caller,
            case_id,
            "root_cause_id: the case has no root cause yet; resolve it with one first",
            422,
            {},
        )
    teams.update_root_cause(
        db, caller.workspace_id, case.root_cause_id, RootCauseUpdate(obstacle=True)
    )
    service.log(db, case, "obstacle_flagged", _actor(caller), root_cause_id=case.root_cause_id)
    db.commit()
    return _done(case_id, "obstacle")

"""Case list pages: the agent inbox (my open cases first, filters, SLA countdowns), the manager
view (workload and loop metrics for a period), the obstacle report, and the settings (root
causes and SLA targets). The case itself is in case_pages.py."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from cxloop.accounts import service as accounts
from cxloop.cases import board, metrics, service, sla, teams
from cxloop.cases.page_common import labels, posted, readable
from cxloop.cases.repository import ACTIVE, CaseFilter
from cxloop.cases.schemas import (
    PRIORITIES,
    RootCauseCreate,
    RootCauseUpdate,
    SlaPolicy,
    TeamUpdate,
    TeamWrite,
)
from cxloop.cases.service import TRANSITIONS
from cxloop.core.deps import DbSession, PageAdmin, PageAnalyst, PageViewer, Principal
from cxloop.core.errors import CxError, Invalid
from cxloop.core.security import Role, role_at_least
from cxloop.core.web import render

router = APIRouter()
PAGE_SIZE = 50
BREAKDOWNS: tuple[metrics.By, ...] = ("team", "owner", "touchpoint", "root_cause")
NOTICES = {
    "cause-created": "Root cause added.",
    "cause-updated": "Root cause saved.",
    "sla-updated": "SLA targets saved.",
    "team-created": "Team added.",
    "team-updated": "Team saved.",
}


def _day(value: str, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise Invalid(f"{name}: '{value}' is not a date (use YYYY-MM-DD)") from None


def _period(db: DbSession, workspace_id: str, start: str, end: str) -> tuple[date, date]:
    last = _day(end, "to") or accounts.workspace_today(db, workspace_id)
    first = _day(start, "from") or last - timedelta(days=29)
    return first, last


@router.get("/app/cases", response_class=HTMLResponse)
def inbox(
    request: Request,
    caller: PageViewer,
    db: DbSession,
    owner: str = "me",
    status: str = "active",
    priority: str = "",
    team: str = "",
    touchpoint: str = "",
    breached: str = "",
    offset: int = 0,
) -> Response:
    """My open cases by default, the most urgent (soonest due) first."""
    if priority and priority not in PRIORITIES:
        raise Invalid(f"priority: unknown value '{priority}'; use one of {', '.join(PRIORITIES)}")
    if breached not in ("", "yes", "no"):
        raise Invalid("breached: use yes or no")
    owner_id = caller.user_id if owner == "me" else (owner or None)
    if owner == "any":
        owner_id = None
    statuses = {"active": ACTIVE, "all": ()}.get(status, (status,))
    filters = CaseFilter(
        owner_id=owner_id,
        team_id=team or None,
        statuses=tuple(statuses),
        priority=priority or None,
        touchpoint_id=touchpoint or None,
        breached={"yes": True, "no": False}.get(breached),
    )
    found = service.list_cases(db, caller.workspace_id, filters, PAGE_SIZE, max(offset, 0))
    names = labels(db, caller.workspace_id)
    context: dict[str, Any] = {
        "page": found,
        "clocks": {
            c.id: (
                board.clock_view(c.first_action_clock, "first_action", c),
                board.clock_view(c.resolution_clock, "resolution", c),
            )
            for c in found.items
        },
        "names": names,
        "workers": board.workers(db, caller.workspace_id),
        "filters": {
            "owner": owner,
            "status": status,
            "priority": priority,
            "team": team,
            "touchpoint": touchpoint,
            "breached": breached,
        },
        "statuses": list(TRANSITIONS),
        "priorities": PRIORITIES,
        "offset": max(offset, 0),
        "page_size": PAGE_SIZE,
    }
    return render(request, "cases/inbox.html", context)


@router.get("/app/cases/manager", response_class=HTMLResponse)
def manager_view(
    request: Request, caller: PageViewer, db: DbSession, start: str = "", end: str = ""
) -> Response:
    """Workload per owner and team now, and the loop's metrics for cases opened in a period."""
    first, last = _period(db, caller.workspace_id, start, end)
    owners, by_team = board.workload(db, caller.workspace_id)
    overall = metrics.case_metrics(db, caller.workspace_id, first, last)
    breakdowns = {
        by: metrics.case_metrics(db, caller.workspace_id, first, last, by).groups
        for by in BREAKDOWNS
    }
    context = {
        "first": first,
        "last": last,
        "owners": owners,
        "teams": by_team,
        "overall": overall.overall,
        "breakdowns": breakdowns,
    }
    return render(request, "cases/manager.html", context)


@router.get("/app/cases/obstacles", response_class=HTMLResponse)
def obstacles_page(
    request: Request, caller: PageViewer, db: DbSession, start: str = "", end: str = ""
) -> Response:
    """The most frequent policy and process obstacles behind cases, with example cases."""
    first, last = _day(start, "from"), _day(end, "to")
    since, until = accounts.workspace_days(db, caller.workspace_id, first, last)
    context = {
        "report": board.obstacle_report(db, caller.workspace_id, since, until),
        "first": first,
        "last": last,
    }
    return render(request, "cases/obstacles.html", context)


def _settings(
    request: Request,
    db: DbSession,
    caller: Principal,
    *,
    notice: str = "",
    error: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    context = {
        "causes": teams.list_root_causes(db, caller.workspace_id),
        "policy": sla.policy(db, caller.workspace_id),
        "priorities": PRIORITIES,
        "can_edit_causes": role_at_least(caller.role, Role.analyst),
        "can_edit_sla": role_at_least(caller.role, Role.admin),
        "teams": teams.list_teams(db, caller.workspace_id),
        "workers": board.workers(db, caller.workspace_id),
        "notice": NOTICES.get(notice),
        "error": error,
    }
    return render(request, "cases/settings.html", context, status_code=status)


@router.get("/app/cases/settings", response_class=HTMLResponse)
def settings_page(
    request: Request, caller: PageViewer, db: DbSession, notice: str = ""
) -> Response:
    return _settings(request, db, caller, notice=notice)


@router.post("/app/cases/settings/root-causes")
async def create_root_cause(request: Request, caller: PageAnalyst, db: DbSession) -> Response:
    form = await posted(request, "name", "description", "obstacle")
    try:
        data = RootCauseCreate(
            name=form["name"].strip(),
            description=form["description"].strip(),
            obstacle=bool(form["obstacle"]),
        )
        teams.create_root_cause(db, caller.workspace_id, data)
    except ValidationError as exc:
        return _settings(request, db, caller, error=readable(exc), status=422)
    except CxError as exc:
        db.rollback()
        return _settings(request, db, caller, error=exc.message, status=exc.status_code)
    db.commit()
    return RedirectResponse("/app/cases/settings?notice=cause-created", status_code=303)


@router.post("/app/cases/settings/root-causes/{root_cause_id}")
async def update_root_cause(
    root_cause_id: str, request: Request, caller: PageAnalyst, db: DbSession
) -> Response:
    form = await posted(request, "name", "description", "obstacle", "active")
    try:
        change = RootCauseUpdate(
            name=form["name"].strip() or None,
            description=form["description"].strip(),
            obstacle=bool(form["obstacle"]),
            active=bool(form["active"]),
        )
        teams.update_root_cause(db, caller.workspace_id, root_cause_id, change)
    except ValidationError as exc:
        return _settings(request, db, caller, error=readable(exc), status=422)
    except CxError as exc:
        db.rollback()
        if exc.status_code == 404:
            raise
        return _settings(request, db, caller, error=exc.message, status=exc.status_code)
    db.commit()
    return RedirectResponse("/app/cases/settings?notice=cause-updated", status_code=303)


@router.post("/app/cases/settings/sla")
async def update_sla(request: Request, caller: PageAdmin, db: DbSession) -> Response:
    names = [f"{p}_{k}" for p in PRIORITIES for k in ("first_action_hours", "resolution_hours")]
    form = await posted(request, *names)
    try:
        policy = SlaPolicy.model_validate(
            {
                p: {k: form[f"{p}_{k}"] for k in ("first_action_hours", "resolution_hours")}
                for p in PRIORITIES
            }
        )
    except ValidationError as exc:
        return _settings(request, db, caller, error=readable(exc), status=422)
    sla.update_policy(db, caller.workspace_id, policy)
    db.commit()
    return RedirectResponse("/app/cases/settings?notice=sla-updated", status_code=303)


async def _team_form(request: Request) -> dict[str, Any]:
    """Name, unit and manager of the team form, and its members (a multiple select)."""
    form = await posted(request, "name", "unit", "manager_id")
    members = (await request.form()).getlist("member_ids")
    return {
        "name": form["name"].strip(),
        "unit": form["unit"].strip() or None,
        "manager_id": form["manager_id"] or None,
        "member_ids": [str(m) for m in members][:500],
    }


@router.post("/app/cases/settings/teams")
async def create_team(request: Request, caller: PageAdmin, db: DbSession) -> Response:
    try:
        teams.create_team(db, caller.workspace_id, TeamWrite(**await _team_form(request)))
    except ValidationError as exc:
        return _settings(request, db, caller, error=readable(exc), status=422)
    except CxError as exc:
        db.rollback()
        return _settings(request, db, caller, error=exc.message, status=exc.status_code)
    db.commit()
    return RedirectResponse("/app/cases/settings?notice=team-created", status_code=303)


@router.post("/app/cases/settings/teams/{team_id}")
async def update_team(team_id: str, request: Request, caller: PageAdmin, db: DbSession) -> Response:
    try:
        change = TeamUpdate(**await _team_form(request))
        teams.update_team(db, caller.workspace_id, team_id, change)
    except ValidationError as exc:
        return _settings(request, db, caller, error=readable(exc), status=422)
    except CxError as exc:
        db.rollback()
        if exc.status_code == 404:
            raise
        return _settings(request, db, caller, error=exc.message, status=exc.status_code)
    db.commit()
    return RedirectResponse("/app/cases/settings?notice=team-updated", status_code=303)

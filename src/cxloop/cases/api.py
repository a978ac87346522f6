"""REST API of cases: open, list (inbox, team view), read with the customer's context, update,
change status, notes and messages; teams, root causes, SLA policy and case metrics."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from cxloop.accounts import service as accounts
from cxloop.cases import context, followup, metrics, service, sla, teams
from cxloop.cases.repository import CaseFilter
from cxloop.cases.schemas import (
    CaseCreate,
    CaseDetail,
    CaseMetricsRead,
    CaseNoteRead,
    CasePage,
    CaseRead,
    CaseUpdate,
    NoteCreate,
    ObstacleRead,
    Priority,
    RootCauseCreate,
    RootCauseRead,
    RootCauseUpdate,
    SlaPolicy,
    TeamRead,
    TeamUpdate,
    TeamWrite,
    Transition,
)
from cxloop.core.deps import (
    ApiAdmin,
    ApiAgent,
    ApiAnalyst,
    ApiViewer,
    AppSettings,
    DbSession,
    Principal,
)
from cxloop.core.errors import Invalid
from cxloop.core.pagination import PageParams, page_params

router = APIRouter(tags=["cases"])


def actor(caller: Principal) -> str:
    return f"user:{caller.user_id}" if caller.user_id else f"key:{caller.api_key_id}"


@router.post("/cases", response_model=CaseRead, status_code=201)
def open_case(
    data: CaseCreate, caller: ApiAgent, db: DbSession, response: Response, settings: AppSettings
) -> CaseRead:
    """Opens a case; with a source_key already used, returns that case (200)."""
    case, created = service.open_case(
        db, caller.workspace_id, data, actor(caller), settings.base_url
    )
    db.commit()
    if not created:
        response.status_code = 200
    return service.read(db, [case])[0]


@router.get("/cases", response_model=CasePage)
def list_cases(
    caller: ApiViewer,
    db: DbSession,
    page: Annotated[PageParams, Depends(page_params)],
    owner: Annotated[str | None, Query(description="A user id, or 'me'.")] = None,
    team_id: str | None = None,
    status: Annotated[str | None, Query(description="One or more, comma separated.")] = None,
    priority: Priority | None = None,
    contact_id: str | None = None,
    breached: bool | None = None,
) -> CasePage:
    """Cases sorted by SLA due date: an agent's inbox (owner=me) or a manager's view."""
    if owner == "me":
        if caller.user_id is None:
            raise Invalid("owner: 'me' needs a signed-in user; an API key has none, give a user id")
        owner = caller.user_id
    filters = CaseFilter(
        owner_id=owner,
        team_id=team_id,
        statuses=tuple(s.strip() for s in (status or "").split(",") if s.strip()),
        priority=priority,
        contact_id=contact_id,
        breached=breached,
    )
    return service.list_cases(db, caller.workspace_id, filters, page.limit, page.offset)


@router.get("/cases/{case_id}", response_model=CaseDetail)
def read_case(case_id: str, caller: ApiViewer, db: DbSession) -> CaseDetail:
    """The case with its SLA clocks, event log, notes and the customer's context."""
    return context.case_detail(db, caller.workspace_id, case_id)


@router.patch("/cases/{case_id}", response_model=CaseRead)
def update_case(
    case_id: str, change: CaseUpdate, caller: ApiAgent, db: DbSession, settings: AppSettings
) -> CaseRead:
    case = service.update_case(
        db, caller.workspace_id, case_id, change, actor(caller), settings.base_url
    )
    db.commit()
    return service.read(db, [case])[0]


@router.post("/cases/{case_id}/transitions", response_model=CaseRead)
def change_status(
    case_id: str, move: Transition, caller: ApiAgent, db: DbSession, settings: AppSettings
) -> CaseRead:
    """Moves the case (409 when the rules forbid it; resolving needs root cause + resolution).
    Closing with `resurvey` offers the customer the survey again (see resurvey_* fields)."""
    case = followup.change_status(db, settings, caller.workspace_id, case_id, move, actor(caller))
    db.commit()
    return service.read(db, [case])[0]


@router.post("/cases/{case_id}/notes", response_model=CaseNoteRead, status_code=201)
def add_note(case_id: str, data: NoteCreate, caller: ApiAgent, db: DbSession) -> CaseNoteRead:
    """An internal note."""
    note = service.add_note(db, caller.workspace_id, case_id, "note", data.body, actor(caller))
    db.commit()
    return CaseNoteRead.model_validate(note)


@router.post("/cases/{case_id}/messages", response_model=CaseNoteRead, status_code=201)
def add_message(
    case_id: str, data: NoteCreate, caller: ApiAgent, db: DbSession, settings: AppSettings
) -> CaseNoteRead:
    """A message to the customer, emailed in their language (status `queued`, or `blocked`
    with the reason when they cannot be emailed)."""
    note = followup.send_message(
        db, settings, caller.workspace_id, case_id, data.body, actor(caller)
    )
    db.commit()
    return CaseNoteRead.model_validate(note)


@router.get("/case-metrics", response_model=CaseMetricsRead)
def case_metrics(
    caller: ApiViewer,
    db: DbSession,
    date_from: Annotated[date, Query(alias="from", description="First day (workspace zone).")],
    date_to: Annotated[date, Query(alias="to", description="Last day, included.")],
    by: metrics.By | None = None,
) -> CaseMetricsRead:
    """Cases opened in the period: closed-loop rate, times, reopen and recovery rates."""
    return metrics.case_metrics(db, caller.workspace_id, date_from, date_to, by)


@router.get("/case-sla-policy", response_model=SlaPolicy)
def read_sla_policy(caller: ApiViewer, db: DbSession) -> SlaPolicy:
    """Business hours per priority for first action and resolution."""
    return sla.policy(db, caller.workspace_id)


@router.put("/case-sla-policy", response_model=SlaPolicy)
def update_sla_policy(policy: SlaPolicy, caller: ApiAdmin, db: DbSession) -> SlaPolicy:
    """New targets apply to cases opened or re-prioritised from now on."""
    result = sla.update_policy(db, caller.workspace_id, policy)
    db.commit()
    return result


@router.get("/root-causes", response_model=list[RootCauseRead])
def list_root_causes(caller: ApiViewer, db: DbSession) -> list[RootCauseRead]:
    return teams.list_root_causes(db, caller.workspace_id)


@router.post("/root-causes", response_model=RootCauseRead, status_code=201)
def create_root_cause(data: RootCauseCreate, caller: ApiAnalyst, db: DbSession) -> RootCauseRead:
    result = teams.create_root_cause(db, caller.workspace_id, data)
    db.commit()
    return result


@router.get("/root-causes/obstacles", response_model=list[ObstacleRead])
def obstacles(
    caller: ApiViewer,
    db: DbSession,
    date_from: Annotated[date | None, Query(alias="from")] = None,
    date_to: Annotated[date | None, Query(alias="to")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> list[ObstacleRead]:
    """Policy or process obstacles behind cases opened in the period, most frequent first."""
    start, end = accounts.workspace_days(db, caller.workspace_id, date_from, date_to)
    return teams.obstacles(db, caller.workspace_id, start, end, limit)


@router.patch("/root-causes/{root_cause_id}", response_model=RootCauseRead)
def update_root_cause(
    root_cause_id: str, change: RootCauseUpdate, caller: ApiAnalyst, db: DbSession
) -> RootCauseRead:
    result = teams.update_root_cause(db, caller.workspace_id, root_cause_id, change)
    db.commit()
    return result


@router.get("/teams", response_model=list[TeamRead])
def list_teams(caller: ApiViewer, db: DbSession) -> list[TeamRead]:
    return teams.list_teams(db, caller.workspace_id)


@router.post("/teams", response_model=TeamRead, status_code=201)
def create_team(data: TeamWrite, caller: ApiAdmin, db: DbSession) -> TeamRead:
    result = teams.create_team(db, caller.workspace_id, data)
    db.commit()
    return result


@router.patch("/teams/{team_id}", response_model=TeamRead)
def update_team(team_id: str, change: TeamUpdate, caller: ApiAdmin, db: DbSession) -> TeamRead:
    result = teams.update_team(db, caller.workspace_id, team_id, change)
    db.commit()
    return result

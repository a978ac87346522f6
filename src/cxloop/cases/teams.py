"""Teams (members and a manager, round-robin assignment) and the workspace's root causes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from cxloop.cases import repository as repo
from cxloop.cases.models import RootCause, Team, TeamMember
from cxloop.cases.schemas import (
    ObstacleRead,
    RootCauseCreate,
    RootCauseRead,
    RootCauseUpdate,
    TeamRead,
    TeamUpdate,
    TeamWrite,
)
from cxloop.core.errors import Conflict, Invalid, NotFound
from cxloop.core.security import Role, role_at_least


def check_worker(db: Session, workspace_id: str, user_id: str, field: str) -> None:
    """A case owner or team member must be a member of the workspace who can work cases."""
    role = repo.member_role(db, workspace_id, user_id)
    if role is None:
        raise Invalid(f"{field}: user '{user_id}' is not a member of this workspace")
    if not role_at_least(role, Role.agent):
        raise Invalid(f"{field}: user '{user_id}' is a {role}; cases need an agent or higher")


def get_team(db: Session, workspace_id: str, team_id: str) -> Team:
    team = repo.get_team(db, workspace_id, team_id)
    if team is None:
        raise NotFound(f"team '{team_id}' does not exist")
    return team


def _read(team: Team, members: list[TeamMember]) -> TeamRead:
    return TeamRead(
        id=team.id,
        name=team.name,
        unit=team.unit,
        manager_id=team.manager_id,
        member_ids=sorted(m.user_id for m in members if m.team_id == team.id),
    )


def list_teams(db: Session, workspace_id: str) -> list[TeamRead]:
    found = list(repo.teams(db, workspace_id))
    members = list(repo.members(db, [t.id for t in found]))
    return [_read(t, members) for t in found]


def read_team(db: Session, workspace_id: str, team_id: str) -> TeamRead:
    team = get_team(db, workspace_id, team_id)
    return _read(team, list(repo.members(db, [team.id])))


def _unique_name(db: Session, workspace_id: str, name: str, team_id: str | None) -> None:
    for other in repo.teams(db, workspace_id):
        if other.name == name and other.id != team_id:
            raise Conflict(f"name: a team named '{name}' already exists")


def _unique_unit(db: Session, workspace_id: str, unit: str | None, team_id: str | None) -> None:
    if unit is not None and any(
        t.unit == unit and t.id != team_id for t in repo.teams(db, workspace_id)
    ):
        raise Conflict(f"unit: another team already serves '{unit}'")


def team_of_unit(db: Session, workspace_id: str, unit: str) -> Team | None:
    """The team that serves a unit (store, region ...), if any."""
    return next((t for t in repo.teams(db, workspace_id) if t.unit == unit), None)


def _set_members(db: Session, team: Team, member_ids: list[str]) -> None:
    current = {m.user_id: m for m in repo.members(db, [team.id])}
    for user_id in member_ids:
        check_worker(db, team.workspace_id, user_id, "member_ids")
    for user_id, member in current.items():
        if user_id not in member_ids:
            db.delete(member)
    for user_id in dict.fromkeys(member_ids):
        if user_id not in current:
            db.add(TeamMember(team_id=team.id, user_id=user_id))
    db.flush()


def create_team(db: Session, workspace_id: str, data: TeamWrite) -> TeamRead:
    name = data.name.strip()
    _unique_name(db, workspace_id, name, None)
    if data.manager_id is not None:
        check_worker(db, workspace_id, data.manager_id, "manager_id")
    _unique_unit(db, workspace_id, data.unit, None)
    team = Team(workspace_id=workspace_id, name=name, unit=data.unit, manager_id=data.manager_id)
    db.add(team)
    db.flush()
    _set_members(db, team, data.member_ids)
    return read_team(db, workspace_id, team.id)


def update_team(db: Session, workspace_id: str, team_id: str, change: TeamUpdate) -> TeamRead:
    team = get_team(db, workspace_id, team_id)
    if change.name is not None:
        _unique_name(db, workspace_id, change.name.strip(), team.id)
        team.name = change.name.strip()
    if "unit" in change.model_fields_set:
        _unique_unit(db, workspace_id, change.unit, team.id)
        team.unit = change.unit
    if "manager_id" in change.model_fields_set:
        if change.manager_id is not None:
            check_worker(db, workspace_id, change.manager_id, "manager_id")
        team.manager_id = change.manager_id
    if change.member_ids is not None:
        _set_members(db, team, change.member_ids)
    db.flush()
    return read_team(db, workspace_id, team.id)


def next_in_rotation(db: Session, workspace_id: str, team_id: str) -> str:
    """Round-robin: the member assigned least recently (never assigned first, then the
    earliest to join); that member moves to the back of the line."""
    team = get_team(db, workspace_id, team_id)
    members = list(repo.members(db, [team.id]))
    if not members:
        raise Invalid(f"team_id: team '{team.name}' has no members to assign the case to")
    chosen = members[0]
    chosen.assigned_seq = max(m.assigned_seq for m in members) + 1
    db.flush()
    return chosen.user_id


# root causes


def list_root_causes(db: Session, workspace_id: str) -> list[RootCauseRead]:
    return [RootCauseRead.model_validate(r) for r in repo.root_causes(db, workspace_id)]


def create_root_cause(db: Session, workspace_id: str, data: RootCauseCreate) -> RootCauseRead:
    name = data.name.strip()
    if repo.root_cause_named(db, workspace_id, name) is not None:
        raise Conflict(f"name: a root cause named '{name}' already exists")
    cause = RootCause(
        workspace_id=workspace_id, name=name, description=data.description, obstacle=data.obstacle
    )
    db.add(cause)
    db.flush()
    return RootCauseRead.model_validate(cause)


def update_root_cause(
    db: Session, workspace_id: str, root_cause_id: str, change: RootCauseUpdate
) -> RootCauseRead:
    cause = repo.get_root_cause(db, workspace_id, root_cause_id)
    if cause is None:
        raise NotFound(f"root cause '{root_cause_id}' does not exist")
    if change.name is not None and change.name.strip() != cause.name:
        if repo.root_cause_named(db, workspace_id, change.name.strip()) is not None:
            raise Conflict(f"name: a root cause named '{change.name.strip()}' already exists")
        cause.name = change.name.strip()
    for field in ("description", "obstacle", "active"):
        value = getattr(change, field)
        if value is not None:
            setattr(cause, field, value)
    db.flush()
    return RootCauseRead.model_validate(cause)


def obstacles(
    db: Session, workspace_id: str, start: datetime | None, end: datetime | None, limit: int = 20
) -> list[ObstacleRead]:
    """Root causes flagged as policy or process obstacles, most frequent first."""
    return [
        ObstacleRead(root_cause_id=i, name=n, cases=c)
        for i, n, c in repo.obstacle_counts(db, workspace_id, start, end, limit)
    ]

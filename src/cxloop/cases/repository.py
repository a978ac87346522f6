"""Every query of the cases feature."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from cxloop.accounts.models import Membership, User
from cxloop.cases.models import (
    Case,
    CaseCounter,
    CaseEvent,
    CaseNote,
    RootCause,
    SlaTarget,
    Team,
    TeamMember,
)
from cxloop.comments.models import Comment
from cxloop.responses.models import Answer, Response

ACTIVE = ("new", "open", "waiting_on_customer", "reopened")


def _insert(db: Session, table: Any) -> Any:
    dialect = db.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


def next_number(db: Session, workspace_id: str) -> int:
    """The workspace's next case number; the row lock serialises concurrent openings."""
    db.execute(
        _insert(db, CaseCounter)
        .values(workspace_id=workspace_id, last_number=0)
        .on_conflict_do_nothing(index_elements=["workspace_id"])
    )
    stmt = (
        update(CaseCounter)
        .where(CaseCounter.workspace_id == workspace_id)
        .values(last_number=CaseCounter.last_number + 1)
        .returning(CaseCounter.last_number)
    )
    return int(db.execute(stmt).scalar_one())


def insert_case(db: Session, values: dict[str, Any]) -> str | None:
    """Inserts a case; None when the workspace already has one with the same source_key."""
    stmt = (
        _insert(db, Case)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["workspace_id", "source_key"])
        .returning(Case.id)
    )
    found: str | None = db.execute(stmt).scalar_one_or_none()
    return found


def get_case(db: Session, workspace_id: str, case_id: str) -> Case | None:
    return db.scalar(select(Case).where(Case.workspace_id == workspace_id, Case.id == case_id))


def case_by_source_key(db: Session, workspace_id: str, source_key: str) -> Case | None:
    return db.scalar(
        select(Case).where(Case.workspace_id == workspace_id, Case.source_key == source_key)
    )


def breached_expr(now: datetime) -> ColumnElement[bool]:
    """A clock recorded as breached, or running and past its due date."""
    return or_(
        Case.first_action_breached_at.is_not(None),
        Case.resolution_breached_at.is_not(None),
        and_(Case.first_action_at.is_(None), Case.first_action_due < now),
        and_(Case.status.in_(ACTIVE), Case.paused_at.is_(None), Case.resolution_due < now),
    )


@dataclass(frozen=True)
class CaseFilter:
    owner_id: str | None = None
    team_id: str | None = None
    statuses: tuple[str, ...] = ()
    priority: str | None = None
    contact_id: str | None = None
    breached: bool | None = None
    touchpoint_id: str | None = None


def search(
    db: Session, workspace_id: str, f: CaseFilter, now: datetime, limit: int, offset: int
) -> tuple[Sequence[Case], int]:
    """Cases sorted by their next SLA due date (first action while none, then resolution)."""
    query = select(Case).where(Case.workspace_id == workspace_id)
    for column, value in (
        (Case.owner_id, f.owner_id),
        (Case.team_id, f.team_id),
        (Case.priority, f.priority),
        (Case.contact_id, f.contact_id),
        (Case.touchpoint_id, f.touchpoint_id),
    ):
        if value is not None:
            query = query.where(column == value)
    if f.statuses:
        query = query.where(Case.status.in_(f.statuses))
    if f.breached is not None:
        expr = breached_expr(now)
        query = query.where(expr if f.breached else ~expr)
    total = int(db.scalar(select(func.count()).select_from(query.subquery())) or 0)
    due = case((Case.first_action_at.is_(None), Case.first_action_due), else_=Case.resolution_due)
    rows = db.scalars(query.order_by(due, Case.number).limit(limit).offset(offset)).all()
    return rows, total


def cases_of_contact(
    db: Session, workspace_id: str, contact_id: str, before: datetime
) -> list[Case]:
    return list(
        db.scalars(
            select(Case)
            .where(
                Case.workspace_id == workspace_id,
                Case.contact_id == contact_id,
                Case.opened_at < before,
            )
            .order_by(Case.opened_at.desc())
            .limit(20)
        )
    )


def events_of(db: Session, case_id: str) -> Sequence[CaseEvent]:
    return db.scalars(
        select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(CaseEvent.id)
    ).all()


def notes_of(db: Session, case_id: str) -> Sequence[CaseNote]:
    return db.scalars(
        select(CaseNote).where(CaseNote.case_id == case_id).order_by(CaseNote.id)
    ).all()


def member_role(db: Session, workspace_id: str, user_id: str) -> str | None:
    return db.scalar(
        select(Membership.role).where(
            Membership.workspace_id == workspace_id, Membership.user_id == user_id
        )
    )


def members_of(db: Session, workspace_id: str) -> list[tuple[str, str, str, str]]:
    """(user id, name, email, role) of the workspace's members, by name."""
    rows = db.execute(
        select(User.id, User.name, User.email, Membership.role)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.workspace_id == workspace_id, User.is_active.is_(True))
        .order_by(User.name, User.email)
    )
    return [(str(i), str(n), str(e), str(r)) for i, n, e, r in rows]


def user_emails(db: Session, user_ids: Sequence[str]) -> dict[str, str]:
    if not user_ids:
        return {}
    rows = db.execute(
        select(User.id, User.email).where(User.id.in_(user_ids), User.is_active.is_(True))
    )
    return {str(i): str(e) for i, e in rows}


def user_labels(db: Session, user_ids: Sequence[str]) -> dict[str, str]:
    if not user_ids:
        return {}
    rows = db.execute(select(User.id, User.name, User.email).where(User.id.in_(user_ids)))
    return {r.id: r.name or r.email for r in rows}


# teams


def get_team(db: Session, workspace_id: str, team_id: str) -> Team | None:
    return db.scalar(select(Team).where(Team.workspace_id == workspace_id, Team.id == team_id))


def teams(db: Session, workspace_id: str) -> Sequence[Team]:
    return db.scalars(
        select(Team).where(Team.workspace_id == workspace_id).order_by(Team.name)
    ).all()


def members(db: Session, team_ids: Sequence[str]) -> Sequence[TeamMember]:
    if not team_ids:
        return []
    return db.scalars(
        select(TeamMember)
        .where(TeamMember.team_id.in_(team_ids))
        .order_by(TeamMember.assigned_seq, TeamMember.created_at, TeamMember.user_id)
    ).all()


# root causes and SLA targets


def get_root_cause(db: Session, workspace_id: str, root_cause_id: str) -> RootCause | None:
    return db.scalar(
        select(RootCause).where(
            RootCause.workspace_id == workspace_id, RootCause.id == root_cause_id
        )
    )


def root_causes(db: Session, workspace_id: str) -> Sequence[RootCause]:
    return db.scalars(
        select(RootCause).where(RootCause.workspace_id == workspace_id).order_by(RootCause.name)
    ).all()


def root_cause_named(db: Session, workspace_id: str, name: str) -> RootCause | None:
    return db.scalar(
        select(RootCause).where(RootCause.workspace_id == workspace_id, RootCause.name == name)
    )


def obstacle_counts(
    db: Session, workspace_id: str, start: datetime | None, end: datetime | None, limit: int
) -> list[tuple[str, str, int]]:
    query = (
        select(RootCause.id, RootCause.name, func.count(Case.id))
        .join(Case, Case.root_cause_id == RootCause.id)
        .where(RootCause.workspace_id == workspace_id, RootCause.obstacle.is_(True))
        .group_by(RootCause.id, RootCause.name)
        .order_by(func.count(Case.id).desc(), RootCause.name)
        .limit(limit)
    )
    if start is not None:
        query = query.where(Case.opened_at >= start)
    if end is not None:
        query = query.where(Case.opened_at < end)
    return [(str(i), str(n), int(c)) for i, n, c in db.execute(query)]


def sla_targets(db: Session, workspace_id: str) -> Sequence[SlaTarget]:
    return db.scalars(select(SlaTarget).where(SlaTarget.workspace_id == workspace_id)).all()


def replace_sla_targets(db: Session, workspace_id: str, rows: list[dict[str, Any]]) -> None:
    for old in sla_targets(db, workspace_id):
        db.delete(old)
    db.flush()
    db.add_all(SlaTarget(workspace_id=workspace_id, **row) for row in rows)
    db.flush()


# escalation


def newly_breached(
    db: Session, now: datetime, limit: int = 1000
) -> list[tuple[str, str, str, datetime]]:
    """(workspace_id, case_id, clock, due) of running clocks past due, not yet recorded."""
    first = select(Case.workspace_id, Case.id, Case.first_action_due).where(
        Case.status.in_(ACTIVE),
        Case.first_action_at.is_(None),
        Case.first_action_breached_at.is_(None),
        Case.first_action_due < now,
    )
    resolution = select(Case.workspace_id, Case.id, Case.resolution_due).where(
        Case.status.in_(ACTIVE),
        Case.paused_at.is_(None),
        Case.resolution_breached_at.is_(None),
        Case.resolution_due < now,
    )
    found = [(w, c, "first_action", d) for w, c, d in db.execute(first.limit(limit))]
    found += [(w, c, "resolution", d) for w, c, d in db.execute(resolution.limit(limit))]
    return found


# metrics and context


def opened_between(db: Session, workspace_id: str, start: datetime, end: datetime) -> list[Case]:
    return list(
        db.scalars(
            select(Case).where(
                Case.workspace_id == workspace_id, Case.opened_at >= start, Case.opened_at < end
            )
        )
    )


def nps_answers(
    db: Session, workspace_id: str, contact_ids: Sequence[str]
) -> list[tuple[str, str, datetime, float]]:
    """(contact_id, response_id, submitted_at, score) of the contacts' NPS answers, oldest first."""
    if not contact_ids:
        return []
    rows = db.execute(
        select(Response.contact_id, Answer.response_id, Answer.submitted_at, Answer.value_number)
        .join(Response, Response.id == Answer.response_id)
        .where(
            Answer.workspace_id == workspace_id,
            Answer.kind == "nps",
            Answer.value_number.is_not(None),
            Response.contact_id.in_(contact_ids),
        )
        .order_by(Answer.submitted_at, Answer.id)
    )
    return [(str(c), str(r), t, float(v or 0.0)) for c, r, t, v in rows]


def comment_ids_of_response(db: Session, workspace_id: str, response_id: str) -> list[int]:
    return list(
        db.scalars(
            select(Comment.id)
            .where(Comment.workspace_id == workspace_id, Comment.response_id == response_id)
            .order_by(Comment.id)
        )
    )


# pages: workload, obstacle examples


def workload(
    db: Session, workspace_id: str, by: Any, now: datetime
) -> list[tuple[str | None, int, int, int]]:
    """(key, active cases, breached, waiting on customer) of active cases grouped by `by`
    (Case.owner_id or Case.team_id), most loaded first."""
    breached = func.sum(case((breached_expr(now), 1), else_=0))
    waiting = func.sum(case((Case.status == "waiting_on_customer", 1), else_=0))
    rows = db.execute(
        select(by, func.count(Case.id), breached, waiting)
        .where(Case.workspace_id == workspace_id, Case.status.in_(ACTIVE))
        .group_by(by)
        .order_by(func.count(Case.id).desc())
    )
    return [(k, int(n), int(b or 0), int(w or 0)) for k, n, b, w in rows]


def obstacle_examples(
    db: Session,
    workspace_id: str,
    root_cause_ids: Sequence[str],
    start: datetime | None,
    end: datetime | None,
    per_cause: int = 3,
) -> dict[str, list[Case]]:
    """The latest cases of each root cause (opened in the period), at most per_cause each."""
    found: dict[str, list[Case]] = {}
    for cause_id in root_cause_ids:
        query = select(Case).where(
            Case.workspace_id == workspace_id, Case.root_cause_id == cause_id
        )
        if start is not None:
            query = query.where(Case.opened_at >= start)
        if end is not None:
            query = query.where(Case.opened_at < end)
        found[cause_id] = list(db.scalars(query.order_by(Case.opened_at.desc()).limit(per_cause)))
    return found

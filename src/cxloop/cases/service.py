"""Cases: open (idempotent by source_key), assign, change status by the rules, notes and
messages, with every change in the case's event log. Flushes, never commits."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from cxloop.cases import emails, sla, teams
from cxloop.cases import repository as repo
from cxloop.cases.models import Case, CaseEvent, CaseNote
from cxloop.cases.schemas import (
    PRIORITIES,
    CaseCreate,
    CasePage,
    CaseRead,
    CaseUpdate,
    Transition,
)
from cxloop.comments import service as comments
from cxloop.contacts import service as contacts
from cxloop.core.database import new_id, utcnow
from cxloop.core.errors import Conflict, Invalid, NotFound
from cxloop.journeys import service as journeys
from cxloop.responses import service as responses
from cxloop.rules import events
from cxloop.support.service import calendar_of

# status -> statuses it may move to ("reopened" works like "open")
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "new": ("open", "waiting_on_customer", "resolved"),
    "open": ("waiting_on_customer", "resolved"),
    "reopened": ("open", "waiting_on_customer", "resolved"),
    "waiting_on_customer": ("open", "resolved"),
    "resolved": ("closed", "reopened"),
    "closed": ("reopened",),
}
RULES = {
    "closed": "a case is closed only once it is resolved",
    "reopened": "only a resolved or closed case can be reopened",
}


def is_person(actor: str) -> bool:
    """Actions of people (a user or an API key) count as first action; jobs do not."""
    return actor.startswith(("user:", "key:"))


def log(db: Session, case: Case, kind: str, actor: str, **data: Any) -> None:
    db.add(
        CaseEvent(
            case_id=case.id, workspace_id=case.workspace_id, kind=kind, actor=actor, data=data
        )
    )


def get_case(db: Session, workspace_id: str, case_id: str) -> Case:
    case = repo.get_case(db, workspace_id, case_id)
    if case is None:
        raise NotFound(f"case '{case_id}' does not exist")
    return case


def _links(db: Session, workspace_id: str, data: CaseCreate) -> dict[str, Any]:
    """Checks what the case links to (all in the workspace) and fills in what follows from it:
    a comment gives its response, a response its contact and touchpoint."""
    links: dict[str, Any] = {
        "contact_id": data.contact_id,
        "response_id": data.response_id,
        "comment_id": data.comment_id,
        "touchpoint_id": data.touchpoint_id,
    }
    if data.comment_id is not None:
        comment = comments.get_comment(db, workspace_id, data.comment_id)
        links["response_id"] = links["response_id"] or comment.response_id
        links["contact_id"] = links["contact_id"] or comment.contact_id
        links["touchpoint_id"] = links["touchpoint_id"] or comment.touchpoint_id
    if links["response_id"] is not None:
        response = responses.get_response(db, workspace_id, links["response_id"])
        links["contact_id"] = links["contact_id"] or response.contact_id
        links["touchpoint_id"] = links["touchpoint_id"] or response.touchpoint_id
    if links["contact_id"] is not None:
        contacts.get_contact(db, workspace_id, links["contact_id"])
    if links["touchpoint_id"] is not None:
        journeys.get_touchpoint(db, workspace_id, links["touchpoint_id"])
    return links


def _unit_manager(
    db: Session, workspace_id: str, data: CaseCreate, contact_id: str | None
) -> tuple[str | None, str | None]:
    """(owner, team) for the unit_manager strategy: the manager of the team that serves the
    contact's unit; without one, the case stays with data.team_id, unassigned."""
    if contact_id is None:
        raise Invalid("contact_id: unit_manager needs the case's contact (whose unit decides)")
    attributes = contacts.get_contact(db, workspace_id, contact_id).attributes
    unit = attributes.get(data.unit_attribute)
    team = teams.team_of_unit(db, workspace_id, str(unit)) if unit not in (None, "") else None
    if team is None:
        return None, data.team_id
    return team.manager_id, team.id


def _owner(db: Session, workspace_id: str, data: CaseCreate) -> str | None:
    if data.owner_strategy != "fixed" and data.owner_id is not None:
        raise Invalid(f"owner_id: only with owner_strategy fixed, not {data.owner_strategy}")
    if data.owner_strategy == "round_robin":
        if data.team_id is None:
            raise Invalid("team_id: round_robin assigns within a team; give a team_id")
        return teams.next_in_rotation(db, workspace_id, data.team_id)
    if data.owner_strategy == "fixed" and data.owner_id is not None:
        teams.check_worker(db, workspace_id, data.owner_id, "owner_id")
        return data.owner_id
    return None


def open_case(
    db: Session, workspace_id: str, data: CaseCreate, actor: str, base_url: str = ""
) -> tuple[Case, bool]:
    """Opens a case, or returns the one already opened with the same source_key (False); the
    owner is told by email."""
    if data.source_key is not None:
        existing = repo.case_by_source_key(db, workspace_id, data.source_key)
        if existing is not None:
            return existing, False
    if not data.title.strip():
        raise Invalid("title: must not be blank")
    links = _links(db, workspace_id, data)
    if data.team_id is not None:
        teams.get_team(db, workspace_id, data.team_id)
    if data.owner_strategy == "unit_manager":
        owner_id, team_id = _unit_manager(db, workspace_id, data, links.get("contact_id"))
        data = data.model_copy(update={"team_id": team_id})
    else:
        owner_id = _owner(db, workspace_id, data)
    now = utcnow()
    case = Case(opened_at=now, priority=data.priority, paused_seconds=0.0)
    sla.set_due_dates(case, calendar_of(db, workspace_id), sla.policy(db, workspace_id))
    values = {
        "id": new_id(),
        "workspace_id": workspace_id,
        "number": repo.next_number(db, workspace_id),
        "title": data.title.strip(),
        "status": "new",
        "priority": data.priority,
        "owner_id": owner_id,
        "team_id": data.team_id,
        "source_key": data.source_key,
        "opened_at": now,
        "created_at": now,
        "first_action_due": case.first_action_due,
        "resolution_due": case.resolution_due,
        "paused_seconds": 0.0,
        "resolved_count": 0,
        "reopened_count": 0,
        **links,
    }
    case_id = repo.insert_case(db, values)
    if case_id is None:  # opened concurrently with the same source_key
        assert data.source_key is not None
        existing = repo.case_by_source_key(db, workspace_id, data.source_key)
        assert existing is not None
        return existing, False
    stored = get_case(db, workspace_id, case_id)
    log(
        db,
        stored,
        "opened",
        actor,
        title=stored.title,
        priority=stored.priority,
        owner_id=owner_id,
        team_id=data.team_id,
        source_key=data.source_key,
    )
    db.flush()
    if owner_id is not None:
        emails.assigned(db, stored, owner_id, actor, base_url)
    return stored, True


def _first_action(case: Case, actor: str, now: datetime) -> None:
    if case.first_action_at is None and is_person(actor):
        case.first_action_at = now


def update_case(
    db: Session, workspace_id: str, case_id: str, change: CaseUpdate, actor: str, base_url: str = ""
) -> Case:
    case = get_case(db, workspace_id, case_id)
    given = change.model_fields_set
    if change.title is not None and change.title.strip() != case.title:
        log(db, case, "title_changed", actor, old=case.title, new=change.title.strip())
        case.title = change.title.strip()
    if change.priority is not None and change.priority != case.priority:
        set_priority(db, case, change.priority, actor)
    if "team_id" in given and change.team_id != case.team_id:
        if change.team_id is not None:
            teams.get_team(db, workspace_id, change.team_id)
        log(db, case, "team_changed", actor, old=case.team_id, new=change.team_id)
        case.team_id = change.team_id
    if "owner_id" in given and change.owner_id != case.owner_id:
        if change.owner_id is not None:
            teams.check_worker(db, workspace_id, change.owner_id, "owner_id")
        assign(db, case, change.owner_id, actor)
        db.flush()
        if change.owner_id is not None:
            emails.assigned(db, case, change.owner_id, actor, base_url)
    db.flush()
    return case


def assign(db: Session, case: Case, owner_id: str | None, actor: str) -> None:
    log(db, case, "assigned", actor, old=case.owner_id, new=owner_id)
    case.owner_id = owner_id


def set_priority(db: Session, case: Case, priority: str, actor: str) -> None:
    """A new priority brings its own SLA targets: due dates are computed again."""
    log(db, case, "priority_changed", actor, old=case.priority, new=priority)
    case.priority = priority
    sla.set_due_dates(case, calendar_of(db, case.workspace_id), sla.policy(db, case.workspace_id))


def raise_priority(priority: str) -> str:
    return PRIORITIES[min(PRIORITIES.index(priority) + 1, len(PRIORITIES) - 1)]


def _check_transition(db: Session, case: Case, move: Transition) -> None:
    allowed = TRANSITIONS[case.status]
    if move.to not in allowed:
        rule = RULES.get(move.to, f"from {case.status} a case can go to: {', '.join(allowed)}")
        raise Conflict(f"to: case #{case.number} cannot go from {case.status} to {move.to}; {rule}")
    if move.to == "resolved":
        if not move.root_cause_id:
            raise Invalid("root_cause_id: resolving a case needs a root cause from the list")
        cause = repo.get_root_cause(db, case.workspace_id, move.root_cause_id)
        if cause is None or not cause.active:
            raise Invalid(
                f"root_cause_id: '{move.root_cause_id}' is not in the workspace's root causes"
            )
        if not (move.resolution or "").strip():
            raise Invalid("resolution: resolving a case needs a resolution text")


def transition(db: Session, workspace_id: str, case_id: str, move: Transition, actor: str) -> Case:
    """Moves the case to another status, if the rules allow it (409 or 422 naming the rule)."""
    case = get_case(db, workspace_id, case_id)
    _check_transition(db, case, move)
    now = utcnow()
    calendar, rules = calendar_of(db, workspace_id), sla.policy(db, workspace_id)
    old = case.status
    if old == "waiting_on_customer" or move.to == "reopened":
        sla.resume(case, now, calendar, rules)
    if move.to == "waiting_on_customer":
        sla.pause(case, now)
    elif move.to == "resolved":
        case.root_cause_id = move.root_cause_id
        case.resolution = (move.resolution or "").strip()
        case.resolved_at = now
        case.resolved_count += 1
        sla.pause(case, now)
    elif move.to == "closed":
        case.closed_at = now
    elif move.to == "reopened":
        case.resolved_at = case.closed_at = None
        case.reopened_count += 1
    case.status = move.to
    _first_action(case, actor, now)
    log(
        db,
        case,
        "status_changed",
        actor,
        old=old,
        new=move.to,
        reason=move.reason,
        root_cause_id=move.root_cause_id if move.to == "resolved" else None,
        resolution=case.resolution if move.to == "resolved" else None,
    )
    events.emit(db, workspace_id, "case.status_changed", [case.id], {"from": old, "to": move.to})
    db.flush()
    return case


def add_note(
    db: Session, workspace_id: str, case_id: str, kind: str, body: str, actor: str
) -> CaseNote:
    """An internal note, or a message to the customer stored in the outbox."""
    case = get_case(db, workspace_id, case_id)
    if kind == "message" and case.contact_id is None:
        raise Invalid("contact_id: this case has no contact to send a message to")
    note = CaseNote(
        case_id=case.id,
        workspace_id=workspace_id,
        kind=kind,
        body=body,
        status="outbox" if kind == "message" else "internal",
        actor=actor,
    )
    db.add(note)
    db.flush()
    _first_action(case, actor, note.created_at)
    log(db, case, "message_queued" if kind == "message" else "note_added", actor, note_id=note.id)
    db.flush()
    return note


def read(db: Session, cases: list[Case], now: datetime | None = None) -> list[CaseRead]:
    """Cases with their SLA clocks (remaining business time and breach flags)."""
    if not cases:
        return []
    now = now or utcnow()
    workspace_id = cases[0].workspace_id
    calendar, rules = calendar_of(db, workspace_id), sla.policy(db, workspace_id)
    out = []
    for case in cases:
        first, resolution = sla.clocks(case, calendar, rules, now)
        out.append(
            CaseRead.model_validate(case).model_copy(
                update={
                    "first_action_clock": first,
                    "resolution_clock": resolution,
                    "breached": first.breached or resolution.breached,
                }
            )
        )
    return out


def list_cases(
    db: Session, workspace_id: str, filters: repo.CaseFilter, limit: int, offset: int
) -> CasePage:
    for status in filters.statuses:
        if status not in TRANSITIONS:
            raise Invalid(f"status: unknown value '{status}'; use one of {', '.join(TRANSITIONS)}")
    if filters.team_id is not None:
        teams.get_team(db, workspace_id, filters.team_id)
    now = utcnow()
    rows, total = repo.search(db, workspace_id, filters, now, limit, offset)
    return CasePage(items=read(db, list(rows), now), total=total, limit=limit, offset=offset)


def escalate(
    db: Session, workspace_id: str, case_id: str, clock: str, actor: str, base_url: str = ""
) -> bool:
    """Records a breached SLA clock once: raises the priority one step, hands the case to its
    team's manager (if any), emails the owner and the manager, logs `sla_breached` and emits
    the `case.sla_breached` trigger. False when there is nothing to do."""
    if clock not in sla.CLOCKS:
        raise Invalid(f"clock: unknown value '{clock}'; use one of {', '.join(sla.CLOCKS)}")
    case = repo.get_case(db, workspace_id, case_id)
    now = utcnow()
    if case is None or getattr(case, f"{clock}_breached_at") is not None:
        return False
    if not sla.still_breached(case, clock, now):
        return False
    setattr(case, f"{clock}_breached_at", now)
    old_priority, old_owner = case.priority, case.owner_id
    if raise_priority(case.priority) != case.priority:
        set_priority(db, case, raise_priority(case.priority), actor)
    manager = teams.get_team(db, workspace_id, case.team_id).manager_id if case.team_id else None
    if manager is not None and manager != case.owner_id:
        assign(db, case, manager, actor)
    log(
        db,
        case,
        "sla_breached",
        actor,
        clock=clock,
        due_at=getattr(case, f"{clock}_due").isoformat(),
        old_priority=old_priority,
        new_priority=case.priority,
        old_owner_id=old_owner,
        new_owner_id=case.owner_id,
    )
    recipients = [u for u in (old_owner, manager) if u is not None]
    emails.escalation(db, case, clock, recipients, base_url, case.owner_id != old_owner)
    events.emit(
        db,
        workspace_id,
        "case.sla_breached",
        [case.id],
        {"clock": clock},
        dedupe_key=f"case.sla_breached:{case.id}:{clock}",
    )
    db.flush()
    return True

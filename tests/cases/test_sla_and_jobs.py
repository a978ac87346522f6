"""SLA clocks in business hours, escalation exactly once, opening cases through jobs."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from cxloop.cases import service, sla
from cxloop.cases.models import Case, CaseEvent
from cxloop.cases.schemas import CaseCreate, TeamWrite, Transition
from cxloop.cases.teams import create_team
from cxloop.core.database import utcnow
from cxloop.core.security import Role
from cxloop.core.settings import Settings
from cxloop.jobs import service as jobs
from cxloop.support.service import calendar_of
from tests.cases.helpers import add_user, freeze, worker
from tests.factories import make_tenant

# Mon-Fri 09:00-17:00 UTC (the default calendar); 2026-11-20 is a Friday.
FRI_1500 = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)
MON_1000 = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
TUE_1100 = datetime(2026, 11, 24, 11, 0, tzinfo=UTC)
HOUR = 3600.0


def test_due_dates_follow_business_hours_and_waiting_pauses_the_resolution_clock(
    db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    tenant = make_tenant(db, "Sla")
    ws = tenant.workspace.id
    freeze(monkeypatch, FRI_1500)
    case, _ = service.open_case(db, ws, CaseCreate(title="Late parcel"), "key:k")
    # normal: first action 8 business hours = Fri 15-17 (2h) + Mon 09-15 (6h)
    assert case.first_action_due == datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
    # resolution 40h = Fri 2h + Mon-Thu 32h + Fri 27th 09-15 (6h)
    assert case.resolution_due == datetime(2026, 11, 27, 15, 0, tzinfo=UTC)

    freeze(monkeypatch, MON_1000)
    service.transition(db, ws, case.id, Transition(to="waiting_on_customer"), "key:k")
    calendar, rules = calendar_of(db, ws), sla.policy(db, ws)
    first, resolution = sla.clocks(case, calendar, rules, MON_1000 + timedelta(hours=5))
    assert first.met is True and first.remaining_business_seconds == 5 * HOUR  # 3h used of 8
    # paused since Mon 10:00 after 3 business hours: 37h left, frozen
    assert resolution.remaining_business_seconds == 37 * HOUR and not resolution.running

    freeze(monkeypatch, TUE_1100)
    service.transition(db, ws, case.id, Transition(to="open"), "key:k")
    # paused Mon 10-17 (7h) + Tue 09-11 (2h) = 9h: due moves from Fri 27th 15:00 by 9h
    assert case.paused_seconds == 9 * HOUR
    assert case.resolution_due == datetime(2026, 11, 30, 16, 0, tzinfo=UTC)
    _, resolution = sla.clocks(case, calendar, rules, TUE_1100)
    assert resolution.remaining_business_seconds == 37 * HOUR and resolution.running
    _, late = sla.clocks(case, calendar, rules, datetime(2026, 11, 30, 17, 0, tzinfo=UTC))
    assert late.remaining_business_seconds == -1 * HOUR and late.breached


def test_urgent_cases_get_the_urgent_targets(db: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    tenant = make_tenant(db, "Urgent")
    freeze(monkeypatch, FRI_1500)
    case, _ = service.open_case(
        db, tenant.workspace.id, CaseCreate(title="x", priority="urgent"), "key:k"
    )
    assert case.first_action_due == datetime(2026, 11, 20, 16, 0, tzinfo=UTC)  # 1h
    assert case.resolution_due == datetime(2026, 11, 23, 15, 0, tzinfo=UTC)  # 8h: Fri 2 + Mon 6


def _events(db: Session, case_id: str, kind: str) -> list[CaseEvent]:
    return list(
        db.scalars(select(CaseEvent).where(CaseEvent.case_id == case_id, CaseEvent.kind == kind))
    )


def test_a_breached_case_is_escalated_once_per_clock(
    db: Session, session_factory: sessionmaker[Session], settings: Settings
) -> None:
    tenant = make_tenant(db, "Escalate")
    ws = tenant.workspace.id
    agent, manager = add_user(db, tenant), add_user(db, tenant, Role.admin)
    team = create_team(db, ws, TeamWrite(name="Support", manager_id=manager.id))
    data = CaseCreate(title="Stuck", owner_id=agent.id, team_id=team.id)
    case, _ = service.open_case(db, ws, data, "key:k")
    fresh, _ = service.open_case(db, ws, CaseCreate(title="Fresh"), "key:k")
    case.opened_at = utcnow() - timedelta(days=30)  # both clocks ran out long ago
    sla.set_due_dates(case, calendar_of(db, ws), sla.policy(db, ws))
    db.commit()
    worker(session_factory, settings).drain()
    worker(session_factory, settings).drain()
    db.expire_all()
    breaches = _events(db, case.id, "sla_breached")
    assert sorted(e.data["clock"] for e in breaches) == ["first_action", "resolution"]
    stored = db.get(Case, case.id)
    assert stored is not None
    assert stored.priority == "urgent"  # normal -> high -> urgent, one step per breach
    assert stored.owner_id == manager.id
    assert len(_events(db, case.id, "assigned")) == 1
    assert _events(db, fresh.id, "sla_breached") == []


def test_case_open_jobs_are_idempotent_and_assign_round_robin(
    db: Session, session_factory: sessionmaker[Session], settings: Settings
) -> None:
    tenant = make_tenant(db, "Robin")
    ws = tenant.workspace.id
    agents = [add_user(db, tenant) for _ in range(3)]
    team = create_team(db, ws, TeamWrite(name="Store", member_ids=[a.id for a in agents]))
    db.commit()
    tag = uuid.uuid4().hex
    for i in range(4):
        payload = {
            "title": f"Case {i}",
            "source_key": f"{tag}-{i}",
            "owner_strategy": "round_robin",
            "team_id": team.id,
        }
        jobs.enqueue(db, "case.open", payload, workspace_id=ws)
        jobs.enqueue(db, "case.open", payload, workspace_id=ws)  # the same rule fired twice
    db.commit()
    worker(session_factory, settings).drain()
    cases = list(db.scalars(select(Case).where(Case.workspace_id == ws).order_by(Case.number)))
    assert [c.title for c in cases] == ["Case 0", "Case 1", "Case 2", "Case 3"]
    owners = [c.owner_id for c in cases]
    assert set(owners[:3]) == {a.id for a in agents}  # each member once ...
    assert owners[3] == owners[0]  # ... then the least recently assigned again
    assert all(e.actor.startswith("job:") for e in _events(db, cases[0].id, "opened"))
    assert cases[0].first_action_at is None  # a job is not a person's first action

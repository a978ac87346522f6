"""Caps hold under concurrent offers: many threads, separate sessions, several channels."""

from __future__ import annotations

import itertools
import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from cxloop.core.settings import Settings
from cxloop.invitations.models import Invitation
from cxloop.invitations.service import OfferRequest, offer
from tests.factories import make_tenant
from tests.invitations.helpers import contact, rules, survey

CHANNELS = ("email", "sms", "link", "widget")


def test_no_cap_is_exceeded_under_concurrent_offers(
    db: Session, settings: Settings, session_factory: sessionmaker[Session]
) -> None:
    tenant = make_tenant(db, "Concurrent")
    ws = tenant.workspace.id
    rules(db, ws, workspace_cap=3, survey_cap=2)
    surveys = [survey(db, ws, f"S{i}") for i in range(3)]
    people = [contact(db, ws, phone=f"+8490000000{i}") for i in range(4)]
    jobs = [
        (person.id, sid, channel)
        for person, sid, channel in itertools.product(people, surveys, CHANNELS)
    ] * 2
    start = threading.Barrier(8)
    outcomes: list[bool] = []

    def one(job: tuple[str, str, str]) -> bool:
        person, sid, channel = job
        with session_factory() as session:
            made = offer(
                session,
                settings,
                ws,
                OfferRequest(contact_id=person, survey_id=sid, channel=channel),
            )
            session.commit()
            return made.allowed

    def first(job: tuple[str, str, str]) -> bool:
        start.wait(timeout=30)
        return one(job)

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(first, jobs[:8])) + list(pool.map(one, jobs[8:]))

    db.expire_all()
    per_contact = dict(
        db.execute(
            select(Invitation.contact_id, func.count())
            .where(Invitation.workspace_id == ws, Invitation.status != "blocked")
            .group_by(Invitation.contact_id)
        ).all()
    )
    per_survey = db.execute(
        select(Invitation.contact_id, Invitation.survey_id, func.count())
        .where(Invitation.workspace_id == ws, Invitation.status != "blocked")
        .group_by(Invitation.contact_id, Invitation.survey_id)
    ).all()
    assert len(outcomes) == len(jobs) == 96
    assert per_contact == {p.id: 3 for p in people}  # the cap, reached and never exceeded
    assert max(n for _, _, n in per_survey) <= 2
    assert sum(outcomes) == 12

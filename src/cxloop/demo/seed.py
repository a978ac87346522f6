"""`cxloop demo`: the "Demo Retail" workspace with a year of realistic customer feedback.

Journeys, touchpoints and surveys go through their services; contacts are bulk-inserted;
responses go through the ingestion service (prepare/store, so they are validated and scored
like any other) and interactions through the interactions service, in chunks.
"""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime, timedelta
from datetime import time as clock

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from cxloop.accounts import service as accounts
from cxloop.accounts.models import User, Workspace
from cxloop.contacts.models import Contact
from cxloop.core.database import new_id, utcnow
from cxloop.core.errors import NotFound
from cxloop.core.security import Role, hash_password
from cxloop.core.settings import Settings
from cxloop.demo import activity
from cxloop.demo.activity import Place, Sample
from cxloop.demo.loop import seed_loop
from cxloop.demo.people import Person, contact_row, make_people
from cxloop.demo.plan import JOURNEYS, SURVEYS, TOUCHPOINTS
from cxloop.demo.timeline import Timeline
from cxloop.interactions import service as interactions
from cxloop.interactions.models import Interaction
from cxloop.interactions.schemas import NewInteraction
from cxloop.journeys import service as journeys
from cxloop.journeys.models import Channel
from cxloop.responses import service as responses
from cxloop.responses.models import Answer, Response
from cxloop.responses.schemas import ResponseCreate
from cxloop.surveys import service as surveys
from cxloop.surveys.definitions import AnswerableSurvey

SLUG = "demo"
NAME = "Demo Retail"
EMAIL = "demo@cxloop.local"
PASSWORD = "cxloop-demo"  # noqa: S105 - the published demo login
CHUNK = 2000
SUPPORT_CHANNELS = {
    "live-chat": "chat",
    "phone-support": "phone",
    "resolution-email": "email",
    "help-center": "web",
}


def _login(base_url: str | None) -> str:
    if base_url is None:
        try:
            base_url = Settings().base_url
        except ValueError:
            base_url = "http://127.0.0.1:8000"
    return f"Log in at {base_url.rstrip('/')}/login\n  email:    {EMAIL}\n  password: {PASSWORD}"


def _existing(db: Session) -> Workspace | None:
    try:
        return accounts.get_workspace(db, SLUG)
    except NotFound:
        return None


def seed_demo(
    db: Session,
    *,
    contacts: int = 5000,
    responses: int = 20000,
    seed: int = 7,
    reset: bool = False,
    base_url: str | None = None,
) -> str:
    """Creates the demo workspace (or rebuilds it with ``reset``); returns a summary to print.

    When it exists already and ``reset`` is false, nothing is changed.
    """
    found = _existing(db)
    if found is not None and not reset:
        return (
            f'The demo workspace "{found.name}" already exists; nothing was changed '
            "(use --reset to rebuild it).\n" + _login(base_url)
        )
    started = time.perf_counter()
    if found is not None:
        _delete(db, found)
    rng = random.Random(seed)
    now = utcnow()
    workspace = accounts.create_workspace(db, NAME, SLUG)
    _owner(db, workspace)
    places = _journeys(db, workspace.id)
    answerable = {
        kind: surveys.answerable(
            db, workspace.id, surveys.create_survey(db, workspace.id, make()).id
        )
        for kind, make in SURVEYS.items()
    }
    people = make_people(rng, contacts, now.date(), new_id)
    _insert_contacts(db, rng, workspace.id, people)
    samples = activity.generate(rng, responses, people, places, now)
    _store_responses(db, workspace.id, samples, answerable)
    timeline = Timeline(rng)
    _link_timelines(timeline, samples, {p.plan.key: p for p in places})
    keyed = {p.plan.key: p.id for p in places}
    for person in people:
        timeline.extras(person, now - timedelta(days=activity.DAYS), now, keyed)
    # Rows with the same empty fields side by side: the ORM bulk insert behind
    # record_interactions sends one executemany per run of such rows.
    items = sorted(timeline.items, key=_empty_fields)
    for start in range(0, len(items), CHUNK):
        interactions.record_interactions(db, workspace.id, items[start : start + CHUNK])
    db.flush()
    owner = db.scalar(select(User).where(User.email == EMAIL))
    assert owner is not None
    loop = seed_loop(db, workspace, owner.id, PASSWORD, rng, now)
    seconds = time.perf_counter() - started
    return (
        f'Demo workspace "{NAME}" (slug {SLUG}) ready in {seconds:.1f} s: '
        f"{len(people):,} contacts, "
        f"{len(JOURNEYS)} journeys, {len(places)} touchpoints, {len(answerable)} surveys, "
        f"{len(samples):,} responses, {len(timeline.items) + _with_contact(samples):,} "
        f"interactions; {loop}.\n" + _login(base_url)
    )


def _delete(db: Session, workspace: Workspace) -> None:
    """Deletes the workspace: the big tables first in bulk (much faster than letting the
    database cascade row by row), then the workspace, which cascades to the rest."""
    for model in (Answer, Response, Interaction, Contact):
        db.execute(delete(model).where(model.workspace_id == workspace.id))
    db.delete(workspace)
    db.flush()


def _owner(db: Session, workspace: Workspace) -> None:
    """The demo login, owner of the workspace; an existing demo user gets the demo password."""
    user = db.scalar(select(User).where(User.email == EMAIL))
    if user is not None:
        user.password_hash = hash_password(PASSWORD)
        user.is_active = True
    accounts.create_user(
        db, EMAIL, PASSWORD, name="Demo Owner", workspace=workspace, role=Role.owner
    )


def _journeys(db: Session, workspace_id: str) -> list[Place]:
    places = []
    for name, template, description in JOURNEYS:
        journey = journeys.create_journey(
            db, workspace_id, name, description=description, template=template
        )
        stages = journeys.list_stages(db, workspace_id, journey.id)
        for plan in (t for t in TOUCHPOINTS if t.journey == name):
            touchpoint = journeys.create_touchpoint(
                db, workspace_id, stages[plan.stage].id, plan.name, plan.channel, key=plan.key
            )
            places.append(Place(touchpoint.id, plan))
    return places


def _insert_contacts(
    db: Session, rng: random.Random, workspace_id: str, people: list[Person]
) -> None:
    """Bulk insert (the contacts service creates one at a time)."""
    rows = []
    for person in people:
        row = contact_row(rng, person, workspace_id)
        row["created_at"] = datetime.combine(person.signup, clock(9), tzinfo=UTC)
        rows.append(row)
    for start in range(0, len(rows), CHUNK):
        db.execute(insert(Contact), rows[start : start + CHUNK])


def _store_responses(
    db: Session, workspace_id: str, samples: list[Sample], answerable: dict[str, AnswerableSurvey]
) -> None:
    for start in range(0, len(samples), CHUNK):
        prepared = []
        for s in samples[start : start + CHUNK]:
            survey = answerable[s.place.plan.survey]
            data = ResponseCreate(
                survey_id=survey.id,
                answers=s.answers,
                language=s.language,
                channel=Channel(s.place.plan.channel),
                touchpoint_id=s.place.id,
                submitted_at=s.at,
                hidden=s.hidden,
            )
            p = responses.prepare(db, workspace_id, data, source="link", survey=survey)
            p.row["contact_id"] = s.person.id if s.person else None
            p.row["created_at"] = s.at
            prepared.append(p)
        responses.store(db, prepared)


def _link_timelines(timeline: Timeline, samples: list[Sample], places: dict[str, Place]) -> None:
    """What led to each response: an order before a checkout or delivery, a ticket before a
    support survey."""
    rng = timeline.rng
    for s in samples:
        person, key = s.person, s.place.plan.key
        if person is None:
            continue
        if key.startswith("checkout-"):
            before = s.at - timedelta(minutes=rng.uniform(3, 90))
            timeline.order(person, before, s.place.id, s.place.plan.channel)
        elif key in ("delivery", "returns"):
            shop = places["checkout-web" if rng.random() < 0.65 else "checkout-app"]
            days = rng.uniform(2, 6) if key == "delivery" else rng.uniform(7, 20)
            ordered = s.at - timedelta(days=days)
            timeline.order(person, ordered, shop.id, shop.plan.channel)
            if key == "returns":
                timeline.add(person, "visit", s.at, touchpoint_id=s.place.id, channel="store")
        elif key in SUPPORT_CHANNELS and rng.random() < 0.75:
            solved = s.at - timedelta(minutes=rng.uniform(2, 45))
            timeline.ticket(person, solved, s.place.id, SUPPORT_CHANNELS[key])


def _empty_fields(item: NewInteraction) -> tuple[bool, ...]:
    return tuple(
        getattr(item, name) is None
        for name in ("touchpoint_id", "channel", "text", "value", "external_id", "thread_id")
    )


def _with_contact(samples: list[Sample]) -> int:
    """Responses from known contacts (each is also a survey_response interaction)."""
    return sum(1 for s in samples if s.person is not None)

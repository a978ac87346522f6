"""`seed_demo`: a realistic demo workspace (small variant here), built once, rebuilt on reset."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from cxloop.accounts import service as accounts
from cxloop.contacts.models import Contact
from cxloop.core.database import utcnow
from cxloop.core.security import Role
from cxloop.demo.seed import EMAIL, PASSWORD
from cxloop.interactions.models import Interaction
from cxloop.journeys import service as journeys
from cxloop.responses.models import Answer, Response
from cxloop.surveys import service as surveys
from tests.demo.conftest import seed

MARKERS = {
    "th": re.compile(r"[\u0e00-\u0e7f]"),
    "vi": re.compile(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", re.I),
    "lt": re.compile(r"[ąčęėįšųūž]", re.I),
}


def _counts(db: Session) -> dict[str, int]:
    ws = accounts.get_workspace(db, "demo").id
    return {
        model.__tablename__: int(
            db.scalar(select(func.count()).select_from(model).where(model.workspace_id == ws)) or 0
        )
        for model in (Contact, Response, Answer, Interaction)
    }


def _net_by(db: Session, ws: str, kind: str) -> tuple[dict[str, float], float]:
    """(good - bad) / n per touchpoint name, and over the whole workspace, for one metric."""
    rows = db.execute(
        select(Answer.touchpoint_id, func.sum(Answer.good), func.sum(Answer.bad), func.count())
        .where(Answer.workspace_id == ws, Answer.kind == kind)
        .group_by(Answer.touchpoint_id)
    ).all()
    names = {t.id: t.name for t in journeys.list_touchpoints(db, ws)}
    per = {names[tp]: (good - bad) / n for tp, good, bad, n in rows}
    total = sum(n for *_, n in rows)
    overall = sum(good - bad for _, good, bad, _ in rows) / total
    return per, overall


Seeded = tuple[sessionmaker[Session], str]


def test_demo_has_journeys_touchpoints_surveys_and_a_year_of_feedback(seeded: Seeded) -> None:
    sessions, summary = seeded
    assert "http://demo.test/login" in summary
    assert EMAIL in summary and PASSWORD in summary
    assert "800 responses" in summary

    with sessions() as db:
        user = accounts.authenticate(db, EMAIL, PASSWORD)
        [(workspace, role)] = accounts.workspaces_of(db, user.id)
        assert (workspace.slug, workspace.name, role) == ("demo", "Demo Retail", Role.owner)
        ws = workspace.id

        stages = journeys.stages_by_journey(db, ws)
        by_name = {j.name: [s.name for s in stages[j.id]] for j in journeys.list_journeys(db, ws)}
        assert by_name["Online purchase"] == [
            "Before purchase",
            "During purchase",
            "After purchase",
        ]
        assert by_name["Support"] == ["Entice", "Enter", "Engage", "Exit", "Extend"]
        touchpoints = journeys.list_touchpoints(db, ws)
        assert len(touchpoints) >= 10
        assert {"web", "app", "email", "store", "phone", "chat"} <= {t.channel for t in touchpoints}

        live = surveys.list_surveys(db, ws, status="live")
        kinds = set()
        for survey in live:
            read = surveys.to_read(db, survey, "http://demo.test")
            assert read.languages == ["en", "vi", "th", "lt"]
            for question in read.questions:
                assert set(question.texts) == {"en", "vi", "th", "lt"}
                kinds.add(question.kind.value)
        assert {"nps", "csat", "ces", "open_text"} <= kinds

        assert _counts(db)["contacts"] == 200
        contacts = db.scalars(select(Contact).where(Contact.workspace_id == ws)).all()
        assert {c.language for c in contacts} == {"en", "vi", "th", "lt"}
        assert all(
            {"tier", "region", "signup_date", "lifetime_value"} <= set(c.attributes)
            for c in contacts
        )
        assert len({c.email for c in contacts}) == 200

        times = db.scalars(select(Response.submitted_at).where(Response.workspace_id == ws)).all()
        assert len(times) == 800
        assert max(times) <= utcnow()
        assert max(times) - min(times) > timedelta(days=330)


def test_comments_are_in_four_languages_and_match_the_response_language(seeded: Seeded) -> None:
    sessions = seeded[0]
    with sessions() as db:
        ws = accounts.get_workspace(db, "demo").id
        rows = db.execute(
            select(Response.language, Answer.value_text)
            .join(Answer, Answer.response_id == Response.id)
            .where(Response.workspace_id == ws, Answer.kind == "open_text")
        ).all()
    by_language: dict[str, list[str]] = defaultdict(list)
    for language, text in rows:
        by_language[language].append(text)
    assert set(by_language) == {"en", "vi", "th", "lt"}
    assert all(len(texts) >= 15 for texts in by_language.values())
    for language, texts in by_language.items():
        for other, marker in MARKERS.items():
            share = sum(1 for t in texts if marker.search(t)) / len(texts)
            if other == language:
                assert share > 0.6, (language, texts[:5])
            else:
                assert share < 0.05, (language, other, texts[:5])
    assert len(set(by_language["en"])) > len(by_language["en"]) * 0.5  # varied, not one line


def test_bad_touchpoints_are_clearly_worse_and_checkout_improves(seeded: Seeded) -> None:
    sessions = seeded[0]
    with sessions() as db:
        ws = accounts.get_workspace(db, "demo").id
        nps, nps_overall = _net_by(db, ws, "nps")
        csat, csat_overall = _net_by(db, ws, "csat")
        assert nps["Delivery"] < nps_overall - 0.3
        assert csat["Phone support"] < csat_overall - 0.3
        assert min(nps, key=lambda name: nps[name]) == "Delivery"

        now = utcnow()
        ces = db.execute(
            select(Answer.submitted_at, Answer.value_number).where(
                Answer.workspace_id == ws, Answer.kind == "ces"
            )
        ).all()
        early = [v for at, v in ces if at < now - timedelta(days=245)]
        late = [v for at, v in ces if at > now - timedelta(days=120)]
        assert sum(late) / len(late) > sum(early) / len(early) + 0.4


def test_volume_peaks_in_the_holiday_season(seeded: Seeded) -> None:
    sessions = seeded[0]
    with sessions() as db:
        ws = accounts.get_workspace(db, "demo").id
        times = db.scalars(select(Response.submitted_at).where(Response.workspace_id == ws)).all()
    today = utcnow().date()
    days_in_window = Counter((today - timedelta(days=d)).month for d in range(1, 365))
    per_day = Counter(t.month for t in times)
    rate = {m: per_day[m] / days_in_window[m] for m in (2, 12)}
    assert rate[12] > 1.5 * rate[2]


def test_timelines_hold_orders_and_tickets_in_a_realistic_order(seeded: Seeded) -> None:
    sessions = seeded[0]
    with sessions() as db:
        ws = accounts.get_workspace(db, "demo").id
        events = db.scalars(
            select(Interaction)
            .where(Interaction.workspace_id == ws)
            .order_by(Interaction.occurred_at)
        ).all()
        with_contact = db.scalar(
            select(func.count())
            .select_from(Response)
            .where(Response.workspace_id == ws, Response.contact_id.is_not(None))
        )
    kinds = Counter(e.kind for e in events)
    expected = {"order", "ticket_opened", "agent_replied", "ticket_solved", "ticket_reopened"}
    assert expected | {"call", "visit", "review", "chat"} <= set(kinds)
    assert kinds["survey_response"] == with_contact
    assert all(e.value and e.value > 0 for e in events if e.kind == "order")
    assert all(e.occurred_at <= utcnow() for e in events)

    threads: dict[str, list[Interaction]] = defaultdict(list)
    for e in events:
        if e.kind.startswith("ticket") or e.kind == "agent_replied":
            threads[str(e.thread_id)].append(e)
    assert len(threads) >= 50
    for thread in threads.values():
        assert thread[0].kind == "ticket_opened"
        assert thread[-1].kind == "ticket_solved"
        assert len({e.contact_id for e in thread}) == 1
        reply = next(e for e in thread if e.kind == "agent_replied")
        gap = reply.occurred_at - thread[0].occurred_at
        limit = (
            timedelta(minutes=15) if thread[0].channel in ("phone", "chat") else timedelta(days=2)
        )
        assert timedelta(0) < gap <= limit


def test_seeding_twice_changes_nothing_and_reset_rebuilds(
    fresh_sessions: sessionmaker[Session],
) -> None:
    seed(fresh_sessions)
    with fresh_sessions() as db:
        first_id = accounts.get_workspace(db, "demo").id
        first = _counts(db)

    again = seed(fresh_sessions)
    assert "already exists" in again and "nothing was changed" in again
    assert EMAIL in again and PASSWORD in again
    with fresh_sessions() as db:
        assert accounts.get_workspace(db, "demo").id == first_id
        assert _counts(db) == first

    rebuilt = seed(fresh_sessions, reset=True)
    assert "ready" in rebuilt
    with fresh_sessions() as db:
        assert accounts.get_workspace(db, "demo").id != first_id
        assert _counts(db) == first
        user = accounts.authenticate(db, EMAIL, PASSWORD)
        assert [w.slug for w, _ in accounts.workspaces_of(db, user.id)] == ["demo"]
        orphans = db.scalar(select(func.count()).select_from(Response)) or 0
        assert orphans == first["responses"]

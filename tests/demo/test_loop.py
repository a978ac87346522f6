"""The demo's closed loop: a detractor's new answer opens a case for the care team within one
worker pass, its owner is emailed (the demo outbox), and the past month's cases give the
manager view its numbers."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from cxloop.accounts.models import Workspace
from cxloop.cases.metrics import case_metrics
from cxloop.cases.models import Case
from cxloop.contacts.models import Contact
from cxloop.core.database import utcnow
from cxloop.core.settings import Settings
from cxloop.jobs import service as jobs
from cxloop.jobs.worker import Worker
from cxloop.notifications import outbox
from cxloop.responses import service as responses
from cxloop.responses.schemas import ContactRef, ResponseCreate
from cxloop.surveys.models import Survey
from tests.demo.conftest import seed


def test_a_detractor_opens_a_case_the_owner_is_emailed_and_past_cases_fill_the_metrics(
    fresh_sessions: sessionmaker[Session], settings: Settings, tmp_path: Path
) -> None:
    seed(fresh_sessions)
    with fresh_sessions() as db:
        ws = db.scalar(select(Workspace.id).where(Workspace.slug == "demo"))
        assert ws is not None
        today = utcnow().date()
        past = case_metrics(db, ws, today - timedelta(days=40), today).overall
        assert past.opened >= 10 and past.closed >= 5 and past.median_close_hours is not None
        survey = db.scalar(
            select(Survey).where(Survey.workspace_id == ws, Survey.name == "Customer NPS")
        )
        contact = db.scalar(
            select(Contact).where(Contact.workspace_id == ws, Contact.email.is_not(None))
        )
        assert survey is not None and contact is not None
        before = db.scalar(
            select(Case.id).where(Case.contact_id == contact.id, Case.status == "new")
        )
        answer = responses.submit(
            db,
            ws,
            ResponseCreate(
                survey_id=survey.id,
                answers={"nps": 2, "comment": "Giao hàng trễ một tuần, không ai trả lời."},
                contact=ContactRef(id=contact.id),
            ),
        )
        db.commit()

    box = tmp_path / "outbox"
    options = jobs.RunOptions(
        worker="demo-loop", settings=settings.model_copy(update={"email_outbox": box})
    )
    Worker(fresh_sessions, options, poll_seconds=0.05).drain()

    with fresh_sessions() as db:
        case = db.scalar(select(Case).where(Case.response_id == answer.id))
        assert case is not None and before is None
        assert case.priority == "high" and case.owner_id is not None and case.team_id is not None
        assert "NPS 2" in case.title
        mails = outbox.emails(box, ws)
        assert any(f"Case #{case.number} assigned to you" in m.subject for m in mails)

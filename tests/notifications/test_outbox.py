"""The development outbox: with CXLOOP_EMAIL_OUTBOX set, emails land in a folder (the demo's
mailbox), each workspace reads only its own, and the delivery counts as sent."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from cxloop.core.settings import Settings
from cxloop.jobs import service as jobs
from cxloop.jobs.worker import Worker
from cxloop.notifications import outbox, service
from tests.factories import make_tenant
from tests.notifications.test_email import delivery_of, payload


def test_emails_go_to_the_outbox_folder_and_each_workspace_reads_its_own(
    db: Session, session_factory: sessionmaker[Session], settings: Settings, tmp_path: Path
) -> None:
    folder = tmp_path / "outbox"
    a = make_tenant(db, "Outbox A").workspace.id
    b = make_tenant(db, "Outbox B").workspace.id
    job_a = service.queue_email(db, a, payload(subject="Cảm ơn bạn"))
    service.queue_email(db, b, payload(subject="B only", to="bo@example.com"))
    db.commit()
    options = jobs.RunOptions(
        worker="outbox-test",
        settings=settings.model_copy(update={"email_outbox": folder, "smtp_port": 9}),
        retry_base_seconds=0.0,
    )
    Worker(session_factory, options, poll_seconds=0.05).drain()

    mine = outbox.emails(folder, a)
    assert [e.subject for e in mine] == ["Cảm ơn bạn"]
    assert "cảm ơn bạn đã phản hồi" in mine[0].text and mine[0].html
    assert [e.subject for e in outbox.emails(folder, b)] == ["B only"]
    assert job_a is not None and delivery_of(db, a, job_a).status == "sent"

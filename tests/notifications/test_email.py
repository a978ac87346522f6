"""Emails through a real SMTP server: the message a customer receives, sent exactly once,
retried on temporary refusals and failed for good on permanent ones."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from cxloop.core.database import utcnow
from cxloop.core.settings import Settings
from cxloop.jobs import repository as jobs_repo
from cxloop.jobs import service as jobs
from cxloop.jobs.service import RunOptions, run_due
from cxloop.jobs.worker import Worker
from cxloop.notifications import service, tasks
from cxloop.notifications.schemas import DeliveryRead
from tests.conftest import free_port
from tests.factories import make_tenant
from tests.notifications.conftest import Inbox

HTML = "<p>Xin chào <b>Ana</b>, cảm ơn bạn.</p>"


def payload(**extra: Any) -> dict[str, Any]:
    return {
        "to": "ana@example.com",
        "subject": "Về phản hồi của bạn",
        "text": "Xin chào Ana,\n\ncảm ơn bạn đã phản hồi.",
        "html": HTML,
        "language": "vi",
        "contact_id": None,
        "unsubscribe_url": "https://cx.example/u/tok123",
        "purpose": "follow_up",
        "reference": "case:c1",
        **extra,
    }


def delivery_of(db: Session, workspace_id: str, job_id: int) -> DeliveryRead:
    db.expire_all()
    found = [
        d for d in service.list_deliveries(db, workspace_id, limit=500).items if d.job_id == job_id
    ]
    assert len(found) == 1
    return found[0]


def test_the_email_has_text_and_html_language_unsubscribe_and_a_stable_message_id(
    db: Session, smtp: tuple[Inbox, int], make_worker: Callable[[], Worker]
) -> None:
    inbox, _ = smtp
    ws = make_tenant(db, "Mail").workspace.id
    job_id = service.queue_email(db, ws, payload(), dedupe_key=f"t:{ws}")
    db.commit()
    assert job_id is not None
    queued = delivery_of(db, ws, job_id)
    assert queued.status == "queued" and queued.target == "ana@example.com"

    make_worker().drain()

    assert len(inbox.of(ws)) == 1
    msg = inbox.of(ws)[0]
    assert msg["Subject"] == "Về phản hồi của bạn"
    assert msg["To"] == "ana@example.com" and "cx@shop.example" in msg["From"]
    assert msg["Content-Language"] == "vi"
    assert msg["List-Unsubscribe"] == "<https://cx.example/u/tok123>"
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert msg.get_content_type() == "multipart/alternative"
    plain, html = msg.get_body(("plain",)), msg.get_body(("html",))
    assert plain is not None and "cảm ơn bạn đã phản hồi" in plain.get_content()
    assert html is not None and HTML in html.get_content()
    assert msg["Message-ID"] == f"<cxloop.job-{job_id}.{ws}@shop.example>"

    sent = delivery_of(db, ws, job_id)
    assert sent.status == "sent" and sent.attempts == 1 and sent.last_error is None
    assert sent.message_id == msg["Message-ID"] and sent.purpose == "follow_up"
    assert [a.outcome for a in sent.attempt_log] == ["done"]


def test_a_plain_email_without_unsubscribe_has_no_list_headers(
    db: Session, smtp: tuple[Inbox, int], make_worker: Callable[[], Worker]
) -> None:
    inbox, _ = smtp
    ws = make_tenant(db, "Plain").workspace.id
    service.queue_email(
        db, ws, payload(html=None, language=None, unsubscribe_url=None, purpose="alert")
    )
    db.commit()
    make_worker().drain()
    assert len(inbox.of(ws)) == 1
    msg = inbox.of(ws)[0]
    assert msg.get_content_type() == "text/plain"
    assert msg["List-Unsubscribe"] is None and msg["Content-Language"] is None


def test_a_job_rerun_after_a_crash_past_the_send_does_not_send_twice(
    db: Session,
    session_factory: sessionmaker[Session],
    notify_settings: Settings,
    smtp: tuple[Inbox, int],
    make_worker: Callable[[], Worker],
) -> None:
    inbox, _ = smtp
    ws = make_tenant(db, "Crash").workspace.id
    job_id = service.queue_email(db, ws, payload())
    db.commit()
    assert job_id is not None
    # A worker claims the job, sends the email, then dies before its transaction commits.
    with session_factory() as s:
        claimed = jobs_repo.claim(s, "dying", utcnow(), timedelta(seconds=-1), 100)
        s.commit()
    mine = next(c for c in claimed if c.id == job_id)
    context = jobs.JobContext(mine.id, mine.kind, ws, dict(mine.payload), 1, notify_settings)
    with session_factory() as s:
        tasks.send_email(s, context)
        s.rollback()  # the crash: the job is never marked done
    assert len(inbox.of(ws)) == 1

    # Its lease runs out; another worker takes the job over and runs it again.
    make_worker().drain()
    with session_factory() as s:  # and a handler run once more by hand
        tasks.send_email(s, context)

    assert len(inbox.of(ws)) == 1
    assert jobs.get_job(db, ws, job_id).status == "done"
    assert delivery_of(db, ws, job_id).status == "sent"


def test_a_permanent_refusal_fails_the_delivery_with_the_reason_and_is_not_retried(
    db: Session, smtp: tuple[Inbox, int], make_worker: Callable[[], Worker]
) -> None:
    inbox, _ = smtp
    ws = make_tenant(db, "Refused").workspace.id
    nobody = f"nobody-{ws}@example.com"
    inbox.rcpt_replies[nobody] = "550 5.1.1 <nobody>: Recipient address rejected"
    job_id = service.queue_email(db, ws, payload(to=nobody))
    db.commit()
    assert job_id is not None
    make_worker().drain()

    assert inbox.of(ws, accepted=False) == [] and inbox.recipients.count(nobody) == 1
    failed = delivery_of(db, ws, job_id)
    assert failed.status == "failed" and failed.attempts == 1
    assert failed.last_error is not None
    assert "550" in failed.last_error and "Recipient address rejected" in failed.last_error
    job = jobs.get_job(db, ws, job_id)
    assert job.attempts == 1 and job.status == "failed"


def test_a_temporary_refusal_is_retried_and_the_email_arrives_once_with_the_same_id(
    db: Session,
    session_factory: sessionmaker[Session],
    notify_settings: Settings,
    smtp: tuple[Inbox, int],
    make_worker: Callable[[], Worker],
) -> None:
    inbox, _ = smtp
    ws = make_tenant(db, "Busy").workspace.id
    busy = f"busy-{ws}@example.com"
    inbox.data_replies[busy] = ["451 4.3.0 Mailbox busy, try again later"]
    job_id = service.queue_email(db, ws, payload(to=busy))
    db.commit()
    assert job_id is not None

    run_due(session_factory, RunOptions("notify-once", notify_settings, retry_base_seconds=0))
    waiting = delivery_of(db, ws, job_id)
    assert waiting.status == "retrying" and waiting.attempts == 1
    assert "451" in (waiting.last_error or "") and "Mailbox busy" in (waiting.last_error or "")
    assert inbox.of(ws) == []

    make_worker().drain()
    sent = delivery_of(db, ws, job_id)
    assert sent.status == "sent" and sent.attempts == 2
    assert [a.outcome for a in sent.attempt_log] == ["retry", "done"]
    assert len(inbox.of(ws)) == 1
    tried = inbox.of(ws, accepted=False)
    assert len(tried) == 2
    assert tried[0]["Message-ID"] == tried[1]["Message-ID"] == sent.message_id


def test_an_invalid_address_fails_at_once_without_contacting_the_server(
    db: Session, smtp: tuple[Inbox, int], make_worker: Callable[[], Worker]
) -> None:
    inbox, _ = smtp
    ws = make_tenant(db, "Invalid").workspace.id
    job_id = service.queue_email(db, ws, payload(to="ana@@example"))
    db.commit()
    assert job_id is not None
    make_worker().drain()
    failed = delivery_of(db, ws, job_id)
    assert failed.status == "failed" and "invalid address 'ana@@example'" in (
        failed.last_error or ""
    )
    assert "ana@@example" not in inbox.recipients and inbox.of(ws, accepted=False) == []


def test_an_unreachable_server_is_retried_then_given_up_with_the_reason(
    db: Session,
    session_factory: sessionmaker[Session],
    notify_settings: Settings,
) -> None:
    ws = make_tenant(db, "Down").workspace.id
    job_id = jobs.enqueue(db, "notify.email", payload(), workspace_id=ws, max_attempts=2)
    db.commit()
    assert job_id is not None
    down = notify_settings.model_copy(update={"smtp_port": free_port()})
    options = RunOptions("notify-down", down, retry_base_seconds=0)
    Worker(session_factory, options).drain()
    failed = delivery_of(db, ws, job_id)
    assert failed.status == "failed" and failed.attempts == 2
    assert "gave up after 2 attempts: cannot reach SMTP server" in (failed.last_error or "")
    assert failed.reference == "case:c1"  # stored by the handler when queued without a row
    job = jobs.get_job(db, ws, job_id)
    assert job.status == "failed" and [a.outcome for a in job.attempt_log] == ["retry", "failed"]

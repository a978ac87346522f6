"""Following up: messages to the customer become one email job, status changes and breaches
reach the rules, breaches email the owner and the manager once, closing offers a re-survey,
and the customer's answer to it links back to the case and its recovery."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from typing import Any

import httpx
from aiosmtpd.controller import Controller
from sqlalchemy.orm import Session, sessionmaker

from cxloop.cases import followup, metrics, service, sla
from cxloop.cases.models import Case
from cxloop.cases.schemas import CaseCreate, RootCauseCreate, TeamWrite, Transition
from cxloop.cases.teams import create_root_cause, create_team
from cxloop.core.database import utcnow
from cxloop.core.security import Role
from cxloop.core.settings import Settings
from cxloop.governance import service as governance
from cxloop.support.service import calendar_of
from tests.cases.helpers import add_user, csrf, jobs_of, signed_in, worker
from tests.cases.test_cases_api import SURVEY
from tests.conftest import free_port
from tests.factories import Tenant, make_tenant


def _survey(http: httpx.Client, tenant: Tenant) -> str:
    made = http.post("/api/v1/surveys", json={**SURVEY, "publish": True}, headers=tenant.headers())
    assert made.status_code == 201, made.text
    return str(made.json()["id"])


def _answer(http: httpx.Client, tenant: Tenant, survey_id: str, email: str, nps: int) -> str:
    made = http.post(
        "/api/v1/responses",
        json={"survey_id": survey_id, "answers": {"nps": nps}, "contact": {"email": email}},
        headers=tenant.headers(),
    )
    assert made.status_code == 201, made.text
    return str(made.json()["id"])


def test_a_message_to_the_customer_queues_one_email_in_their_language(
    db: Session, server: str, http: httpx.Client
) -> None:
    tenant = make_tenant(db, "Messages")
    h = tenant.headers()
    agent = add_user(db, tenant, name="Agnes")
    contact = http.post(
        "/api/v1/contacts", json={"email": "lan@example.com", "language": "vi"}, headers=h
    ).json()
    no_email = http.post("/api/v1/contacts", json={"external_id": "x-1"}, headers=h).json()
    case = http.post(
        "/api/v1/cases", json={"title": "Late", "contact_id": contact["id"]}, headers=h
    ).json()
    mute = http.post(
        "/api/v1/cases", json={"title": "Mute", "contact_id": no_email["id"]}, headers=h
    ).json()
    url = f"/app/cases/{case['id']}"
    with signed_in(server, agent.email) as browser:
        token = csrf(browser, url)
        sent = browser.post(
            f"{url}/notes",
            data={"csrf": token, "kind": "message", "body": "Xin lỗi <b>anh</b>!\n\nChúng tôi"},
        )
        assert sent.status_code == 303
        page = browser.get(sent.headers["location"]).text
        assert "Message queued for sending to the customer." in page
        assert '<span class="badge" data-delivery>queued</span>' in page
        assert "Xin lỗi &lt;b&gt;anh&lt;/b&gt;!" in page
        refused = browser.post(
            f"/app/cases/{mute['id']}/notes", data={"csrf": token, "kind": "message", "body": "Hi"}
        )
        assert refused.status_code == 422
        assert "the customer has no email address" in refused.text

    emails = jobs_of(db, tenant.workspace.id, "notify.email")
    assert len(emails) == 1
    payload = emails[0].payload
    assert payload["to"] == "lan@example.com" and payload["language"] == "vi"
    assert payload["purpose"] == "case" and payload["reference"] == f"case:{case['id']}"
    assert payload["subject"].startswith("Về phản hồi của bạn")
    assert payload["text"] == "Xin lỗi <b>anh</b>!\n\nChúng tôi"
    assert payload["html"] == "<p>Xin lỗi &lt;b&gt;anh&lt;/b&gt;!</p><p>Chúng tôi</p>"
    assert payload["contact_id"] == contact["id"]
    assert str(payload["unsubscribe_url"]).startswith(f"{server}/u/")
    detail = http.get(f"/api/v1/cases/{case['id']}", headers=h).json()
    assert [n["delivery_job_id"] for n in detail["notes"]] == [emails[0].id]


def test_every_status_change_reaches_the_rules_once(db: Session, http: httpx.Client) -> None:
    tenant = make_tenant(db, "Triggers")
    h = tenant.headers()
    cause = create_root_cause(db, tenant.workspace.id, RootCauseCreate(name="Courier"))
    db.commit()
    case = http.post("/api/v1/cases", json={"title": "t"}, headers=h).json()
    url = f"/api/v1/cases/{case['id']}/transitions"
    for move in (
        {"to": "open"},
        {"to": "resolved", "root_cause_id": cause.id, "resolution": "ok"},
        {"to": "closed"},
    ):
        assert http.post(url, json=move, headers=h).status_code == 200
    assert http.post(url, json={"to": "open"}, headers=h).status_code == 409  # refused: no event
    evaluations = [
        j.payload
        for j in jobs_of(db, tenant.workspace.id, "rules.evaluate")
        if j.payload["trigger"] == "case.status_changed"
    ]
    assert [(p["subjects"], p["data"]["from"], p["data"]["to"]) for p in evaluations] == [
        ([case["id"]], "new", "open"),
        ([case["id"]], "open", "resolved"),
        ([case["id"]], "resolved", "closed"),
    ]


def test_a_breach_emails_the_owner_and_the_manager_once_per_clock(
    db: Session, session_factory: sessionmaker[Session], settings: Settings
) -> None:
    tenant = make_tenant(db, "Escalation mail")
    ws = tenant.workspace.id
    agent, manager = add_user(db, tenant), add_user(db, tenant, Role.admin)
    team = create_team(db, ws, TeamWrite(name="Support", manager_id=manager.id))
    case, _ = service.open_case(
        db, ws, CaseCreate(title="Stuck", owner_id=agent.id, team_id=team.id), "key:k"
    )
    case.opened_at = utcnow() - timedelta(days=30)
    sla.set_due_dates(case, calendar_of(db, ws), sla.policy(db, ws))
    db.commit()
    worker(session_factory, settings).drain()
    worker(session_factory, settings).drain()  # a second pass finds nothing new

    sent = [j.payload for j in jobs_of(db, ws, "notify.email")]
    assigned = [m for m in sent if m["purpose"] == "case"]
    assert [m["to"] for m in assigned] == [agent.email]  # told when the case was opened
    assert f"Case #{case.number} assigned to you" in assigned[0]["subject"]
    mails = [m for m in sent if m["purpose"] != "case"]
    assert all(m["purpose"] == "escalation" and m["reference"] == f"case:{case.id}" for m in mails)
    # first action: to the owner and the manager (the case moves to the manager);
    # resolution: the manager now owns it, so only the manager
    assert sorted(m["to"] for m in mails) == sorted([agent.email, manager.email, manager.email])
    assert any(f"/app/cases/{case.id}" in m["text"] for m in mails)
    assert all(m["subject"].startswith(f"SLA breached: case #{case.number}") for m in mails)
    breaches = [
        j.payload["data"]["clock"]
        for j in jobs_of(db, ws, "rules.evaluate")
        if j.payload["trigger"] == "case.sla_breached"
    ]
    assert sorted(breaches) == ["first_action", "resolution"]


def test_closing_with_a_resurvey_offers_the_survey_again_or_says_why_not(
    db: Session, server: str, http: httpx.Client
) -> None:
    tenant = make_tenant(db, "Resurvey")
    survey_id = _survey(http, tenant)
    response_id = _answer(http, tenant, survey_id, "again@example.com", 2)
    ws = tenant.workspace.id
    cause = create_root_cause(db, ws, RootCauseCreate(name="Damage"))
    case, _ = service.open_case(db, ws, CaseCreate(title="Broken", response_id=response_id), "x")
    move = Transition(to="resolved", root_cause_id=cause.id, resolution="Replaced")
    service.transition(db, ws, case.id, move, "x")
    loose, _ = service.open_case(db, ws, CaseCreate(title="No contact"), "x")
    service.transition(db, ws, loose.id, move, "x")
    db.commit()
    url = f"/app/cases/{case.id}"
    with signed_in(server, tenant.email) as browser:
        page = browser.get(url).text
        assert 'name="resurvey" value="1" checked' in page  # offered by default
        assert f'<option value="{survey_id}" selected>' in page  # the case's own survey
        token = csrf(browser, url)
        no_contact = browser.post(
            f"/app/cases/{loose.id}/status", data={"csrf": token, "to": "closed", "resurvey": "1"}
        )
        assert no_contact.status_code == 422 and "no contact to re-survey" in no_contact.text
        closed = browser.post(
            f"{url}/status",
            data={"csrf": token, "to": "closed", "resurvey": "1", "resurvey_survey_id": survey_id},
        )
        assert closed.status_code == 303
        page = browser.get(url).text
    db.expire_all()
    stored = db.get(Case, case.id)
    assert stored is not None and stored.status == "closed"
    assert stored.resurvey_survey_id == survey_id
    assert stored.resurvey_invitation_id is not None and stored.resurvey_sent_at is not None
    assert "Sent " in page.split('id="case-resurvey"')[1].split("</section>")[0]
    invitations = [
        j.payload for j in jobs_of(db, ws, "notify.email") if j.payload["to"] == "again@example.com"
    ]
    assert len(invitations) == 1 and invitations[0]["purpose"] == "invitation"

    # governance refuses a customer who opted out: the case says why
    refused_id = _answer(http, tenant, survey_id, "out@example.com", 1)
    refused, _ = service.open_case(db, ws, CaseCreate(title="Out", response_id=refused_id), "x")
    service.transition(db, ws, refused.id, move, "x")
    assert refused.contact_id is not None
    governance.opt_out(db, ws, refused.contact_id, "all", "test")
    db.commit()
    with signed_in(server, tenant.email) as browser:
        token = csrf(browser, f"/app/cases/{refused.id}")
        browser.post(
            f"/app/cases/{refused.id}/status", data={"csrf": token, "to": "closed", "resurvey": "1"}
        )
        page = browser.get(f"/app/cases/{refused.id}").text
    assert "Not sent: the contact opted out of all surveys" in page
    db.expire_all()
    blocked = db.get(Case, refused.id)
    assert blocked is not None and blocked.status == "closed"
    assert blocked.resurvey_invitation_id is None and blocked.resurvey_sent_at is None


def test_the_answer_to_a_resurvey_links_back_and_counts_as_recovered(
    db: Session,
    server: str,
    http: httpx.Client,
    session_factory: sessionmaker[Session],
    settings: Settings,
) -> None:
    tenant = make_tenant(db, "Recovery")
    ws = tenant.workspace.id
    survey_id = _survey(http, tenant)
    other_survey = _survey(http, tenant)
    first = _answer(http, tenant, survey_id, "back@example.com", 3)
    case, _ = service.open_case(db, ws, CaseCreate(title="Detractor", response_id=first), "x")
    # the re-survey as the invitations feature records it when it goes out
    case.resurvey_survey_id, case.resurvey_sent_at = survey_id, utcnow()
    db.commit()
    _answer(http, tenant, other_survey, "back@example.com", 10)  # another survey: not it
    again = _answer(http, tenant, survey_id, "back@example.com", 9)
    _answer(http, tenant, survey_id, "back@example.com", 4)  # a later answer: not it
    worker(session_factory, settings).drain()  # the periodic link-back
    db.expire_all()
    stored = db.get(Case, case.id)
    assert stored is not None and stored.resurvey_response_id == again

    with signed_in(server, tenant.email) as browser:
        page = browser.get(f"/app/cases/{case.id}").text
    answer = page.split('id="resurvey-answer"')[1].split("</p>")[0]
    assert "NPS <strong>9</strong> (was 3)" in answer and "recovered" in answer
    today = date.today()
    overall = metrics.case_metrics(db, ws, today - timedelta(days=1), today + timedelta(days=1))
    assert overall.overall.recovered == 1 and overall.overall.recovery_rate == 100.0

    # the hook the rules feature can call for each new response links at once
    second = _answer(http, tenant, survey_id, "hook@example.com", 5)
    hooked, _ = service.open_case(db, ws, CaseCreate(title="Hook", response_id=second), "x")
    hooked.resurvey_survey_id, hooked.resurvey_sent_at = survey_id, utcnow()
    db.commit()
    reply = _answer(http, tenant, survey_id, "hook@example.com", 8)
    assert followup.link_response(db, ws, reply) == [hooked.id]
    assert followup.link_response(db, ws, reply) == []  # once
    db.commit()


class _Mailbox:
    """An SMTP handler that refuses one address for good and keeps what it accepts."""

    def __init__(self, refuse: str) -> None:
        self.refuse = refuse
        self.messages: list[EmailMessage] = []

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address == self.refuse:
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.original_content or b"", policy=default)
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        return "250 2.0.0 Accepted"


def test_messages_are_emailed_over_smtp_and_the_case_shows_sent_or_why_not(
    db: Session,
    server: str,
    http: httpx.Client,
    session_factory: sessionmaker[Session],
    settings: Settings,
) -> None:
    tenant = make_tenant(db, "Smtp")
    h = tenant.headers()
    tag = uuid.uuid4().hex[:8]
    good, bad = f"good-{tag}@example.com", f"gone-{tag}@example.com"
    cases = {}
    for address in (good, bad):
        contact = http.post(
            "/api/v1/contacts", json={"email": address, "language": "fr"}, headers=h
        ).json()
        made = http.post(
            "/api/v1/cases", json={"title": address, "contact_id": contact["id"]}, headers=h
        ).json()
        sent = http.post(
            f"/api/v1/cases/{made['id']}/messages", json={"body": "Nous sommes désolés."}, headers=h
        )
        assert sent.status_code == 201 and sent.json()["status"] == "queued", sent.text
        cases[address] = made["id"]

    mailbox, port = _Mailbox(refuse=bad), free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        smtp = settings.model_copy(
            update={"smtp_host": "127.0.0.1", "smtp_port": port, "smtp_security": "none"}
        )
        worker(session_factory, smtp).drain()
    finally:
        controller.stop()
    mine = [m for m in mailbox.messages if m["To"] == good]
    assert len(mine) == 1
    assert mine[0]["Subject"].startswith("À propos de votre avis")
    body = mine[0].get_body(("plain",))
    assert body is not None and "Nous sommes désolés." in body.get_content()

    with signed_in(server, tenant.email) as browser:
        delivered = browser.get(f"/app/cases/{cases[good]}").text
        refused = browser.get(f"/app/cases/{cases[bad]}").text
    assert '<span class="badge" data-delivery>sent</span>' in delivered
    assert '<span class="badge" data-delivery>failed</span>' in refused
    assert "No such mailbox" in refused


def test_a_message_to_a_customer_who_opted_out_is_blocked_with_the_reason(
    db: Session, server: str, http: httpx.Client
) -> None:
    tenant = make_tenant(db, "Opted out")
    h = tenant.headers()
    contact = http.post("/api/v1/contacts", json={"email": "no@example.com"}, headers=h).json()
    governance.opt_out(db, tenant.workspace.id, contact["id"], "all", "test")
    db.commit()
    case = http.post(
        "/api/v1/cases", json={"title": "Quiet please", "contact_id": contact["id"]}, headers=h
    ).json()
    sent = http.post(f"/api/v1/cases/{case['id']}/messages", json={"body": "Sorry"}, headers=h)
    assert sent.status_code == 201 and sent.json()["status"] == "blocked"
    assert "opted out" in sent.json()["delivery_error"]
    assert jobs_of(db, tenant.workspace.id, "notify.email") == []
    with signed_in(server, tenant.email) as browser:
        page = browser.get(f"/app/cases/{case['id']}").text
    assert '<span class="badge" data-delivery>blocked</span>' in page and "opted out" in page

"""SMS through a generic HTTP gateway (a real local server), reminders that respect governance,
general links and QR codes, and the invitation pages."""

from __future__ import annotations

import json
import threading
import xml.etree.ElementTree as ET
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
from sqlalchemy.orm import Session, sessionmaker

from cxloop.core.database import utcnow
from cxloop.core.security import Role
from cxloop.core.settings import Settings
from cxloop.invitations.models import Invitation
from cxloop.invitations.service import OfferRequest, offer
from tests.cases.helpers import add_user, signed_in, worker
from tests.cases.test_cases_api import key
from tests.factories import make_tenant
from tests.invitations.helpers import contact, jobs_of, rules, survey


class _Gateway(BaseHTTPRequestHandler):
    received: list[dict[str, Any]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["content-length"]))
        self.received.append(
            {"auth": self.headers.get("x-auth"), "body": json.loads(body), "path": self.path}
        )
        self.send_response(202)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


def test_sms_goes_through_the_http_gateway_with_the_configured_body_and_header(
    db: Session, settings: Settings, session_factory: sessionmaker[Session]
) -> None:
    tenant = make_tenant(db, "Sms")
    ws = tenant.workspace.id
    sid = survey(db, ws, "Delivery")
    person = contact(db, ws, phone="+84 90 111 2222")
    made = offer(db, settings, ws, OfferRequest(person.id, sid, "sms"))
    db.commit()
    assert made.allowed and made.token
    gateway = ThreadingHTTPServer(("127.0.0.1", 0), _Gateway)
    thread = threading.Thread(target=gateway.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{gateway.server_address[1]}/send"
        configured = settings.model_copy(
            update={
                "sms_gateway_url": url,
                "sms_auth_header": "X-Auth: secret-1",
                "sms_body_template": '{"msisdn": "{to}", "message": "{text}", "from": "cx"}',
            }
        )
        worker(session_factory, configured).drain()
    finally:
        gateway.shutdown()
    mine = [r for r in _Gateway.received if str(made.token) in r["body"]["message"]]
    assert len(mine) == 1
    assert mine[0]["auth"] == "secret-1" and mine[0]["path"] == "/send"
    assert mine[0]["body"]["msisdn"] == "+84 90 111 2222"
    assert mine[0]["body"]["message"] == f"Delivery: {settings.base_url}/i/{made.token}"
    db.expire_all()
    row = db.get(Invitation, made.invitation_id)
    assert row is not None and row.status == "delivered"


def test_reminders_are_sent_once_due_and_respect_opt_outs(
    db: Session, settings: Settings, session_factory: sessionmaker[Session]
) -> None:
    tenant = make_tenant(db, "Remind")
    ws = tenant.workspace.id
    rules(db, ws, survey_cap=1)  # reminders do not count by default
    sid = survey(db, ws)
    stays, leaves = contact(db, ws), contact(db, ws)
    made = [offer(db, settings, ws, OfferRequest(p.id, sid, "email")) for p in (stays, leaves)]
    for m in made:
        row = db.get(Invitation, m.invitation_id)
        assert row is not None
        row.reminder_after_days, row.max_reminders = 2, 1
        row.last_sent_at = utcnow() - timedelta(days=3)
    db.commit()
    from cxloop.governance import service as governance

    governance.opt_out(db, ws, leaves.id, "email", "test")
    db.commit()
    before = len(jobs_of(db, ws, "notify.email"))
    # only the invitations jobs run here: SMTP is not part of this test
    from cxloop.invitations import tasks

    tasks.queue_reminders(db)
    db.commit()
    worker(session_factory, settings).drain()
    emails = jobs_of(db, ws, "notify.email")
    reminders = emails[before:]
    assert [j.payload["to"] for j in reminders] == [stays.email]
    assert reminders[0].payload["subject"].startswith("Reminder: ")
    assert reminders[0].payload["reference"] == f"invitation:{made[0].invitation_id}"
    tasks.queue_reminders(db)  # max_reminders=1: nothing more
    db.commit()
    worker(session_factory, settings).drain()
    assert len(jobs_of(db, ws, "notify.email")) == len(emails)


def test_general_link_and_qr_codes_with_touchpoint_and_hidden_fields(
    db: Session, settings: Settings, server: str, http: httpx.Client
) -> None:
    tenant = make_tenant(db, "Qr")
    ws, h = tenant.workspace.id, tenant.headers()
    sid = survey(db, ws)
    params = {"touchpoint": "store-visit", "hidden.store": "12"}
    link = http.get(f"/api/v1/surveys/{sid}/general-link", params=params, headers=h)
    assert link.status_code == 200
    url = link.json()["url"]
    assert "h.store=12" in url and "h.touchpoint=store-visit" in url
    png = http.get(f"/api/v1/surveys/{sid}/qr.png", params=params, headers=h)
    assert png.status_code == 200 and png.headers["content-type"] == "image/png"
    assert png.content.startswith(b"\x89PNG\r\n\x1a\n") and png.headers["x-survey-url"] == url
    svg = http.get(f"/api/v1/surveys/{sid}/qr.svg", params=params, headers=h)
    root = ET.fromstring(svg.content)
    assert root.tag.endswith("svg")
    assert any(el.text == url for el in root.iter() if el.tag.endswith("title"))
    # the link answers: hidden fields reach the form
    page = http.get(url.replace(settings.base_url, ""))
    assert page.status_code == 200 and 'name="h.store" value="12"' in page.text
    assert http.get(f"/api/v1/surveys/{sid}/qr.gif", headers=h).status_code == 404
    too_big = http.get(f"/api/v1/surveys/{sid}/qr.png?scale=99", headers=h)
    assert too_big.status_code == 422 and "scale" in too_big.text
    viewer = key(db, tenant, Role.viewer)
    assert http.get(f"/api/v1/surveys/{sid}/qr.png", headers=viewer).status_code == 403
    stranger = make_tenant(db, "Other")
    assert http.get(f"/api/v1/surveys/{sid}/qr.png", headers=stranger.headers()).status_code == 404
    assert http.get(f"/api/v1/surveys/{sid}/qr.png").status_code == 401


def test_pages_show_the_funnel_qr_download_rules_and_why_not_surveyed(
    db: Session, settings: Settings, server: str
) -> None:
    tenant = make_tenant(db, "Pages")
    ws = tenant.workspace.id
    sid = survey(db, ws, "Store <b>visit</b>")
    person = contact(db, ws)
    rules(db, ws, survey_cap=1)
    offer(db, settings, ws, OfferRequest(person.id, sid, "link"))
    offer(db, settings, ws, OfferRequest(person.id, sid, "link"))
    db.commit()
    admin = add_user(db, tenant, Role.admin)
    with signed_in(server, admin.email) as browser:
        page = browser.get(f"/app/invitations?survey_id={sid}")
        assert page.status_code == 200
        assert "Store &lt;b&gt;visit&lt;/b&gt;" in page.text and "cap.survey" in page.text
        qr = browser.get(f"/app/invitations/qr/{sid}.svg?touchpoint=till&hidden.store=7")
        assert qr.status_code == 200 and b"h.store=7" in qr.content
        settings_page = browser.get("/app/governance")
        token = settings_page.text.split('name="csrf" value="')[1].split('"')[0]
        bad = browser.post(
            "/app/governance", data={"csrf": token, "quiet_start": "9pm", "quiet_end": "08:00"}
        )
        assert bad.status_code == 422 and "HH:MM" in bad.text
        saved = browser.post(
            "/app/governance",
            data={
                "csrf": token,
                "workspace_cap": "4",
                "survey_cap": "1",
                "quiet_start": "21:00",
                "quiet_end": "08:00",
            },
        )
        assert saved.status_code == 303
        assert 'name="workspace_cap" size="3" value="4"' in browser.get("/app/governance").text
        detail = browser.get(f"/app/contacts/{person.id}").text
        assert f'href="/app/contacts/{person.id}/eligibility"' in detail
        why = browser.get(f"/app/contacts/{person.id}/eligibility?survey_id={sid}&channel=link")
        assert why.status_code == 200 and "Blocked now" in why.text and "cap.survey" in why.text
    agent = add_user(db, tenant, Role.viewer)
    with signed_in(server, agent.email) as browser:
        token = browser.get("/app/governance").text.split('name="csrf" value="')[1].split('"')[0]
        assert browser.post("/app/governance", data={"csrf": token}).status_code == 403

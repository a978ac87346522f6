"""Email invitations end to end: a campaign queues one job per contact, the email is sent over
real SMTP in the contact's language with a one-click NPS scale, the links record opened/started,
a replayed click counts once, unsubscribing works in one click, and the funnel adds up."""

from __future__ import annotations

import re
import uuid
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from aiosmtpd.controller import Controller
from sqlalchemy.orm import Session, sessionmaker

from cxloop.core.errors import Gone
from cxloop.core.settings import Settings
from cxloop.invitations import links
from cxloop.invitations.models import Invitation
from cxloop.invitations.service import OfferRequest, offer
from tests.cases.helpers import worker
from tests.conftest import free_port
from tests.factories import make_tenant
from tests.invitations.helpers import contact, jobs_of, survey


class _Mailbox:
    def __init__(self, refuse: str = "") -> None:
        self.refuse = refuse
        self.messages: list[EmailMessage] = []

    def of(self, workspace_id: str) -> list[EmailMessage]:
        """One workspace's messages (its id is in the Message-ID): a worker runs every due job,
        so other tests' emails may arrive here too."""
        return [m for m in self.messages if f".{workspace_id}@" in str(m["Message-ID"])]

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


def _send_all(factory: sessionmaker[Session], settings: Settings, mailbox: _Mailbox) -> None:
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        smtp = settings.model_copy(
            update={"smtp_host": "127.0.0.1", "smtp_port": port, "smtp_security": "none"}
        )
        worker(factory, smtp).drain()
        worker(factory, smtp).drain()  # the ledger sync sees the sent emails
    finally:
        controller.stop()


def _parts(message: EmailMessage) -> tuple[str, str]:
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text is not None and html is not None
    return str(text.get_content()), str(html.get_content())


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def test_campaign_email_in_the_contacts_language_with_one_click_nps_and_unsubscribe(
    db: Session,
    settings: Settings,
    server: str,
    http: httpx.Client,
    session_factory: sessionmaker[Session],
) -> None:
    tenant = make_tenant(db, "Campaign")
    ws, h = tenant.workspace.id, tenant.headers()
    sid = survey(db, ws)
    tag = uuid.uuid4().hex[:8]
    lan = contact(db, ws, email=f"lan-{tag}@example.com", name="Lan", language="vi")
    bob = contact(db, ws, email=f"bob-{tag}@example.com", name="Bob", language="fr")
    gone = contact(db, ws, email=f"gone-{tag}@example.com")
    made = http.post(
        "/api/v1/invitations/campaigns",
        json={
            "survey_id": sid,
            "contact_ids": [lan.id, bob.id, gone.id],
            "channel": "email",
            "reminder_after_days": 3,
            "max_reminders": 1,
        },
        headers=h,
    )
    assert made.status_code == 201, made.text
    assert made.json()["contacts"] == 3
    assert len(jobs_of(db, ws, "invitations.offer")) == 3

    mailbox = _Mailbox(refuse=gone.email or "")
    _send_all(session_factory, settings, mailbox)
    mails = {str(m["To"]): m for m in mailbox.of(ws)}
    assert set(mails) == {lan.email, bob.email}
    vi = mails[str(lan.email)]
    assert vi["Subject"] == "Chúng tôi làm thế nào?"
    assert vi["Content-Language"] == "vi"
    assert vi["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text, html = _parts(vi)
    assert "Xin chào Lan," in text and "Giới thiệu chúng tôi?" in html
    nps_links = re.findall(r'href="([^"]+/nps/(\d+))"', html)
    assert [int(score) for _, score in nps_links] == list(range(11))
    assert mails[str(bob.email)]["Subject"] == "How did we do?"  # no French: survey default

    # a click on 9 records the score and opens the survey prefilled, as the contact
    nine = _path(nps_links[9][0])
    first = http.get(nine)
    assert first.status_code == 303
    target = urlsplit(first.headers["location"])
    assert target.path.startswith("/s/")
    query = parse_qs(target.query)
    assert query["nps"] == ["9"] and query["lang"] == ["vi"] and query["inv"]
    page = http.get(first.headers["location"])
    assert page.status_code == 200 and "Giới thiệu chúng tôi?" in page.text
    # a replayed click, even on another score, records nothing new and just opens the survey
    replay = http.get(_path(nps_links[3][0]))
    assert parse_qs(urlsplit(replay.headers["location"]).query)["nps"] == ["9"]
    db.expire_all()
    mine = db.query(Invitation).filter_by(workspace_id=ws, contact_id=lan.id).one()
    assert mine.nps_score == 9 and mine.status == "started"

    # the rest of the survey is answered through the page: the invitation completes
    form = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page.text))
    assert form["inv"] == query["inv"][0]
    prefilled = re.search(r'name="(a\.nps)" value="9" checked', page.text)
    assert prefilled, "the clicked score is preselected"
    form.update({prefilled[1]: "9", prefilled[1][:-3] + "why": "Nhanh"})
    answered = http.post(target.path, data=form)
    assert answered.status_code == 303, answered.text
    db.expire_all()
    mine = db.query(Invitation).filter_by(workspace_id=ws, contact_id=lan.id).one()
    assert mine.status == "completed" and mine.response_id

    funnel = http.get("/api/v1/invitations/funnel", params={"survey_id": sid}, headers=h).json()
    total = funnel["total"]
    assert (total["sent"], total["delivered"], total["opened"]) == (3, 2, 1)
    assert (total["started"], total["completed"], total["responses"]) == (1, 1, 1)
    assert total["response_rate"] == 0.5
    assert {r["group"]: r["sent"] for r in funnel["by_language"]} == {"vi": 1, "en": 2}
    bounced = db.query(Invitation).filter_by(workspace_id=ws, contact_id=gone.id).one()
    assert bounced.status == "bounced"
    again = offer(
        db, settings, ws, OfferRequest(contact_id=gone.id, survey_id=sid, channel="email")
    )
    assert again.rule == "bounced"

    # one-click unsubscribe: GET only asks, POST (RFC 8058) opts out at once
    unsubscribe = _path(str(mails[str(bob.email)]["List-Unsubscribe"]).strip("<>"))
    ask = http.get(unsubscribe)
    assert ask.status_code == 200 and "<form" in ask.text
    assert offer(db, settings, ws, OfferRequest(bob.id, sid, "link")).allowed
    db.commit()
    done = http.post(unsubscribe, data={"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200 and "data-unsubscribed" in done.text
    db.commit()
    refused = offer(db, settings, ws, OfferRequest(bob.id, sid, "email"))
    assert refused.rule == "opt_out.email"
    db.commit()


def test_forged_expired_and_unknown_links_get_clear_errors(
    db: Session, settings: Settings, server: str, http: httpx.Client
) -> None:
    tenant = make_tenant(db, "Links")
    ws = tenant.workspace.id
    sid = survey(db, ws)
    person = contact(db, ws)
    made = offer(db, settings, ws, OfferRequest(person.id, sid, "link", hidden={"order": "A-1"}))
    db.commit()
    assert made.token
    opened = http.get(f"/i/{made.token}")
    assert opened.status_code == 303 and "h.order=A-1" in opened.headers["location"]
    forged = made.token[:-3] + ("AAA" if not made.token.endswith("AAA") else "BBB")
    bad = http.get(f"/i/{forged}")
    assert bad.status_code == 404 and "not valid" in bad.text
    assert http.get(f"/i/{forged}/nps/5").status_code == 404
    assert http.get(f"/i/{made.token}/nps/11").status_code == 422
    expired = settings.model_copy(update={"survey_link_max_age_days": -1})
    with pytest.raises(Gone, match="expired"):
        links.read_invitation_token(expired, made.token)
    pixel = http.get(f"/i/{forged}/open.gif")
    assert pixel.status_code == 200 and pixel.content.startswith(b"GIF89a")
    assert http.get("/u/not-a-token").status_code == 404
    assert http.post("/u/not-a-token").status_code == 404
    h = tenant.headers()
    unknown = http.post(
        "/api/v1/invitations", json={"survey_id": "nope", "contact_id": person.id}, headers=h
    )
    assert unknown.status_code == 404
    fax = http.post(
        "/api/v1/invitations",
        json={"survey_id": sid, "contact_id": person.id, "channel": "fax"},
        headers=h,
    )
    assert fax.status_code == 422 and "channel" in fax.text
    stranger = make_tenant(db, "Stranger")
    theirs = http.post(
        "/api/v1/invitations",
        json={"survey_id": sid, "contact_id": person.id},
        headers=stranger.headers(),
    )
    assert theirs.status_code == 404
    listed = http.get(f"/api/v1/invitations?contact_id={person.id}", headers=stranger.headers())
    assert listed.json() == []

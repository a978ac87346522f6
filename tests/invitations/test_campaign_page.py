"""The "New email campaign" form on /app/invitations: analysts create campaigns for a segment
or all contacts with an email, bad forms come back with the message, viewers cannot."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from cxloop.core.database import utcnow
from cxloop.core.security import Role
from cxloop.core.settings import Settings
from cxloop.invitations import campaigns
from cxloop.invitations.campaigns import OFFER_JOB
from cxloop.invitations.models import Campaign, Invitation
from cxloop.segments import service as segments
from cxloop.segments.schemas import SegmentCreate
from tests.cases.helpers import CSRF, add_user, signed_in
from tests.factories import make_tenant
from tests.invitations.helpers import contact, jobs_of, survey
from tests.invitations.test_email import _Mailbox, _send_all

PAGE = "/app/invitations"
FORM = "/app/invitations/campaigns"


def _token(browser: httpx.Client) -> str:
    found = CSRF.search(browser.get(PAGE).text)
    assert found
    return found[1]


def _segment(db: Session, workspace_id: str, name: str, plan: str) -> str:
    definition = {"conditions": [{"field": "attribute", "key": "plan", "op": "eq", "value": plan}]}
    made = segments.create(
        db, workspace_id, SegmentCreate.model_validate({"name": name, "definition": definition})
    )
    db.commit()
    return made.id


def test_an_analyst_creates_campaigns_for_all_contacts_and_for_a_segment(
    db: Session, settings: Settings, server: str, session_factory: sessionmaker[Session]
) -> None:
    tenant = make_tenant(db, "Campaigns")
    ws = tenant.workspace.id
    sid = survey(db, ws, "Checkout <b>NPS</b>")
    people = [contact(db, ws, attributes={"plan": "gold" if i == 0 else "free"}) for i in range(3)]
    contact(db, ws, email=None, phone="+84 90 000 0001")  # no email: not in "all contacts"
    gold = _segment(db, ws, "Gold <i>members</i>", "gold")
    analyst = add_user(db, tenant, Role.analyst)
    with signed_in(server, analyst.email) as browser:
        page = browser.get(PAGE)
        assert page.status_code == 200 and "New email campaign" in page.text
        assert "Gold &lt;i&gt;members&lt;/i&gt;" in page.text  # the segment, escaped
        made = browser.post(
            FORM,
            data={
                "csrf": _token(browser),
                "survey_id": sid,
                "audience": "all",
                "channel": "email",
                "when": "now",
                "reminder_after_days": "2",
                "max_reminders": "1",
            },
        )
        assert made.status_code == 303, made.text
        assert made.headers["location"].startswith(f"{PAGE}?created=")
        shown = browser.get(made.headers["location"]).text
        assert "Campaign created for Checkout &lt;b&gt;NPS&lt;/b&gt;" in shown
        assert "3 contacts (contact list) by email" in shown and "sending now" in shown

        queued = jobs_of(db, ws, OFFER_JOB)
        assert sorted(j.payload["contact_id"] for j in queued) == sorted(p.id for p in people)
        mailbox = _Mailbox()
        _send_all(session_factory, settings, mailbox)
        assert sorted(str(m["To"]) for m in mailbox.of(ws)) == sorted(str(p.email) for p in people)
        db.expire_all()
        sent = list(db.scalars(select(Invitation).where(Invitation.workspace_id == ws)))
        assert sorted(i.contact_id for i in sent) == sorted(p.id for p in people)
        assert all(i.campaign_id and i.channel == "email" for i in sent)
        assert {(i.reminder_after_days, i.max_reminders) for i in sent} == {(2, 1)}
        row = browser.get(PAGE).text.split(f'data-campaign="{sent[0].campaign_id}"')[1]
        cells = re.findall(r"<td>(.*?)</td>", row.split("</tr>")[0], re.S)
        assert cells[4] == "3" and cells[7:10] == ["0", "3", "3"]  # waiting, sent, delivered

        later = (utcnow() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")  # workspace zone: UTC
        by_segment = browser.post(
            FORM,
            data={
                "csrf": _token(browser),
                "survey_id": sid,
                "audience": f"segment:{gold}",
                "when": "later",
                "send_at": later,
            },
        )
        assert by_segment.status_code == 303, by_segment.text
        shown = browser.get(by_segment.headers["location"]).text
        assert "1 contact (Gold &lt;i&gt;members&lt;/i&gt;)" in shown
        assert f"sending from {later.replace('T', ' ')} UTC" in shown
    db.expire_all()
    newest = db.scalars(
        select(Campaign).where(Campaign.workspace_id == ws, Campaign.segment_id == gold)
    ).one()
    assert newest.contacts == 1 and newest.reminder_after_days is None
    waiting = [j for j in jobs_of(db, ws, OFFER_JOB) if j.payload["campaign_id"] == newest.id]
    assert [j.payload["contact_id"] for j in waiting] == [people[0].id]
    assert waiting[0].run_after > utcnow() + timedelta(days=1)


def test_a_bad_form_comes_back_with_the_message_and_the_values_kept(
    db: Session, server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    tenant = make_tenant(db, "BadCampaign")
    ws = tenant.workspace.id
    sid = survey(db, ws)
    for _ in range(3):
        contact(db, ws)
    analyst = add_user(db, tenant, Role.analyst)
    with signed_in(server, analyst.email) as browser:
        token = _token(browser)
        base = {"csrf": token, "survey_id": sid, "audience": "all", "when": "now"}

        no_survey = browser.post(FORM, data={**base, "survey_id": "", "reminder_after_days": "4"})
        assert no_survey.status_code == 422
        assert "Survey: choose a live survey" in no_survey.text
        assert 'name="reminder_after_days" size="3" inputmode="numeric" value="4"' in no_survey.text

        zero = browser.post(FORM, data={**base, "reminder_after_days": "0", "max_reminders": "1"})
        assert zero.status_code == 422
        assert "Reminder after: give a whole number from 1 to 60" in zero.text
        assert f'<option value="{sid}" selected>' in zero.text  # the chosen survey is kept

        past = (utcnow() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
        gone = browser.post(FORM, data={**base, "when": "later", "send_at": past})
        assert gone.status_code == 422 and "that time has passed" in gone.text
        assert f'value="{past}"' in gone.text

        hostile = browser.post(FORM, data={**base, "audience": "segment:<script>x</script>"})
        assert hostile.status_code == 422 and "<script>x</script>" not in hostile.text

        monkeypatch.setattr(campaigns, "MAX_LISTED", 2)
        too_many = browser.post(FORM, data=base)
        assert too_many.status_code == 422
        assert "3 contacts have an email address" in too_many.text
        assert "at most 2; choose a segment instead" in too_many.text
    assert jobs_of(db, ws, OFFER_JOB) == []
    assert db.scalars(select(Campaign).where(Campaign.workspace_id == ws)).all() == []


def test_a_viewer_sees_no_form_and_gets_403(db: Session, server: str) -> None:
    tenant = make_tenant(db, "ViewerCampaign")
    ws = tenant.workspace.id
    sid = survey(db, ws)
    contact(db, ws)
    viewer = add_user(db, tenant, Role.viewer)
    with signed_in(server, viewer.email) as browser:
        page = browser.get(PAGE)
        assert page.status_code == 200 and "New email campaign" not in page.text
        token = CSRF.search(page.text)
        assert token
        data = {"csrf": token[1], "survey_id": sid, "audience": "all", "when": "now"}
        assert browser.post(FORM, data=data).status_code == 403
    assert jobs_of(db, ws, OFFER_JOB) == []


def test_seed_campaign_queues_the_first_contacts_with_an_email_for_the_demo(db: Session) -> None:
    tenant = make_tenant(db, "DemoCampaign")
    ws = tenant.workspace.id
    sid = survey(db, ws, "Customer NPS")
    people = [contact(db, ws) for _ in range(3)]
    contact(db, ws, email=None, phone="+84 90 000 0002")
    made = campaigns.seed_campaign(db, ws, sid, contacts=2)
    db.commit()
    assert made.contacts == 2 and (made.reminder_after_days, made.max_reminders) == (3, 1)
    queued = [j.payload["contact_id"] for j in jobs_of(db, ws, OFFER_JOB)]
    assert len(set(queued)) == 2 and set(queued) <= {p.id for p in people}  # all with an email

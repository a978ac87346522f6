"""Governance: caps per workspace/survey/touchpoint, reminders, quarantine, quiet hours in the
contact's zone, opt-outs, suppression and bounces, each explained by the eligibility API."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy.orm import Session

from cxloop.core.security import Role
from cxloop.core.settings import Settings
from cxloop.governance import service as governance
from cxloop.invitations.service import OfferRequest, offer
from tests.cases.test_cases_api import key
from tests.factories import make_tenant
from tests.invitations.helpers import contact, rules, survey


def _offer(db: Session, settings: Settings, ws: str, contact_id: str, survey_id: str, **kw: object):  # type: ignore[no-untyped-def]
    made = offer(db, settings, ws, OfferRequest(contact_id=contact_id, survey_id=survey_id, **kw))  # type: ignore[arg-type]
    db.commit()
    return made


def test_workspace_cap_blocks_the_next_invitation_and_the_api_says_why(
    db: Session, settings: Settings, server: str, http: httpx.Client
) -> None:
    tenant = make_tenant(db, "Caps")
    ws = tenant.workspace.id
    rules(db, ws, workspace_cap=2, workspace_period_days=30)
    first, second, third = (survey(db, ws, f"S{i}") for i in range(3))
    person = contact(db, ws)
    assert _offer(db, settings, ws, person.id, first, channel="link").allowed
    assert _offer(db, settings, ws, person.id, second, channel="email").allowed
    blocked = _offer(db, settings, ws, person.id, third, channel="widget")
    assert not blocked.allowed and blocked.invitation_id is None
    assert blocked.rule == "cap.workspace"
    assert "2 invitation(s) in this workspace in the last 30 days" in blocked.reason

    answer = http.get(
        f"/api/v1/contacts/{person.id}/survey-eligibility",
        params={"survey_id": third, "channel": "email"},
        headers=tenant.headers(),
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["allowed"] is False and body["rule"] == "cap.workspace"
    assert [d["allowed"] for d in body["history"]] == [False]  # filtered to that survey
    everything = http.get(
        f"/api/v1/contacts/{person.id}/survey-eligibility", headers=tenant.headers()
    ).json()
    assert sorted(d["allowed"] for d in everything["history"]) == [False, True, True]


def test_survey_and_touchpoint_caps_and_whether_reminders_count(
    db: Session, settings: Settings
) -> None:
    tenant = make_tenant(db, "Caps2")
    ws = tenant.workspace.id
    rules(db, ws, survey_cap=1, touchpoint_cap=2)
    one, two, three = (survey(db, ws, f"S{i}") for i in range(3))
    person = contact(db, ws)
    assert _offer(db, settings, ws, person.id, one, channel="link", touchpoint_id="store").allowed
    again = _offer(db, settings, ws, person.id, one, channel="link")
    assert again.rule == "cap.survey"
    # reminders do not count by default: a reminder is allowed past the survey cap
    assert _offer(db, settings, ws, person.id, one, channel="link", is_reminder=True).allowed
    assert _offer(db, settings, ws, person.id, two, channel="link", touchpoint_id="store").allowed
    capped = _offer(db, settings, ws, person.id, three, channel="link", touchpoint_id="store")
    assert capped.rule == "cap.touchpoint"
    # another touchpoint is still free
    assert _offer(db, settings, ws, person.id, three, channel="link", touchpoint_id="web").allowed

    rules(db, ws, survey_cap=1, reminders_count=True)
    other = contact(db, ws)
    assert _offer(db, settings, ws, other.id, one, channel="link").allowed
    reminder = _offer(db, settings, ws, other.id, one, channel="link", is_reminder=True)
    assert reminder.rule == "cap.survey"


def test_quarantine_after_any_response(
    db: Session, settings: Settings, server: str, http: httpx.Client
) -> None:
    tenant = make_tenant(db, "Quarantine")
    ws = tenant.workspace.id
    rules(db, ws, quarantine_days=14)
    first, second = survey(db, ws, "A"), survey(db, ws, "B")
    person = contact(db, ws)
    assert _offer(db, settings, ws, person.id, second, channel="link").allowed
    sent = http.post(
        "/api/v1/responses",
        json={"survey_id": first, "answers": {"nps": 9}, "contact": {"id": person.id}},
        headers=tenant.headers(),
    )
    assert sent.status_code == 201, sent.text
    blocked = _offer(db, settings, ws, person.id, second, channel="email")
    assert blocked.rule == "quarantine" and "within 14 days of a response" in blocked.reason


def test_quiet_hours_follow_the_contacts_time_zone(db: Session, settings: Settings) -> None:
    tenant = make_tenant(db, "Quiet")
    ws = tenant.workspace.id
    rules(db, ws, quiet_start="21:00", quiet_end="08:00")
    sid = survey(db, ws)
    hanoi = contact(db, ws, attributes={"timezone": "Asia/Ho_Chi_Minh"})
    london = contact(db, ws)  # falls back to the workspace zone (UTC)
    day = (datetime.now(UTC) + timedelta(days=2)).date()
    evening_utc = datetime(day.year, day.month, day.day, 15, 0, tzinfo=UTC)  # 22:00 in Hanoi
    blocked = _offer(db, settings, ws, hanoi.id, sid, channel="email", send_after=evening_utc)
    assert blocked.rule == "quiet_hours" and "22:00" in blocked.reason
    assert "Asia/Ho_Chi_Minh" in blocked.reason
    assert _offer(db, settings, ws, london.id, sid, channel="email", send_after=evening_utc).allowed
    # links and widgets answer a customer who is there: quiet hours do not apply
    assert _offer(db, settings, ws, hanoi.id, sid, channel="link", send_after=evening_utc).allowed
    morning_utc = evening_utc + timedelta(hours=12)  # 10:00 in Hanoi
    assert _offer(db, settings, ws, hanoi.id, sid, channel="sms", send_after=morning_utc).rule == (
        "address.missing_phone"
    )
    assert _offer(db, settings, ws, hanoi.id, sid, channel="email", send_after=morning_utc).allowed


def test_opt_outs_consent_suppression_and_bounces(
    db: Session, settings: Settings, server: str, http: httpx.Client
) -> None:
    tenant = make_tenant(db, "OptOut")
    ws, h = tenant.workspace.id, tenant.headers()
    sid = survey(db, ws)
    person = contact(db, ws, phone="+84 90 123 4567")
    out = http.post(f"/api/v1/contacts/{person.id}/opt-outs", json={"channel": "sms"}, headers=h)
    assert out.status_code == 204
    assert _offer(db, settings, ws, person.id, sid, channel="sms").rule == "opt_out.sms"
    assert _offer(db, settings, ws, person.id, sid, channel="email").allowed
    http.post(f"/api/v1/contacts/{person.id}/opt-outs", json={"channel": "all"}, headers=h)
    assert _offer(db, settings, ws, person.id, sid, channel="link").rule == "opt_out.global"
    back = http.post(
        f"/api/v1/contacts/{person.id}/consents",
        json={"channel": "all", "granted": True, "source": "preference centre"},
        headers=h,
    )
    assert back.status_code == 204
    explained = http.get(f"/api/v1/contacts/{person.id}/survey-eligibility", headers=h).json()
    assert explained["opt_outs"] == ["sms"]
    assert next((c["granted"], c["source"]) for c in explained["consents"]) == (
        True,
        "preference centre",
    )

    other = contact(db, ws, email="Blocked@Example.com")
    added = http.post(
        "/api/v1/governance/suppressions", json={"email": "blocked@example.com"}, headers=h
    )
    assert added.status_code == 201, added.text
    assert _offer(db, settings, ws, other.id, sid, channel="email").rule == "suppressed"
    listed = http.get("/api/v1/governance/suppressions", headers=h).json()
    assert [s["value"] for s in listed] == ["blocked@example.com"]
    gone = http.delete(f"/api/v1/governance/suppressions/{added.json()['id']}", headers=h)
    assert gone.status_code == 204
    assert _offer(db, settings, ws, other.id, sid, channel="email").allowed

    bounced = contact(db, ws)
    http.post("/api/v1/governance/bounces", json={"email": bounced.email}, headers=h)
    refused = _offer(db, settings, ws, bounced.id, sid, channel="email")
    assert refused.rule == "bounced" and "not retried" in refused.reason
    assert governance.contactable(db, ws, bounced.id, "email").rule == "bounced"
    assert governance.contactable(db, ws, bounced.id, "link").allowed


def test_bad_input_roles_and_tenancy(
    db: Session, settings: Settings, server: str, http: httpx.Client
) -> None:
    tenant = make_tenant(db, "Gov")
    stranger = make_tenant(db, "Other")
    h = tenant.headers()
    bad = http.put(
        "/api/v1/governance/settings",
        json={"quiet_start": "25:00", "quiet_end": "08:00"},
        headers=h,
    )
    assert bad.status_code == 422 and "HH:MM" in bad.text
    half = http.put("/api/v1/governance/settings", json={"quiet_start": "21:00"}, headers=h)
    assert half.status_code == 422 and "both or neither" in half.text
    viewer = key(db, tenant, Role.viewer)
    assert http.put("/api/v1/governance/settings", json={}, headers=viewer).status_code == 403
    assert http.get("/api/v1/governance/settings", headers=viewer).json()["workspace_cap"] is None
    saved = http.put("/api/v1/governance/settings", json={"workspace_cap": 3}, headers=h)
    assert saved.status_code == 200 and saved.json()["workspace_cap"] == 3
    assert (
        http.get("/api/v1/governance/settings", headers=stranger.headers()).json()["workspace_cap"]
        is None
    )
    theirs = contact(db, stranger.workspace.id)
    assert (
        http.get(f"/api/v1/contacts/{theirs.id}/survey-eligibility", headers=h).status_code == 404
    )
    wrong = http.post(
        "/api/v1/governance/suppressions", json={"email": "not an address"}, headers=h
    )
    assert wrong.status_code == 422 and "email" in wrong.text
    both = http.post("/api/v1/governance/suppressions", json={}, headers=h)
    assert both.status_code == 422
    channel = http.get(f"/api/v1/contacts/{theirs.id}/survey-eligibility?channel=fax", headers=h)
    assert channel.status_code == 422


def test_an_invalid_address_is_never_emailed(db: Session, settings: Settings) -> None:
    tenant = make_tenant(db, "Invalid")
    ws = tenant.workspace.id
    sid = survey(db, ws)
    person = contact(db, ws)
    person.email = "someone@@example"  # imported before validation existed
    db.commit()
    refused = _offer(db, settings, ws, person.id, sid, channel="email")
    assert refused.rule == "address.invalid" and "someone@@example" in refused.reason
    assert _offer(db, settings, ws, person.id, sid, channel="link").allowed


def test_a_draft_survey_is_refused_without_using_up_the_cap(
    db: Session, settings: Settings
) -> None:
    tenant = make_tenant(db, "Draft")
    ws = tenant.workspace.id
    rules(db, ws, workspace_cap=1)
    draft = survey(db, ws, "Draft", publish=False)
    live = survey(db, ws, "Live")
    person = contact(db, ws)
    refused = _offer(db, settings, ws, person.id, draft, channel="link")
    assert refused.rule == "survey.not_live"
    assert _offer(db, settings, ws, person.id, live, channel="link").allowed

"""Support metrics from ticket events: first response, resolution (business hours), reopens."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy.orm import Session

from tests.factories import Tenant, make_tenant

# (thread, kind, time, channel); November 2nd 2026 is a Monday
EVENTS = [
    ("T1", "ticket_opened", "2026-11-02T16:00:00Z", "email"),
    ("T1", "agent_replied", "2026-11-03T10:00:00Z", "email"),
    ("T1", "ticket_solved", "2026-11-03T12:00:00Z", "email"),
    ("T2", "ticket_opened", "2026-11-04T09:00:00Z", "email"),
    ("T2", "agent_replied", "2026-11-04T09:30:00Z", "email"),
    ("T2", "ticket_solved", "2026-11-05T12:00:00Z", "email"),
    ("T2", "ticket_reopened", "2026-11-06T09:00:00Z", "email"),
    ("T2", "ticket_solved", "2026-11-06T17:00:00Z", "email"),
    ("T3", "ticket_opened", "2026-11-05T10:00:00Z", "chat"),
]


def build(http: httpx.Client, tenant: Tenant) -> None:
    for thread, kind, at, channel in EVENTS:
        body = {
            "kind": kind,
            "contact_external_id": f"cust-{thread}",
            "thread_id": thread,
            "occurred_at": at,
            "channel": channel,
        }
        resp = http.post("/api/v1/interactions", json=body, headers=tenant.headers())
        assert resp.status_code == 201, resp.text


def test_times_in_calendar_and_business_hours_match_a_hand_computed_example(
    db: Session, http: httpx.Client
) -> None:
    tenant = make_tenant(db, "Support")
    build(http, tenant)
    params = {"from": "2026-11-01", "to": "2026-11-30", "by": "channel"}
    resp = http.get("/api/v1/support-metrics", params=params, headers=tenant.headers())
    assert resp.status_code == 200, resp.text
    overall = resp.json()["overall"]
    assert overall["tickets"] == 3
    first = overall["first_response"]
    # T1: Mon 16:00 -> Tue 10:00 = 18 h (business: 1 h Monday + 1 h Tuesday); T2: 0.5 h
    assert (first["n"], first["open"]) == (2, 1)
    assert first["median_hours"] == pytest.approx(9.25)
    assert first["business_median_hours"] == pytest.approx(1.25)
    solved = overall["resolution"]
    # T1: 20 h (business 1 + 3); T2: Wed 09:00 -> last solve Fri 17:00 = 56 h (business 24)
    assert solved["mean_hours"] == pytest.approx(38.0)
    assert solved["business_mean_hours"] == pytest.approx(14.0)
    assert overall["reopen_rate"] == pytest.approx(50.0)
    by_channel = {g["label"]: g["tickets"] for g in resp.json()["groups"]}
    assert by_channel == {"email": 2, "chat": 1}


def test_the_workspace_calendar_changes_business_hours(db: Session, http: httpx.Client) -> None:
    tenant = make_tenant(db, "Support calendar")
    build(http, tenant)
    h = tenant.headers()
    calendar = {
        "timezone": "UTC",
        "hours": {
            d: [{"start": "00:00", "end": "24:00"}]
            for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
        },
    }
    assert http.put("/api/v1/workspace/calendar", json=calendar, headers=h).status_code == 200
    params = {"from": "2026-11-01", "to": "2026-11-30"}
    overall = http.get("/api/v1/support-metrics", params=params, headers=h).json()["overall"]
    assert overall["first_response"]["business_median_hours"] == pytest.approx(9.25)
    bad = {"timezone": "UTC", "hours": {"mon": [{"start": "17:00", "end": "09:00"}]}}
    refused = http.put("/api/v1/workspace/calendar", json=bad, headers=h)
    assert refused.status_code == 422
    backwards = http.get(
        "/api/v1/support-metrics", params={"from": "2026-12-01", "to": "2026-11-01"}, headers=h
    )
    assert backwards.status_code == 422

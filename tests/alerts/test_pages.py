"""Alert pages over real HTTP: the list, creating one with the form, the detail's check."""

from __future__ import annotations

import httpx
from sqlalchemy.orm import Session

from tests.alerts.test_api import _seed
from tests.contacts.web import csrf_of, login
from tests.factories import make_tenant


def test_create_an_alert_in_the_browser_and_see_why_it_would_fire(
    db: Session, http: httpx.Client
) -> None:
    tenant = make_tenant(db, "Pages")
    program = _seed(db, tenant)
    login(http, tenant)
    page = http.get("/app/alerts")
    assert page.status_code == 200 and "No alerts yet" in page.text
    assert 'href="/app/alerts"' in page.text  # the navigation links here
    form = {
        "csrf": csrf_of(page.text),
        "name": "<b>Checkout</b> watch",
        "metric": "nps",
        "grain": "week",
        "compare": "last_complete",
        "kind": "below",
        "value": "500",
        "touchpoint_id": program.touchpoints["Checkout"].id,
        "notify": "ops@example.com",
        "active": "on",
    }
    refused = http.post("/app/alerts", data=form)
    assert refused.status_code == 422
    assert "500 is outside the range of nps" in refused.text
    assert 'value="&lt;b&gt;Checkout&lt;/b&gt; watch"' in refused.text  # kept, escaped

    created = http.post("/app/alerts", data={**form, "value": "0"})
    assert created.status_code == 303
    detail = http.get(created.headers["location"])
    assert detail.status_code == 200
    assert (
        "&lt;b&gt;Checkout&lt;/b&gt; watch" in detail.text and "<b>Checkout</b>" not in detail.text
    )
    assert "would fire: \u221225 last week is below 0" in detail.text
    assert "NPS of Checkout per week" in detail.text
    listing = http.get("/app/alerts")
    assert "&lt;b&gt;Checkout&lt;/b&gt; watch" in listing.text and "watching" in listing.text


def test_pages_of_another_workspace_are_not_found(db: Session, http: httpx.Client) -> None:
    tenant, other = make_tenant(db, "Mine"), make_tenant(db, "Theirs")
    program = _seed(db, other)
    with other.client(http.base_url.__str__()) as client:
        body = {
            "name": "Theirs",
            "metric": "nps",
            "filters": {"touchpoint_id": program.touchpoints["Checkout"].id},
            "condition": {"kind": "significant_drop"},
        }
        alert = client.post("/api/v1/alerts", json=body).json()
    login(http, tenant)
    assert http.get(f"/app/alerts/{alert['id']}").status_code == 404
    page = http.get("/app/alerts")
    token = csrf_of(page.text)
    assert http.post(f"/app/alerts/{alert['id']}/delete", data={"csrf": token}).status_code == 404

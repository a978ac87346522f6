"""The customers page: churn of support contacts vs others, and the admin's definitions form."""

from __future__ import annotations

import re

import httpx
from sqlalchemy.orm import Session

from cxloop.accounts import service as accounts
from cxloop.core.security import Role
from tests.contacts.web import csrf_of, login
from tests.factories import Tenant, make_tenant
from tests.lifecycle.test_customer_metrics import build

PERIOD = {"from": "2026-07-01", "to": "2026-09-30"}


def cells(html: str, metric: str) -> list[str]:
    return re.findall(rf'<td class="num" data-metric="{metric}">([^<]*)</td>', html)


def as_viewer(db: Session, tenant: Tenant) -> None:
    email = f"viewer-{tenant.workspace.slug}@example.com"
    accounts.create_user(db, email, "viewer password", workspace=tenant.workspace, role=Role.viewer)
    db.commit()
    tenant.email, tenant.password = email, "viewer password"


def test_customers_page_compares_support_contacts_with_the_others(
    db: Session, http: httpx.Client
) -> None:
    tenant = make_tenant(db, "Customers page")
    build(http, tenant)
    login(http, tenant)
    page = http.get("/app/customers", params=PERIOD)
    assert page.status_code == 200, page.text
    html = page.text
    # all (A, B, D, F: B lost) | contacted support (A, D) | no support contact (B, F: B lost)
    assert cells(html, "churn") == ["25.0%", "0.0%", "50.0%"]
    assert cells(html, "retention") == ["75.0%", "100.0%", "50.0%"]
    assert cells(html, "clv")[0] == "128.56"
    assert cells(html, "clv-discounted")[0] == "35.73"
    verdict = html.split('id="churn-verdict"')[1].split("</section>")[0]
    assert "churned <strong>50.0 points less</strong>" in verdict
    assert "<strong>not</strong> statistically significant" in verdict
    assert "Fewer than 30 customers at the start" in html
    assert 'action="/app/customers/settings"' in html  # the owner may change definitions


def test_admin_saves_definitions_and_sees_clear_validation_messages(
    db: Session, http: httpx.Client
) -> None:
    tenant = make_tenant(db, "Customers settings")
    build(http, tenant)
    login(http, tenant)
    csrf = csrf_of(http.get("/app/customers", params=PERIOD).text)
    form = {
        "csrf": csrf,
        "activity_kinds": ["order"],
        "support_kinds": ["ticket_opened", "chat"],
        "churn_window_days": "30",
        "acquisition_cost": "25",
        "margin_pct": "100",
        "discount_rate": "0.1",
        "horizon_years": "5",
        "period_from": PERIOD["from"],
        "period_to": PERIOD["to"],
    }
    saved = http.post("/app/customers/settings", data=form)
    assert saved.status_code == 303
    assert saved.headers["location"].startswith("/app/customers?from=2026-07-01&to=2026-09-30")
    page = http.get(saved.headers["location"]).text
    assert "Settings saved" in page
    # a 30-day window: only F is active on July 1st and nobody on September 30th
    assert cells(page, "churn")[0] == "100.0%"
    assert cells(page, "clv")[0] == "-25.00"
    bad = http.post(
        "/app/customers/settings",
        data={**form, "churn_window_days": "3", "activity_kinds": [], "margin_pct": "lots"},
    )
    assert bad.status_code == 422
    assert "Churn window (days): Input should be greater than or equal to 7" in bad.text
    assert "Activity that makes a customer active: List should have at least 1 item" in bad.text
    assert "Margin (%)" in bad.text
    assert 'name="churn_window_days" min="7" max="1095" value="3"' in bad.text  # kept
    assert 'name="margin_pct" min="0" max="100" step="any" value="lots"' in bad.text
    forged = http.post("/app/customers/settings", data={**form, "csrf": "forged"})
    assert forged.status_code == 403


def test_viewer_reads_the_page_but_cannot_change_definitions(
    db: Session, http: httpx.Client
) -> None:
    tenant = make_tenant(db, "Customers viewer")
    as_viewer(db, tenant)
    login(http, tenant)
    page = http.get("/app/customers")
    assert page.status_code == 200
    assert 'action="/app/customers/settings"' not in page.text
    assert "Only admins can change these definitions" in page.text
    refused = http.post(
        "/app/customers/settings",
        data={"csrf": csrf_of(page.text), "activity_kinds": ["visit"], "churn_window_days": "30"},
    )
    assert refused.status_code == 403
    backwards = http.get("/app/customers", params={"from": "2026-09-30", "to": "2026-07-01"})
    assert backwards.status_code == 200 and "must be on or before" in backwards.text

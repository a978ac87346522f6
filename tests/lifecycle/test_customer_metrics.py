"""Churn, retention and CLV from contacts' orders, and the support comparison."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy.orm import Session

from tests.factories import Tenant, make_tenant

# contact: [(kind, day, value)]; the period is 2026-07-01..2026-09-30, window 180 days
HISTORY = {
    "A": [
        ("order", "2026-03-01", 50),
        ("order", "2026-08-01", 150),
        ("ticket_opened", "2026-07-05", None),
    ],
    "B": [("order", "2026-02-15", 10)],  # active at the start, lost by the end
    "C": [("order", "2026-08-15", 80)],  # new in the period
    "D": [("order", "2026-05-01", 40), ("ticket_opened", "2026-07-10", None)],
    "E": [("order", "2025-12-01", 20)],  # already lost before the period
    "F": [("order", "2026-06-01", 30)],
}


def build(http: httpx.Client, tenant: Tenant) -> None:
    for contact, events in HISTORY.items():
        for kind, day, value in events:
            body = {
                "kind": kind,
                "contact_external_id": contact,
                "occurred_at": f"{day}T12:00:00Z",
                "value": value,
            }
            resp = http.post("/api/v1/interactions", json=body, headers=tenant.headers())
            assert resp.status_code == 201, resp.text


def test_churn_retention_and_clv_match_a_hand_computed_example(
    db: Session, http: httpx.Client
) -> None:
    tenant = make_tenant(db, "Lifecycle")
    build(http, tenant)
    params = {"from": "2026-07-01", "to": "2026-09-30"}
    resp = http.get("/api/v1/customer-metrics", params=params, headers=tenant.headers())
    assert resp.status_code == 200, resp.text
    body = resp.json()
    everyone = body["all_customers"]
    # S = A, B, D, F; E = A, C, D, F; N = C; lost = B
    assert (everyone["customers_start"], everyone["customers_end"]) == (4, 4)
    assert (everyone["new_customers"], everyone["lost"]) == (1, 1)
    assert everyone["churn_pct"] == 25.0 and everyone["retention_pct"] == 75.0
    # revenue of the 4 active customers over the last year: (50 + 150 + 80 + 40 + 30) / 4
    assert everyone["annual_revenue_per_customer"] == 87.5
    # annual churn 1 - 0.75^(365/92) = 0.68061 -> 1.46927 years; CLV = 87.5 * 1.46927
    assert everyone["relationship_years"] == pytest.approx(1.47, abs=0.005)
    assert everyone["clv_simple"] == pytest.approx(128.56, abs=0.01)
    # discounted, 5 years, i = 10%, r = 0.31939: sum over t = 1..5 of 87.5 * (r / 1.1)^t
    assert everyone["clv_discounted"] == pytest.approx(35.73, abs=0.01)
    support, others = body["contacted_support"], body["no_support_contact"]
    assert (support["customers_start"], support["lost"], support["churn_pct"]) == (2, 0, 0.0)
    assert (others["customers_start"], others["lost"], others["churn_pct"]) == (2, 1, 50.0)
    assert others["retention_pct"] == 50.0
    assert body["churn_difference"]["delta_points"] == -50.0
    assert body["churn_difference"]["significant"] is False  # 4 customers prove nothing
    assert everyone["insufficient"] is True  # below the minimum sample of 30


def test_settings_change_the_definition_and_bad_input_is_refused(
    db: Session, http: httpx.Client
) -> None:
    tenant = make_tenant(db, "Lifecycle settings")
    build(http, tenant)
    h = tenant.headers()
    settings = {"churn_window_days": 30, "acquisition_cost": 25}
    saved = http.put("/api/v1/customer-metrics/settings", json=settings, headers=h)
    assert saved.status_code == 200, saved.text
    assert saved.json()["activity_kinds"] == ["order"]
    params = {"from": "2026-07-01", "to": "2026-09-30"}
    body = http.get("/api/v1/customer-metrics", params=params, headers=h).json()
    # with a 30-day window only F (ordered June 1st, noon) is active on July 1st, and nobody
    # on September 30th: F is lost; CLV is what is left after the acquisition cost
    everyone = body["all_customers"]
    assert (everyone["customers_start"], everyone["customers_end"], everyone["lost"]) == (1, 0, 1)
    assert everyone["churn_pct"] == 100.0 and everyone["clv_simple"] == -25.0
    bad = http.put("/api/v1/customer-metrics/settings", json={"churn_window_days": 1}, headers=h)
    assert bad.status_code == 422 and "churn_window_days" in bad.text
    backwards = http.get(
        "/api/v1/customer-metrics", params={"from": "2026-09-30", "to": "2026-07-01"}, headers=h
    )
    assert backwards.status_code == 422 and "from" in backwards.json()["error"]["message"]

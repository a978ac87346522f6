"""Key drivers of NPS from rating questions, through the API, on planted data."""

from __future__ import annotations

import random
from typing import Any

import httpx
from sqlalchemy.orm import Session

from tests.factories import Tenant, make_tenant
from tests.surveys.helpers import create_survey, nps_question


def rating(key: str) -> dict[str, Any]:
    return {"key": key, "kind": "rating", "texts": {"en": {"prompt": f"Rate the {key}"}}}


def build(http: httpx.Client, tenant: Tenant, n: int = 300) -> dict[str, Any]:
    survey = create_survey(
        http,
        tenant,
        languages=["en"],
        questions=[nps_question(["en"]), rating("delivery"), rating("staff"), rating("price")],
    )
    rng = random.Random(4)
    items = []
    for _ in range(n):
        delivery, staff, price = (rng.randint(1, 5) for _ in range(3))
        # NPS follows delivery strongly, staff a little, price not at all
        nps = round(min(10, max(0, 2.0 * delivery + 0.5 * staff - 2 + rng.gauss(0, 1.0))))
        answers = {"nps": nps, "delivery": delivery, "staff": staff, "price": price}
        items.append({"survey_id": survey["id"], "answers": answers})
    resp = http.post("/api/v1/responses/batch", json={"items": items}, headers=tenant.headers())
    assert resp.status_code in (200, 201), resp.text
    return survey


def test_the_planted_driver_ranks_first_with_intervals(db: Session, http: httpx.Client) -> None:
    tenant = make_tenant(db, "Drivers")
    survey = build(http, tenant)
    resp = http.get(
        "/api/v1/key-drivers",
        params={"survey_id": survey["id"], "bootstrap": 100},
        headers=tenant.headers(),
    )
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["outcome"] == "nps" and body["n"] == 300
    ranked = [d["key"] for d in body["drivers"]]
    assert ranked == ["delivery", "staff", "price"]
    delivery = body["drivers"][0]
    assert delivery["importance_pct"] > 70
    assert delivery["importance_low"] <= delivery["importance_pct"] <= delivery["importance_high"]
    assert abs(delivery["importance_pct"] - delivery["shapley_pct"]) < 5
    assert body["drivers"][2]["importance_pct"] < 5  # price explains nothing
    assert 0.5 < body["r2"] < 1 and body["r2_low"] <= body["r2"] <= body["r2_high"]
    assert delivery["label"] == "Rate the delivery"
    assert {d["quadrant"] for d in body["drivers"]} <= {"fix now", "keep", "maintain", "monitor"}


def test_bad_requests_name_what_is_wrong(db: Session, http: httpx.Client) -> None:
    tenant = make_tenant(db, "Drivers bad")
    survey = build(http, tenant, n=20)
    h = tenant.headers()

    def ask(**params: Any) -> httpx.Response:
        return http.get(
            "/api/v1/key-drivers", params={"survey_id": survey["id"], **params}, headers=h
        )

    few = ask()
    assert few.status_code == 422 and "rows" in few.json()["error"]["message"]
    assert "drivers" in ask(drivers="delivery,weather").json()["error"]["message"]
    assert "outcome" in ask(outcome="delivery_time").json()["error"]["message"]
    assert "at least two" in ask(drivers="delivery").json()["error"]["message"]
    other = make_tenant(db, "Drivers other")
    missing = http.get(
        "/api/v1/key-drivers", params={"survey_id": survey["id"]}, headers=other.headers()
    )
    assert missing.status_code == 404

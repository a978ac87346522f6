"""The key drivers page: planted data ranks the right driver first, refusals are explained."""

from __future__ import annotations

import json
import random
import re
from typing import Any

import httpx
from sqlalchemy.orm import Session

from cxloop.accounts import service as accounts
from cxloop.core.security import Role
from tests.contacts.web import login
from tests.factories import Tenant, make_tenant
from tests.surveys.helpers import create_survey, nps_question

EVIL = "<script>alert('staff')</script>"
PROMPTS = {"delivery": "Rate the delivery", "staff": EVIL, "price": "Rate the price"}


def plant(http: httpx.Client, tenant: Tenant, n: int = 300, name: str = "Delivery NPS") -> str:
    """NPS follows delivery strongly, staff a little, price not at all."""
    questions = [nps_question(["en"])] + [
        {"key": key, "kind": "rating", "texts": {"en": {"prompt": prompt}}}
        for key, prompt in PROMPTS.items()
    ]
    survey = create_survey(http, tenant, languages=["en"], questions=questions, name=name)
    rng = random.Random(4)
    items = []
    for _ in range(n):
        delivery, staff, price = (rng.randint(1, 5) for _ in range(3))
        nps = round(min(10, max(0, 2.0 * delivery + 0.5 * staff - 2 + rng.gauss(0, 1.0))))
        answers = {"nps": nps, "delivery": delivery, "staff": staff, "price": price}
        items.append({"survey_id": survey["id"], "answers": answers})
    if items:
        batch = {"items": items}
        resp = http.post("/api/v1/responses/batch", json=batch, headers=tenant.headers())
        assert resp.status_code in (200, 201), resp.text
    return str(survey["id"])


def chart_of(html: str) -> dict[str, Any]:
    found = re.search(r'<script type="application/json" id="drivers-data">(.*?)</script>', html)
    assert found, "no chart data on the page"
    data: dict[str, Any] = json.loads(found.group(1))
    return data


def test_drivers_page_ranks_the_planted_driver_first_with_intervals(
    db: Session, http: httpx.Client
) -> None:
    tenant = make_tenant(db, "Driver pages")
    survey_id = plant(http, tenant)
    assert http.get("/app/drivers").status_code == 303  # not logged in
    login(http, tenant)
    page = http.get("/app/drivers")  # the survey with the most responses is chosen
    assert page.status_code == 200, page.text
    html = page.text
    assert f'<option value="{survey_id}" selected>' in html
    assert re.findall(r'<tr data-key="(\w+)">', html) == ["delivery", "staff", "price"]
    assert 'id="drivers-chart"' in html and "/static/vendor/chart.umd.min.js" in html
    chart = chart_of(html)
    assert [p["label"] for p in chart["points"]] == ["Rate the delivery", EVIL, "Rate the price"]
    assert abs(chart["importance_split"] - 100 / 3) < 0.01  # three drivers: 33.3% each
    delivery = chart["points"][0]
    assert delivery["y"] > 70 and delivery["quadrant"] in ("fix now", "keep")
    assert "<script>alert('staff')" not in html  # escaped in the table and in the JSON
    assert "&lt;script&gt;alert(" in html
    n = re.search(r'id="drivers-n">([\d,]+)<', html)
    assert n and n.group(1) == "300"
    assert re.search(r'id="drivers-r2">0\.\d\d<', html)
    # the importance interval is drawn around the value
    first_row = html.split('<tr data-key="delivery">')[1].split("</tr>")[0]
    shown = re.search(
        r"<strong>([\d.]+)%</strong> <span[^>]*>([\d.]+)\u2013([\d.]+)</span>", first_row
    )
    assert shown
    value, low, high = (float(x) for x in shown.groups())
    assert low <= value <= high and value > 70


def test_a_refused_analysis_shows_the_reason_not_an_error(db: Session, http: httpx.Client) -> None:
    tenant = make_tenant(db, "Driver pages few")
    survey_id = plant(http, tenant, n=20)
    viewer = f"viewer-{tenant.workspace.slug}@example.com"
    accounts.create_user(
        db, viewer, "viewer password", workspace=tenant.workspace, role=Role.viewer
    )
    db.commit()
    tenant.email, tenant.password = viewer, "viewer password"
    login(http, tenant)  # a viewer may read the analysis
    page = http.get("/app/drivers", params={"survey_id": survey_id})
    assert page.status_code == 200
    assert 'id="drivers-refused"' in page.text and "rows" in page.text
    assert 'id="drivers-table"' not in page.text
    wrong_outcome = http.get("/app/drivers", params={"survey_id": survey_id, "outcome": "mood"})
    assert wrong_outcome.status_code == 200
    assert "&#39;mood&#39; is not an NPS, CSAT or rating question" in wrong_outcome.text
    backwards = http.get(
        "/app/drivers", params={"survey_id": survey_id, "from": "2026-02-01", "to": "2026-01-01"}
    )
    assert "must be on or before" in backwards.text
    unanswered = plant(http, tenant, n=0, name="Nobody answered yet")
    empty = http.get("/app/drivers", params={"survey_id": unanswered})
    assert empty.status_code == 200 and 'id="drivers-refused"' in empty.text


def test_another_workspaces_survey_is_not_found(db: Session, http: httpx.Client) -> None:
    mine, theirs = make_tenant(db, "Drivers mine"), make_tenant(db, "Drivers theirs")
    their_survey = plant(http, theirs, n=40, name="Secret survey")
    login(http, mine)
    empty = http.get("/app/drivers")
    assert empty.status_code == 200 and "No surveys yet" in empty.text
    assert "Secret survey" not in empty.text
    assert http.get("/app/drivers", params={"survey_id": their_survey}).status_code == 404

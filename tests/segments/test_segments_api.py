"""Segments: saved filters over contact attributes and behaviour, checked against the data."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy.orm import Session

from tests.factories import Tenant, make_tenant
from tests.surveys.helpers import create_survey, nps_question

PEOPLE = [
    # external id, plan, orders, vip, language, support contact days ago, nps
    ("c1", "pro", 5, True, "vi", 10, 3),
    ("c2", "pro", 1, False, "en", 200, 9),
    ("c3", "basic", 3, False, "vi", None, 10),
    ("c4", "basic", 0, False, "th", 30, 6),
    ("c5", "free", 7, True, "lt", None, None),
]


def build(http: httpx.Client, tenant: Tenant) -> None:
    h = tenant.headers()
    survey = create_survey(http, tenant, languages=["en"], questions=[nps_question(["en"])])
    now = datetime.now(UTC)
    for ext, plan, orders, vip, language, days_ago, nps in PEOPLE:
        attributes = {"plan": plan, "orders": orders, "vip": vip}
        body = {"external_id": ext, "language": language, "attributes": attributes}
        assert http.post("/api/v1/contacts", json=body, headers=h).status_code == 201
        if days_ago is not None:
            ticket = {
                "kind": "ticket_opened",
                "contact_external_id": ext,
                "occurred_at": (now - timedelta(days=days_ago)).isoformat(),
            }
            assert http.post("/api/v1/interactions", json=ticket, headers=h).status_code == 201
        if nps is not None:
            response = {
                "survey_id": survey["id"],
                "answers": {"nps": nps},
                "contact": {"external_id": ext},
            }
            assert http.post("/api/v1/responses", json=response, headers=h).status_code == 201


def members(
    http: httpx.Client, tenant: Tenant, *conditions: dict[str, Any], match: str = "all"
) -> int:
    body = {"match": match, "conditions": list(conditions)}
    resp = http.post("/api/v1/segments/preview", json=body, headers=tenant.headers())
    assert resp.status_code == 200, resp.text
    return int(resp.json()["members"])


def test_conditions_select_the_right_contacts(db: Session, http: httpx.Client) -> None:
    tenant = make_tenant(db, "Segments")
    build(http, tenant)
    attr = {"field": "attribute"}
    assert members(http, tenant, {**attr, "key": "plan", "op": "eq", "value": "pro"}) == 2
    assert members(http, tenant, {**attr, "key": "plan", "op": "in", "value": ["pro", "free"]}) == 3
    assert members(http, tenant, {**attr, "key": "orders", "op": "gte", "value": 3}) == 3
    assert members(http, tenant, {**attr, "key": "vip", "op": "eq", "value": True}) == 2
    assert members(http, tenant, {"field": "language", "op": "eq", "value": "vi"}) == 2
    support_90 = {"field": "interaction", "kinds": ["ticket_opened"], "within_days": 90}
    assert members(http, tenant, support_90) == 2  # c1, c4 (c2's ticket is 200 days old)
    assert members(http, tenant, {**support_90, "negate": True}) == 3
    detractors = {"field": "score", "metric": "nps", "op": "lte", "value": 6}
    assert members(http, tenant, detractors) == 2  # c1, c4
    pro_or_detractor = [{**attr, "key": "plan", "op": "eq", "value": "pro"}, detractors]
    assert members(http, tenant, *pro_or_detractor, match="any") == 3
    assert members(http, tenant, *pro_or_detractor, match="all") == 1


def test_saved_segments_count_members_and_are_scoped_to_the_workspace(
    db: Session, http: httpx.Client
) -> None:
    tenant, other = make_tenant(db, "Seg A"), make_tenant(db, "Seg B")
    build(http, tenant)
    body = {
        "name": "Contacted support (90 days)",
        "kind": "persona",
        "description": "Customers who opened a ticket recently",
        "definition": {
            "conditions": [{"field": "interaction", "kinds": ["ticket_opened"], "within_days": 90}]
        },
    }
    created = http.post("/api/v1/segments", json=body, headers=tenant.headers())
    assert created.status_code == 201, created.text
    segment = created.json()
    assert segment["members"] == 2 and segment["kind"] == "persona"
    again = http.post("/api/v1/segments", json=body, headers=tenant.headers())
    assert again.status_code == 409 and "already exists" in again.json()["error"]["message"]
    url = f"/api/v1/segments/{segment['id']}"
    assert http.get(url, headers=other.headers()).status_code == 404
    renamed = http.patch(url, json={"name": "Support seekers"}, headers=tenant.headers())
    assert renamed.status_code == 200 and renamed.json()["name"] == "Support seekers"
    assert [s["name"] for s in http.get("/api/v1/segments", headers=tenant.headers()).json()] == [
        "Support seekers"
    ]
    assert http.delete(url, headers=tenant.headers()).status_code == 204
    assert http.get(url, headers=tenant.headers()).status_code == 404


def test_bad_definitions_are_refused_with_the_part_named(db: Session, http: httpx.Client) -> None:
    tenant = make_tenant(db, "Seg bad")
    build(http, tenant)

    def refused(*conditions: dict[str, Any]) -> str:
        body = {"conditions": list(conditions)}
        resp = http.post("/api/v1/segments/preview", json=body, headers=tenant.headers())
        assert resp.status_code == 422, resp.text
        return str(resp.json()["error"]["message"])

    assert "'tier'" in refused({"field": "attribute", "key": "tier", "op": "eq", "value": "x"})
    assert "compares numbers" in refused(
        {"field": "attribute", "key": "orders", "op": "gt", "value": "many"}
    )
    assert "needs a list" in refused(
        {"field": "attribute", "key": "plan", "op": "in", "value": "pro"}
    )
    refused({"field": "attribute", "key": "bad key!", "op": "exists"})
    refused({"field": "weather", "op": "eq", "value": "sunny"})
    refused({"field": "interaction", "kinds": ["teleport"]})
    resp = http.post("/api/v1/segments/preview", json={"conditions": []}, headers=tenant.headers())
    assert resp.status_code == 422

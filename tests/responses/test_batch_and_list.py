"""Batches (all or nothing, up to 1,000, idempotent per item) and listing with filters."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
from sqlalchemy.orm import Session

from tests.factories import Tenant, make_tenant
from tests.surveys.helpers import create_survey, make_touchpoint, responses_of


def batch(http: httpx.Client, tenant: Tenant, items: list[dict[str, Any]]) -> httpx.Response:
    return http.post("/api/v1/responses/batch", json={"items": items}, headers=tenant.headers())


def item(survey_id: str, nps: Any, **extra: Any) -> dict[str, Any]:
    return {"survey_id": survey_id, "answers": {"nps": nps}, **extra}


def test_batch_is_stored_whole(db: Session, http: httpx.Client) -> None:
    tenant = make_tenant(db)
    survey = create_survey(http, tenant)
    resp = batch(http, tenant, [item(survey["id"], n, language="vi") for n in range(11)])
    assert resp.status_code == 201, resp.text
    assert resp.json()["accepted"] == 11 and len(resp.json()["ids"]) == 11
    stored = responses_of(http, tenant, survey["id"])
    assert sorted(r["answers"]["nps"] for r in stored) == list(range(11))


def test_batch_with_bad_items_stores_nothing_and_lists_each(
    db: Session, http: httpx.Client
) -> None:
    tenant = make_tenant(db)
    survey = create_survey(http, tenant)
    items = [item(survey["id"], 9) for _ in range(6)]
    items[1] = item(survey["id"], 11)
    items[3] = {"survey_id": survey["id"], "answers": {"comment": "no score"}}
    items[4] = item("nope", 5)
    resp = batch(http, tenant, items)
    assert resp.status_code == 422
    error = resp.json()["error"]
    assert "3 of 6 items are invalid (indexes 1, 3, 4)" in error["message"]
    assert "nothing was stored" in error["message"]
    fields = [d["field"] for d in error["details"]]
    assert "items.1.answers.nps" in fields and "items.3.answers.nps" in fields
    assert any(f.startswith("items.4") for f in fields)
    assert responses_of(http, tenant, survey["id"]) == []

    bad_shape = batch(http, tenant, [item(survey["id"], 1), {"answers": {"nps": 1}}])
    assert bad_shape.status_code == 422 and "items.1.survey_id" in bad_shape.text
    assert batch(http, tenant, []).status_code == 422
    assert responses_of(http, tenant, survey["id"]) == []


def test_batch_over_1000_items_is_refused(db: Session, http: httpx.Client) -> None:
    tenant = make_tenant(db)
    survey = create_survey(http, tenant)
    resp = batch(http, tenant, [item(survey["id"], 7) for _ in range(1001)])
    assert resp.status_code == 422
    assert (
        "at most 1000" in resp.json()["error"]["message"]
        and "1001" in resp.json()["error"]["message"]
    )
    assert responses_of(http, tenant, survey["id"]) == []
    assert (
        batch(http, tenant, [item(survey["id"], 7) for _ in range(1000)]).json()["accepted"] == 1000
    )


def test_batch_items_with_the_same_idempotency_key_are_stored_once(
    db: Session, http: httpx.Client
) -> None:
    tenant = make_tenant(db)
    survey = create_survey(http, tenant)
    items = [item(survey["id"], n, idempotency_key=f"row-{n}") for n in range(5)]
    first = batch(http, tenant, items)
    assert first.json()["accepted"] == 5 and first.json()["duplicates"] == 0
    again = batch(http, tenant, [*items, item(survey["id"], 10, idempotency_key="row-5")])
    assert again.status_code == 201
    assert again.json()["accepted"] == 1 and again.json()["duplicates"] == 5
    twice_inside = batch(
        http,
        tenant,
        [
            item(survey["id"], 1, idempotency_key="dup"),
            item(survey["id"], 2, idempotency_key="dup"),
        ],
    )
    assert twice_inside.json()["accepted"] == 1 and twice_inside.json()["duplicates"] == 1
    assert len(responses_of(http, tenant, survey["id"])) == 7


def test_list_and_filter_responses(db: Session, http: httpx.Client) -> None:
    tenant = make_tenant(db)
    touchpoint = make_touchpoint(http, tenant, channel="chat")
    survey = create_survey(http, tenant)
    other_survey = create_survey(http, tenant, name="Other", touchpoint_id=touchpoint["id"])
    items = [
        item(survey["id"], 9, language="vi", submitted_at="2025-01-10T10:00:00Z"),
        item(survey["id"], 3, language="en", channel="email", submitted_at="2025-02-10T10:00:00Z"),
        item(other_survey["id"], 6, language="vi", submitted_at="2025-03-10T10:00:00Z"),
    ]
    assert batch(http, tenant, items).status_code == 201

    def listed(**params: Any) -> list[float]:
        resp = http.get("/api/v1/responses", params=params, headers=tenant.headers())
        assert resp.status_code == 200, resp.text
        return [r["answers"]["nps"] for r in resp.json()["items"]]

    assert listed() == [6, 3, 9]  # newest first
    assert listed(survey_id=survey["id"]) == [3, 9]
    assert listed(language="vi") == [6, 9]
    assert listed(channel="email") == [3]
    assert listed(channel="chat", touchpoint_id=touchpoint["id"]) == [6]
    assert listed(**{"from": "2025-02-01T00:00:00Z", "to": "2025-03-01T00:00:00Z"}) == [3]
    page = http.get(
        "/api/v1/responses", params={"limit": 2, "offset": 1}, headers=tenant.headers()
    ).json()
    assert page["total"] == 3 and [r["answers"]["nps"] for r in page["items"]] == [3, 9]

    bad = http.get(
        "/api/v1/responses",
        params={"from": "2025-03-01T00:00:00Z", "to": "2025-01-01T00:00:00Z"},
        headers=tenant.headers(),
    )
    assert bad.status_code == 422 and "from" in bad.json()["error"]["message"]
    bad = http.get("/api/v1/responses", params={"channel": "fax"}, headers=tenant.headers())
    assert bad.status_code == 422 and "channel" in bad.text
    bad = http.get("/api/v1/responses", params={"limit": 5000}, headers=tenant.headers())
    assert bad.status_code == 422 and "limit" in bad.text

    other = make_tenant(db, "Other")
    assert http.get("/api/v1/responses", headers=other.headers()).json()["total"] == 0


def test_concurrent_batches_with_the_same_keys_store_each_item_once(
    db: Session, http: httpx.Client, server: str
) -> None:
    tenant = make_tenant(db)
    survey = create_survey(http, tenant)
    items = [item(survey["id"], n % 11, idempotency_key=f"sync-{n}") for n in range(50)]

    def send(_: int) -> httpx.Response:
        return httpx.post(
            f"{server}/api/v1/responses/batch",
            json={"items": items},
            headers=tenant.headers(),
            timeout=30,
        )

    with ThreadPoolExecutor(3) as pool:
        results = list(pool.map(send, range(3)))
    assert [r.status_code for r in results] == [201] * 3, [r.text for r in results]
    assert sum(r.json()["accepted"] for r in results) == 50
    listed = http.get(
        "/api/v1/responses", params={"survey_id": survey["id"]}, headers=tenant.headers()
    )
    assert listed.json()["total"] == 50

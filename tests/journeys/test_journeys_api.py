from __future__ import annotations

import httpx
import pytest
from sqlalchemy.orm import Session

from cxloop.core.security import Role
from tests.factories import Tenant, make_tenant


def _journey(http: httpx.Client, tenant: Tenant, **body: object) -> dict[str, object]:
    resp = http.post("/api/v1/journeys", json={"name": "Buy", **body}, headers=tenant.headers())
    assert resp.status_code == 201, resp.text
    data: dict[str, object] = resp.json()
    return data


def _stage_names(http: httpx.Client, tenant: Tenant, journey_id: object) -> list[str]:
    resp = http.get(f"/api/v1/journeys/{journey_id}/stages", headers=tenant.headers())
    assert resp.status_code == 200
    stages = resp.json()
    assert [s["position"] for s in stages] == list(range(len(stages)))
    return [s["name"] for s in stages]


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("purchase", ["Before purchase", "During purchase", "After purchase"]),
        ("five_es", ["Entice", "Enter", "Engage", "Exit", "Extend"]),
        (None, []),
    ],
)
def test_journey_from_template_gets_its_stages_in_order(
    db: Session, http: httpx.Client, template: str | None, expected: list[str]
) -> None:
    tenant = make_tenant(db)
    journey = _journey(http, tenant, template=template)
    assert [s["name"] for s in journey["stages"]] == expected  # type: ignore[attr-defined]
    assert _stage_names(http, tenant, journey["id"]) == expected
    listed = http.get("/api/v1/journeys", headers=tenant.headers()).json()
    assert [j["name"] for j in listed] == ["Buy"]


def test_unknown_template_is_refused_naming_the_field(db: Session, http: httpx.Client) -> None:
    tenant = make_tenant(db)
    resp = http.post(
        "/api/v1/journeys", json={"name": "X", "template": "funnel"}, headers=tenant.headers()
    )
    assert resp.status_code == 422
    assert "template" in resp.json()["error"]["message"]


def test_stages_insert_move_reorder_and_delete_stay_contiguous(
    db: Session, http: httpx.Client
) -> None:
    tenant = make_tenant(db)
    h = tenant.headers()
    journey = _journey(http, tenant, template="purchase")
    jid = journey["id"]
    url = f"/api/v1/journeys/{jid}/stages"
    research = http.post(url, json={"name": "Research", "position": 0}, headers=h)
    assert research.status_code == 201
    assert research.json()["position"] == 0
    assert _stage_names(http, tenant, jid) == [
        "Research",
        "Before purchase",
        "During purchase",
        "After purchase",
    ]
    ids = {s["name"]: s["id"] for s in http.get(url, headers=h).json()}

    moved = http.patch(f"{url}/{ids['Research']}", json={"position": 2}, headers=h)
    assert moved.status_code == 200
    assert _stage_names(http, tenant, jid) == [
        "Before purchase",
        "During purchase",
        "Research",
        "After purchase",
    ]

    order = ["After purchase", "Research", "Before purchase", "During purchase"]
    resp = http.put(f"{url}/order", json={"stage_ids": [ids[n] for n in order]}, headers=h)
    assert resp.status_code == 200
    assert _stage_names(http, tenant, jid) == order

    assert http.delete(f"{url}/{ids['Research']}", headers=h).status_code == 204
    assert _stage_names(http, tenant, jid) == [
        "After purchase",
        "Before purchase",
        "During purchase",
    ]


def test_reorder_must_list_every_stage_once(db: Session, http: httpx.Client) -> None:
    tenant = make_tenant(db)
    journey = _journey(http, tenant, template="purchase")
    stage_ids = [s["id"] for s in journey["stages"]]  # type: ignore[attr-defined]
    url = f"/api/v1/journeys/{journey['id']}/stages/order"
    missing = http.put(url, json={"stage_ids": stage_ids[:2]}, headers=tenant.headers())
    assert missing.status_code == 422
    assert "stage_ids" in missing.json()["error"]["message"]
    twice = http.put(url, json={"stage_ids": [*stage_ids, stage_ids[0]]}, headers=tenant.headers())
    assert twice.status_code == 422
    assert _stage_names(http, tenant, journey["id"]) == [
        "Before purchase",
        "During purchase",
        "After purchase",
    ]


def test_touchpoint_needs_a_valid_channel(db: Session, http: httpx.Client) -> None:
    tenant = make_tenant(db)
    stage = _journey(http, tenant, template="purchase")["stages"][0]  # type: ignore[index]
    body = {"stage_id": stage["id"], "name": "Checkout", "channel": "carrier-pigeon"}
    resp = http.post("/api/v1/touchpoints", json=body, headers=tenant.headers())
    assert resp.status_code == 422
    error = resp.json()["error"]
    assert "channel" in error["message"]
    assert error["details"][0]["field"] == "channel"
    missing = http.post(
        "/api/v1/touchpoints", json={"stage_id": stage["id"], "name": "X"}, headers=tenant.headers()
    )
    assert missing.status_code == 422
    assert "channel" in missing.json()["error"]["message"]
    listed = http.get("/api/v1/touchpoints", headers=tenant.headers()).json()
    assert listed == []


def test_touchpoints_with_keys_and_filters(db: Session, http: httpx.Client) -> None:
    tenant = make_tenant(db)
    h = tenant.headers()
    journey = _journey(http, tenant, template="purchase")
    before, during, _after = journey["stages"]  # type: ignore[misc]
    other = _journey(http, tenant, name="Support", template="five_es")
    first_other = other["stages"][0]  # type: ignore[index]

    def add(
        stage: dict[str, str], name: str, channel: str, key: str | None = None
    ) -> httpx.Response:
        body = {"stage_id": stage["id"], "name": name, "channel": channel, "key": key}
        return http.post("/api/v1/touchpoints", json=body, headers=h)

    created = add(during, "Checkout page", "web", "checkout-web")
    assert created.status_code == 201
    tp = created.json()
    assert (tp["key"], tp["channel"], tp["stage_name"], tp["journey_name"]) == (
        "checkout-web",
        "web",
        "During purchase",
        "Buy",
    )
    assert add(before, "Ad", "social").json()["key"] is None
    assert add(first_other, "Store visit", "store", "visit").status_code == 201
    taken = add(before, "Other checkout", "app", "checkout-web")
    assert taken.status_code == 409
    assert "key" in taken.json()["error"]["message"]
    assert add(before, "Bad key", "app", "Not A Slug").status_code == 422

    def names(**params: str) -> list[str]:
        resp = http.get("/api/v1/touchpoints", params=params, headers=h)
        assert resp.status_code == 200
        return sorted(t["name"] for t in resp.json())

    assert names() == ["Ad", "Checkout page", "Store visit"]
    assert names(journey_id=str(journey["id"])) == ["Ad", "Checkout page"]
    assert names(stage_id=during["id"]) == ["Checkout page"]
    assert names(channel="store") == ["Store visit"]
    bad = http.get("/api/v1/touchpoints", params={"channel": "fax"}, headers=h)
    assert bad.status_code == 422
    assert "channel" in bad.json()["error"]["message"]

    renamed = http.patch(
        f"/api/v1/touchpoints/{tp['id']}", json={"name": "Checkout", "key": None}, headers=h
    )
    assert renamed.status_code == 200
    assert (renamed.json()["name"], renamed.json()["key"]) == ("Checkout", None)


def test_deleting_a_journey_deletes_its_stages_and_touchpoints(
    db: Session, http: httpx.Client
) -> None:
    tenant = make_tenant(db)
    h = tenant.headers()
    journey = _journey(http, tenant, template="purchase")
    stage = journey["stages"][0]  # type: ignore[index]
    tp = http.post(
        "/api/v1/touchpoints",
        json={"stage_id": stage["id"], "name": "Ad", "channel": "social", "key": "ad"},
        headers=h,
    ).json()
    assert http.delete(f"/api/v1/journeys/{journey['id']}", headers=h).status_code == 204
    assert http.get(f"/api/v1/journeys/{journey['id']}", headers=h).status_code == 404
    assert http.get(f"/api/v1/touchpoints/{tp['id']}", headers=h).status_code == 404
    assert http.get("/api/v1/touchpoints", headers=h).json() == []
    # the key is free again
    again = _journey(http, tenant)
    new_stage = http.post(
        f"/api/v1/journeys/{again['id']}/stages", json={"name": "Only"}, headers=h
    ).json()
    reuse = http.post(
        "/api/v1/touchpoints",
        json={"stage_id": new_stage["id"], "name": "Ad", "channel": "social", "key": "ad"},
        headers=h,
    )
    assert reuse.status_code == 201


def test_viewer_reads_but_only_admin_configures(db: Session, http: httpx.Client) -> None:
    admin = make_tenant(db)
    journey = _journey(http, admin, template="purchase")
    from cxloop.accounts import service as accounts

    viewer_key = accounts.create_api_key(db, admin.workspace, Role.viewer, "viewer")
    analyst_key = accounts.create_api_key(db, admin.workspace, Role.analyst, "analyst")
    db.commit()
    viewer = {"Authorization": f"Bearer {viewer_key}"}
    analyst = {"Authorization": f"Bearer {analyst_key}"}
    assert http.get(f"/api/v1/journeys/{journey['id']}", headers=viewer).status_code == 200
    for headers in (viewer, analyst):
        resp = http.post("/api/v1/journeys", json={"name": "No"}, headers=headers)
        assert resp.status_code == 403
        assert "admin" in resp.json()["error"]["message"]
    assert http.delete(f"/api/v1/journeys/{journey['id']}", headers=analyst).status_code == 403
    assert len(http.get("/api/v1/journeys", headers=viewer).json()) == 1

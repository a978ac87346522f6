"""A workspace never sees or touches another workspace's journeys, contacts or interactions."""

from __future__ import annotations

import re
from typing import Any

import httpx
from sqlalchemy.orm import Session

from cxloop.contacts import service as contacts
from cxloop.interactions import service as interactions
from cxloop.interactions.schemas import InteractionCreate
from cxloop.journeys import service as journeys
from tests.contacts.web import csrf_of, login
from tests.interactions.shop import Shop, make_shop


def _other_shop(db: Session) -> tuple[Shop, dict[str, str]]:
    shop = make_shop(db)
    ws = shop.tenant.workspace.id
    journey = journeys.list_journeys(db, ws)[0]
    stage = journeys.list_stages(db, ws, journey.id)[0]
    contact = contacts.create_contact(db, ws, external_id="b-secret", name="Secret B")
    item = InteractionCreate.model_validate(
        {"kind": "order", "contact_id": contact.id, "touchpoint_id": shop.checkout}
    )
    interaction, _ = interactions.create_interaction(db, ws, item)
    db.commit()
    ids = {
        "journey": journey.id,
        "stage": stage.id,
        "touchpoint": shop.checkout,
        "contact": contact.id,
        "interaction": interaction.id,
    }
    return shop, ids


def _snapshot(http: httpx.Client, shop: Shop) -> list[Any]:
    h = shop.headers()
    return [
        http.get("/api/v1/journeys", headers=h).json(),
        http.get("/api/v1/touchpoints", headers=h).json(),
        http.get("/api/v1/contacts", headers=h).json(),
        http.get("/api/v1/interactions", headers=h).json(),
    ]


def test_other_workspace_ids_are_404_on_every_api_route(db: Session, http: httpx.Client) -> None:
    mine = make_shop(db)
    theirs, b = _other_shop(db)
    before = _snapshot(http, theirs)
    j, s, t, c, i = b["journey"], b["stage"], b["touchpoint"], b["contact"], b["interaction"]
    calls: list[tuple[str, str, dict[str, Any] | None, dict[str, str] | None]] = [
        ("GET", f"/api/v1/journeys/{j}", None, None),
        ("PATCH", f"/api/v1/journeys/{j}", {"name": "hacked"}, None),
        ("DELETE", f"/api/v1/journeys/{j}", None, None),
        ("GET", f"/api/v1/journeys/{j}/stages", None, None),
        ("POST", f"/api/v1/journeys/{j}/stages", {"name": "hacked"}, None),
        ("PUT", f"/api/v1/journeys/{j}/stages/order", {"stage_ids": [s]}, None),
        ("PATCH", f"/api/v1/journeys/{j}/stages/{s}", {"name": "hacked"}, None),
        ("DELETE", f"/api/v1/journeys/{j}/stages/{s}", None, None),
        ("POST", "/api/v1/touchpoints", {"stage_id": s, "name": "x", "channel": "web"}, None),
        ("GET", "/api/v1/touchpoints", None, {"journey_id": j}),
        ("GET", "/api/v1/touchpoints", None, {"stage_id": s}),
        ("GET", f"/api/v1/touchpoints/{t}", None, None),
        ("PATCH", f"/api/v1/touchpoints/{t}", {"name": "hacked"}, None),
        ("PATCH", f"/api/v1/touchpoints/{mine.checkout}", {"stage_id": s}, None),
        ("DELETE", f"/api/v1/touchpoints/{t}", None, None),
        ("GET", f"/api/v1/contacts/{c}", None, None),
        ("PATCH", f"/api/v1/contacts/{c}", {"name": "hacked"}, None),
        ("DELETE", f"/api/v1/contacts/{c}", None, None),
        ("GET", "/api/v1/contacts/by-external-id/b-secret", None, None),
        ("GET", f"/api/v1/contacts/{c}/timeline", None, None),
        ("GET", f"/api/v1/contacts/{c}/survey-triggers", None, None),
        ("GET", f"/api/v1/contacts/{c}/survey-eligibility", None, None),
        ("POST", f"/api/v1/contacts/{c}/opt-outs", {"channel": "all"}, None),
        ("POST", f"/api/v1/contacts/{c}/consents", {"channel": "all"}, None),
        ("POST", "/api/v1/interactions", {"kind": "chat", "contact_id": c}, None),
        (
            "POST",
            "/api/v1/interactions",
            {"kind": "chat", "contact_external_id": "x", "touchpoint_id": t},
            None,
        ),
        ("GET", "/api/v1/interactions", None, {"contact_id": c}),
        ("GET", "/api/v1/interactions", None, {"touchpoint_id": t}),
        ("GET", f"/api/v1/interactions/{i}", None, None),
        ("DELETE", f"/api/v1/interactions/{i}", None, None),
    ]
    for method, url, body, params in calls:
        resp = http.request(method, url, json=body, params=params, headers=mine.headers())
        assert resp.status_code == 404, (method, url, resp.status_code, resp.text)
        assert "does not exist" in resp.json()["error"]["message"]
    _assert_every_id_route_is_called(http, [(m, u) for m, u, _, _ in calls])

    batch = http.post(
        "/api/v1/interactions/batch",
        json={"items": [{"kind": "chat", "contact_id": c}]},
        headers=mine.headers(),
    )
    assert batch.status_code == 422
    assert batch.json()["error"]["details"][0]["field"] == "items.0.contact_id"
    # the same external id in my workspace is a different contact of mine
    upsert = http.put(
        "/api/v1/contacts/by-external-id/b-secret", json={"name": "Mine"}, headers=mine.headers()
    )
    assert upsert.status_code == 201 and upsert.json()["id"] != c
    assert _snapshot(http, theirs) == before


def _assert_every_id_route_is_called(http: httpx.Client, calls: list[tuple[str, str]]) -> None:
    """Walks the OpenAPI route table: each route of these features with an id is tried above."""
    upserts = ("/by-external-id/{external_id}", "/by-email/{email}")
    for path, operations in http.get("/openapi.json").json()["paths"].items():
        feature = path.split("/")[3]
        if feature not in ("journeys", "touchpoints", "contacts", "interactions"):
            continue
        if "{" not in path:
            continue
        pattern = re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", path) + "$")
        for method in operations:
            if method == "put" and path.endswith(upserts):
                continue  # an upsert of an unknown id creates a contact in the caller's workspace
            assert any(m == method.upper() and pattern.match(u) for m, u in calls), (
                f"{method.upper()} {path} is not checked for isolation"
            )


def test_other_workspace_ids_are_404_on_every_page(db: Session, http: httpx.Client) -> None:
    mine = make_shop(db)
    theirs, b = _other_shop(db)
    before = _snapshot(http, theirs)
    login(http, mine.tenant)
    csrf = csrf_of(http.get("/app/journeys").text)
    j, s, t = b["journey"], b["stage"], b["touchpoint"]
    assert http.get(f"/app/journeys/{j}").status_code == 404
    assert http.get(f"/app/contacts/{b['contact']}").status_code == 404
    posts = [
        (f"/app/journeys/{j}/delete", {}),
        (f"/app/journeys/{j}/stages", {"name": "x"}),
        (f"/app/journeys/{j}/stages/{s}/move", {"direction": "right"}),
        (f"/app/journeys/{j}/stages/{s}/delete", {}),
        (f"/app/journeys/{j}/touchpoints", {"stage_id": s, "name": "x", "channel": "web"}),
        (f"/app/journeys/{j}/touchpoints/{t}/delete", {}),
    ]
    my_journey = journeys.list_journeys(db, mine.tenant.workspace.id)[0].id
    posts.append(
        (f"/app/journeys/{my_journey}/touchpoints", {"stage_id": s, "name": "x", "channel": "web"})
    )
    for url, data in posts:
        resp = http.post(url, data={**data, "csrf": csrf})
        assert resp.status_code == 404, (url, resp.status_code)
    assert _snapshot(http, theirs) == before

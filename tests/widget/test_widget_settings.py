"""Widget settings: the public key and snippet, allowed origins (CORS), key rotation, limits."""

from __future__ import annotations

import httpx
from sqlalchemy.orm import Session

from cxloop.core.settings import Settings
from tests.events.helpers import second_server
from tests.factories import Tenant, make_tenant

SHOP = "http://shop.example:8080"
TRACK = {"event": "checkout_completed", "visitor": {"email": "w@example.com"}}


def _widget(http: httpx.Client, tenant: Tenant) -> dict[str, object]:
    response = http.get("/api/v1/widget", headers=tenant.headers())
    assert response.status_code == 200, response.text
    body: dict[str, object] = response.json()
    return body


def _allow(http: httpx.Client, tenant: Tenant, *origins: str) -> httpx.Response:
    return http.put(
        "/api/v1/widget/origins", json={"allowed_origins": list(origins)}, headers=tenant.headers()
    )


def test_the_snippet_is_one_tag_with_a_public_key_and_the_script_is_served(
    db: Session, http: httpx.Client, settings: Settings
) -> None:
    tenant = make_tenant(db, "Snippet")
    widget = _widget(http, tenant)
    key = str(widget["key"])
    assert key.startswith("cxw_") and not key.startswith("cxk_")  # not an API key
    assert widget["snippet"] == (
        f'<script src="{settings.base_url}/w/cxloop.js" data-workspace="{key}" async></script>'
    )
    assert _widget(http, tenant)["key"] == key  # stable until rotated
    script = http.get("/w/cxloop.js")
    assert script.status_code == 200
    assert script.headers["content-type"].startswith("text/javascript")
    assert "data-workspace" in script.text and "attachShadow" in script.text
    assert http.get("/static/widget/cxloop.js").text == script.text


def test_allowed_origins_are_checked_and_normalised(db: Session, http: httpx.Client) -> None:
    tenant = make_tenant(db, "Origins")
    saved = _allow(http, tenant, "https://Shop.Example:443/", SHOP, SHOP)
    assert saved.status_code == 200, saved.text
    assert saved.json()["allowed_origins"] == ["https://shop.example", SHOP]
    bad = _allow(http, tenant, "https://ok.example", "shop.example/checkout")
    assert bad.status_code == 422
    assert "allowed_origins.1" in bad.json()["error"]["message"]
    path = _allow(http, tenant, "https://shop.example/checkout")
    assert path.status_code == 422 and "path" in path.json()["error"]["message"]


def test_cors_allows_listed_origins_and_refuses_others_with_a_message(
    db: Session, http: httpx.Client
) -> None:
    tenant = make_tenant(db, "Cors")
    key = str(_widget(http, tenant)["key"])
    _allow(http, tenant, SHOP).raise_for_status()
    url = f"/w/{key}/events"
    preflight = http.options(
        url,
        headers={
            "Origin": SHOP,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == SHOP
    assert "POST" in preflight.headers["access-control-allow-methods"]
    assert "Content-Type" in preflight.headers["access-control-allow-headers"]

    evil = "https://evil.example"
    refused = http.options(url, headers={"Origin": evil, "Access-Control-Request-Method": "POST"})
    assert refused.status_code == 403
    assert "access-control-allow-origin" not in refused.headers
    assert "https://evil.example is not allowed" in refused.json()["error"]["message"]

    posted = http.post(url, json=TRACK, headers={"Origin": evil})
    assert posted.status_code == 403 and "allowed origins" in posted.json()["error"]["message"]
    no_origin = http.post(url, json=TRACK)
    assert no_origin.status_code == 403

    ok = http.post(url, json=TRACK, headers={"Origin": SHOP})
    assert ok.status_code == 200, ok.text
    assert ok.headers["access-control-allow-origin"] == SHOP
    assert ok.json()["survey"] is None  # no widget trigger yet
    stored = http.get(
        f"/api/v1/interactions/{ok.json()['interaction_id']}", headers=tenant.headers()
    )
    assert stored.json()["channel"] == "web"

    anonymous = http.post(url, json={**TRACK, "visitor": {}}, headers={"Origin": SHOP})
    assert anonymous.status_code == 422
    assert "identify" in anonymous.json()["error"]["message"]
    assert anonymous.headers["access-control-allow-origin"] == SHOP
    odd = http.post(url, json={**TRACK, "properties": {"bad name!": 1}}, headers={"Origin": SHOP})
    assert odd.status_code == 422 and "bad name!" in odd.json()["error"]["message"]
    broken = http.post(url, content=b"{not json", headers={"Origin": SHOP})
    assert broken.status_code == 422 and "malformed JSON" in broken.json()["error"]["message"]


def test_rotating_the_key_retires_the_old_one(db: Session, http: httpx.Client) -> None:
    tenant = make_tenant(db, "Rotate")
    old = str(_widget(http, tenant)["key"])
    _allow(http, tenant, SHOP).raise_for_status()
    rotated = http.post("/api/v1/widget/rotate-key", headers=tenant.headers())
    assert rotated.status_code == 200
    new = rotated.json()["key"]
    assert new != old and rotated.json()["rotated_at"]
    assert rotated.json()["allowed_origins"] == [SHOP]  # origins stay
    stale = http.post(f"/w/{old}/events", json=TRACK, headers={"Origin": SHOP})
    assert stale.status_code == 404 and "unknown widget key" in stale.json()["error"]["message"]
    fresh = http.post(f"/w/{new}/events", json=TRACK, headers={"Origin": SHOP})
    assert fresh.status_code == 200, fresh.text


def test_widget_settings_need_an_admin(db: Session, http: httpx.Client) -> None:
    tenant = make_tenant(db, "WidgetRoles")
    created = http.post("/api/v1/api-keys", json={"role": "analyst"}, headers=tenant.headers())
    analyst = {"Authorization": f"Bearer {created.json()['key']}"}
    assert http.get("/api/v1/widget", headers=analyst).status_code == 403
    assert http.post("/api/v1/widget/rotate-key", headers=analyst).status_code == 403


def test_a_flood_from_one_page_visitor_is_rate_limited(
    db: Session, http: httpx.Client, settings: Settings
) -> None:
    tenant = make_tenant(db, "WidgetFlood")
    key = str(_widget(http, tenant)["key"])
    _allow(http, tenant, SHOP).raise_for_status()
    with (
        second_server(settings, widget_rate_limit="3/minute") as url,
        httpx.Client(base_url=url, timeout=30) as client,
    ):
        sent = [
            client.post(f"/w/{key}/events", json=TRACK, headers={"Origin": SHOP}) for _ in range(4)
        ]
    assert [r.status_code for r in sent] == [200, 200, 200, 429]
    limited = sent[-1]
    assert int(limited.headers["Retry-After"]) >= 1
    assert limited.headers["access-control-allow-origin"] == SHOP
    assert "Retry-After" in limited.headers["access-control-expose-headers"]
    assert "too many widget requests" in limited.json()["error"]["message"]

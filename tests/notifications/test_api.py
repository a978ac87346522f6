"""Webhook endpoints and the delivery log over the API and pages: workspace walls, roles,
clear errors, the secret shown once, customer text escaped."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
from sqlalchemy.orm import Session

from cxloop.accounts import service as accounts
from cxloop.core.security import Role
from cxloop.notifications import service
from tests.factories import Tenant, make_tenant

URL = "https://hooks.example.com/cx"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@contextmanager
def login(base_url: str, tenant: Tenant) -> Iterator[tuple[httpx.Client, str]]:
    """A browser-like client logged in as the tenant's user, and its CSRF token."""
    with httpx.Client(base_url=base_url, timeout=30, follow_redirects=False) as client:
        token = CSRF.search(client.get("/login").text)
        assert token
        resp = client.post(
            "/login", data={"email": tenant.email, "password": tenant.password, "csrf": token[1]}
        )
        assert resp.status_code == 303, resp.text
        page = client.get("/app/deliveries")
        fresh = CSRF.search(page.text)  # the session's token after login
        yield client, fresh[1] if fresh else token[1]


def test_a_workspace_never_sees_or_touches_another_workspaces_endpoints_and_deliveries(
    db: Session, http: httpx.Client
) -> None:
    a, b = make_tenant(db, "Alpha"), make_tenant(db, "Bravo")
    made = http.post(
        "/api/v1/webhook-endpoints", json={"name": "B ops", "url": URL}, headers=b.headers()
    ).json()
    service.queue_email(
        db, b.workspace.id, {"to": "b@example.com", "subject": "B secret", "text": "t"}
    )
    db.commit()
    b_delivery = service.list_deliveries(db, b.workspace.id).items[0]

    h = a.headers()
    base = f"/api/v1/webhook-endpoints/{made['id']}"
    assert http.get("/api/v1/webhook-endpoints", headers=h).json() == []
    assert http.get(base, headers=h).status_code == 404
    assert http.patch(base, json={"name": "x"}, headers=h).status_code == 404
    assert http.post(f"{base}/rotate-secret", headers=h).status_code == 404
    assert http.post(f"{base}/test", headers=h).status_code == 404
    assert http.delete(base, headers=h).status_code == 404
    listed = http.get("/api/v1/deliveries", headers=h).json()
    assert listed["total"] == 0 and "B secret" not in str(listed)
    assert http.get(f"/api/v1/deliveries/{b_delivery.id}", headers=h).status_code == 404

    mine = http.get(base, headers=b.headers()).json()
    assert mine["name"] == "B ops" and mine["active"] is True
    page = http.get("/api/v1/deliveries?channel=email", headers=b.headers()).json()
    assert page["total"] == 1 and page["items"][0]["subject"] == "B secret"


def test_only_admins_manage_endpoints_and_viewers_cannot_read_deliveries(
    db: Session, http: httpx.Client
) -> None:
    analyst = make_tenant(db, "Analyst", role=Role.analyst)
    viewer = make_tenant(db, "Viewer", role=Role.viewer)
    body = {"name": "x", "url": URL}
    for tenant in (analyst, viewer):
        h = tenant.headers()
        assert http.post("/api/v1/webhook-endpoints", json=body, headers=h).status_code == 403
        assert http.get("/api/v1/webhook-endpoints", headers=h).status_code == 403
    assert http.get("/api/v1/deliveries", headers=analyst.headers()).status_code == 200
    assert http.get("/api/v1/deliveries", headers=viewer.headers()).status_code == 403


def test_bad_input_gets_a_422_naming_the_field(db: Session, http: httpx.Client) -> None:
    h = make_tenant(db, "Bad").headers()
    for url in ("ftp://files.example.com/x", "hooks.example.com", "http://", "javascript:1"):
        resp = http.post("/api/v1/webhook-endpoints", json={"name": "x", "url": url}, headers=h)
        assert resp.status_code == 422, url
        assert resp.json()["error"]["details"][0]["field"] == "url"
        assert "http:// or https://" in resp.json()["error"]["message"]
    resp = http.post(
        "/api/v1/webhook-endpoints",
        json={"name": "x", "url": URL, "event_types": ["Alert Fired"]},
        headers=h,
    )
    assert resp.status_code == 422 and "event_types" in resp.json()["error"]["message"]
    resp = http.post(
        "/api/v1/webhook-endpoints", json={"name": "x", "url": URL, "kind": "teams"}, headers=h
    )
    assert resp.status_code == 422 and "kind" in resp.json()["error"]["message"]
    resp = http.get("/api/v1/deliveries?status=lost", headers=h)
    assert resp.status_code == 422 and "status" in resp.json()["error"]["message"]


def test_an_updated_endpoint_and_a_test_to_an_inactive_one(db: Session, http: httpx.Client) -> None:
    h = make_tenant(db, "Edit").headers()
    made = http.post("/api/v1/webhook-endpoints", json={"name": "x", "url": URL}, headers=h).json()
    base = f"/api/v1/webhook-endpoints/{made['id']}"
    changed = http.patch(
        base, json={"active": False, "event_types": ["case.*"], "name": "Cases"}, headers=h
    )
    assert changed.status_code == 200
    assert changed.json()["event_types"] == ["case.*"] and changed.json()["active"] is False
    resp = http.post(f"{base}/test", headers=h)
    assert resp.status_code == 409 and "inactive" in resp.json()["error"]["message"]
    assert http.patch(base, json={"url": "ftp://x"}, headers=h).status_code == 422
    assert http.delete(base, headers=h).status_code == 204
    assert http.get(base, headers=h).status_code == 404


def test_the_webhooks_page_shows_a_new_secret_once_and_the_log_escapes_text(
    db: Session, server: str
) -> None:
    tenant = make_tenant(db, "Pages")
    with login(server, tenant) as (client, csrf):
        resp = client.post(
            "/app/settings/webhooks",
            data={"csrf": csrf, "name": "Ops <team>", "url": URL, "kind": "standard",
                  "event_types": "alert.fired, case.*"},
        )  # fmt: skip
        assert resp.status_code == 200
        secret = re.search(r"<code data-secret>(whsec_[^<]+)</code>", resp.text)
        assert secret and "Ops &lt;team&gt;" in resp.text
        again = client.get("/app/settings/webhooks")
        assert secret[1] not in again.text and "Ops &lt;team&gt;" in again.text
        assert "case.*" in again.text

        bad = client.post(
            "/app/settings/webhooks",
            data={"csrf": csrf, "name": "x", "url": "ftp://nope", "kind": "standard"},
        )
        assert bad.status_code == 422 and "url: " in bad.text and "ftp://nope" in bad.text

        service.queue_email(
            db,
            tenant.workspace.id,
            {"to": "c@example.com", "subject": "<script>alert(1)</script>", "text": "t",
             "reference": "case:42"},
        )  # fmt: skip
        db.commit()
        log = client.get("/app/deliveries?channel=email")
        assert log.status_code == 200
        assert (
            "&lt;script&gt;alert(1)&lt;/script&gt;" in log.text and "<script>alert" not in log.text
        )
        assert "c@example.com" in log.text and "case:42" in log.text
        assert client.get("/app/deliveries?status=lost").status_code == 200  # message, no crash


def test_the_pages_need_the_right_role(db: Session, server: str) -> None:
    owner = make_tenant(db, "Roles")
    email = f"viewer-{owner.workspace.id[:8]}@example.com"
    accounts.create_user(db, email, owner.password, name="V", workspace=owner.workspace,
                         role=Role.viewer)  # fmt: skip
    db.commit()
    viewer = Tenant(owner.workspace, owner.key, owner.password, email)
    with login(server, viewer) as (client, _):
        assert client.get("/app/deliveries").status_code == 403
        assert client.get("/app/settings/webhooks").status_code == 403


def test_a_user_of_another_workspace_cannot_use_the_endpoint_pages(
    db: Session, http: httpx.Client, server: str
) -> None:
    a, b = make_tenant(db, "PageA"), make_tenant(db, "PageB")
    made = http.post(
        "/api/v1/webhook-endpoints", json={"name": "B hook", "url": URL}, headers=b.headers()
    ).json()
    with login(server, a) as (client, csrf):
        for action in ("test", "active", "rotate", "delete"):
            resp = client.post(
                f"/app/settings/webhooks/{made['id']}/{action}", data={"csrf": csrf, "active": "0"}
            )
            assert resp.status_code == 404, action
        assert "B hook" not in client.get("/app/settings/webhooks").text
    after = http.get(f"/api/v1/webhook-endpoints/{made['id']}", headers=b.headers()).json()
    assert after["active"] is True and after["name"] == "B hook"

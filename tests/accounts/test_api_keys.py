from __future__ import annotations

import httpx
from sqlalchemy.orm import Session

from tests.factories import make_tenant


def test_api_key_authenticates_and_scopes_to_its_workspace(db: Session, http: httpx.Client) -> None:
    tenant = make_tenant(db)
    resp = http.get("/api/v1/me", headers=tenant.headers())
    assert resp.status_code == 200
    assert resp.json()["workspace"]["slug"] == tenant.workspace.slug
    assert resp.json()["role"] == "admin"


def test_missing_or_forged_key_is_refused_with_a_message(db: Session, http: httpx.Client) -> None:
    tenant = make_tenant(db)
    assert http.get("/api/v1/me").status_code == 401
    forged = tenant.key[:-4] + "AAAA"
    resp = http.get("/api/v1/me", headers={"Authorization": f"Bearer {forged}"})
    assert resp.status_code == 401
    assert "invalid" in resp.json()["error"]["message"]


def test_created_key_is_shown_once_and_revocation_takes_effect(
    db: Session, http: httpx.Client
) -> None:
    tenant = make_tenant(db)
    created = http.post(
        "/api/v1/api-keys", json={"name": "ingest", "role": "analyst"}, headers=tenant.headers()
    )
    assert created.status_code == 201
    key = created.json()["key"]
    assert (
        http.get("/api/v1/me", headers={"Authorization": f"Bearer {key}"}).json()["role"]
        == "analyst"
    )
    listed = http.get("/api/v1/api-keys", headers=tenant.headers()).json()
    assert all("key" not in item for item in listed)
    http.delete(f"/api/v1/api-keys/{created.json()['id']}", headers=tenant.headers())
    assert http.get("/api/v1/me", headers={"Authorization": f"Bearer {key}"}).status_code == 401


def test_viewer_key_cannot_create_keys(db: Session, http: httpx.Client) -> None:
    from cxloop.core.security import Role

    tenant = make_tenant(db, role=Role.viewer)
    resp = http.post("/api/v1/api-keys", json={"role": "viewer"}, headers=tenant.headers())
    assert resp.status_code == 403
    assert "admin" in resp.json()["error"]["message"]

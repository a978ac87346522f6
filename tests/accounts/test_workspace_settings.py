"""Workspace settings: admins change the time zone and minimum sample; bad values are refused."""

from __future__ import annotations

import httpx
from sqlalchemy.orm import Session

from cxloop.core.security import Role
from tests.factories import make_tenant


def test_admin_changes_settings_and_everyone_reads_them(db: Session, http: httpx.Client) -> None:
    tenant = make_tenant(db, "Settings")
    change = {"timezone": "Asia/Ho_Chi_Minh", "min_sample": 50, "default_language": "VI"}
    resp = http.patch("/api/v1/workspace", json=change, headers=tenant.headers())
    assert resp.status_code == 200, resp.text
    read = http.get("/api/v1/workspace", headers=tenant.headers()).json()
    assert (read["timezone"], read["min_sample"], read["default_language"]) == (
        "Asia/Ho_Chi_Minh",
        50,
        "vi",
    )


def test_bad_settings_and_non_admins_are_refused(db: Session, http: httpx.Client) -> None:
    tenant = make_tenant(db, "Settings bad")
    analyst = make_tenant(db, "Settings analyst", role=Role.analyst)
    bad_zone = http.patch(
        "/api/v1/workspace", json={"timezone": "Mars/Olympus"}, headers=tenant.headers()
    )
    assert bad_zone.status_code == 422 and "Mars/Olympus" in bad_zone.json()["error"]["message"]
    zero = http.patch("/api/v1/workspace", json={"min_sample": 0}, headers=tenant.headers())
    assert zero.status_code == 422
    denied = http.patch("/api/v1/workspace", json={"name": "x"}, headers=analyst.headers())
    assert denied.status_code == 403
    assert http.get("/api/v1/workspace", headers=tenant.headers()).json()["timezone"] == "UTC"

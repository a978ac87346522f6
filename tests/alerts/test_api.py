"""The alerts API over real HTTP: CRUD, check now, firings, clear 422s, roles and tenancy."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy.orm import Session

from cxloop.core.security import Role
from cxloop.core.settings import Settings
from tests.alerts.helpers import count_jobs
from tests.cases.helpers import add_user
from tests.factories import Tenant, make_tenant
from tests.metrics.factories import Program, add_nps_mix, make_program


def _seed(db: Session, tenant: Tenant) -> Program:
    """Checkout answered 10P 10pass 20D a week ago: last week's NPS is -25 (n=40)."""
    program = make_program(db, tenant.workspace.id)
    week_ago = datetime.now(UTC) - timedelta(days=7)
    add_nps_mix(db, program, promoters=10, passives=10, detractors=20, at=week_ago)
    db.commit()
    return program


def _body(program: Program, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "Checkout NPS",
        "metric": "nps",
        "filters": {"touchpoint_id": program.touchpoints["Checkout"].id},
        "grain": "week",
        "compare": "last_complete",
        "condition": {"kind": "below", "value": 0},
        "notify": ["ops@example.com"],
    }
    body.update(extra)
    return body


def test_create_check_fire_and_list_firings(
    db: Session, http: httpx.Client, settings: Settings
) -> None:
    tenant = make_tenant(db, "Api")
    program = _seed(db, tenant)
    h = tenant.headers()
    created = http.post("/api/v1/alerts", json=_body(program), headers=h)
    assert created.status_code == 201, created.text
    alert = created.json()
    assert alert["min_n"] is None and alert["active"] is True

    preview = http.post(f"/api/v1/alerts/{alert['id']}/check", headers=h).json()
    assert preview["condition_met"] is True and preview["fired"] is False
    assert preview["reason"] == "would fire: \u221225 last week is below 0"
    assert (preview["value"], preview["n"], preview["min_n"]) == (-25.0, 40, 30)
    assert http.get(f"/api/v1/alerts/{alert['id']}/firings", headers=h).json() == []

    fired = http.post(f"/api/v1/alerts/{alert['id']}/check?fire=true", headers=h).json()
    assert fired["fired"] is True
    again = http.post(f"/api/v1/alerts/{alert['id']}/check?fire=true", headers=h).json()
    assert again["fired"] is False and again["reason"].startswith("already fired for last week")
    (firing,) = http.get(f"/api/v1/alerts/{alert['id']}/firings", headers=h).json()
    assert firing["id"] == fired["firing_id"]
    assert firing["message"] == "NPS of Checkout was \u221225 last week, below 0 (n=40)"
    assert [f["id"] for f in http.get("/api/v1/alert-firings", headers=h).json()] == [firing["id"]]
    assert count_jobs(db, tenant.workspace.id, "notify.email") == 1

    listed = http.get("/api/v1/alerts", headers=h).json()
    assert [a["id"] for a in listed] == [alert["id"]]
    assert listed[0]["last_fired_at"] is not None and listed[0]["last_value"] == -25.0

    changed = http.patch(f"/api/v1/alerts/{alert['id']}", json={"active": False}, headers=h)
    assert changed.status_code == 200 and changed.json()["active"] is False
    assert changed.json()["condition"] == {"kind": "below", "value": 0.0}
    assert http.delete(f"/api/v1/alerts/{alert['id']}", headers=h).status_code == 204
    assert http.get(f"/api/v1/alerts/{alert['id']}", headers=h).status_code == 404


def _error(resp: httpx.Response) -> str:
    assert resp.status_code == 422, resp.text
    return str(resp.json()["error"]["message"])


def test_bad_alerts_are_refused_naming_what_is_wrong(db: Session, http: httpx.Client) -> None:
    tenant, other = make_tenant(db, "Bad"), make_tenant(db, "Other")
    program, foreign = _seed(db, tenant), _seed(db, other)
    h = tenant.headers()

    def post(**extra: Any) -> str:
        return _error(http.post("/api/v1/alerts", json=_body(program, **extra), headers=h))

    assert "metric" in post(metric="happiness")
    assert "theme_key" in post(metric="theme_share", condition={"kind": "significant_rise"})
    assert "'no_such_theme' is not a theme" in post(metric="theme_share", theme_key="no_such_theme")
    message = post(condition={"kind": "below", "value": 150})
    assert "150 is outside the range of nps (-100 to 100)" in message
    assert "needs a value" in post(condition={"kind": "above"})
    assert "filters.store" in post(filters={"store": "Hanoi"})
    foreign_tp = foreign.touchpoints["Checkout"].id
    assert f"touchpoint '{foreign_tp}' does not exist" in post(
        filters={"touchpoint_id": foreign_tp}
    )
    assert "notify[1]" in post(notify=["ops@example.com", "not-a-user"])
    assert "grain" in post(grain="year")
    assert "only csat and ces have a mean" in post(measure="mean")
    alert = http.post("/api/v1/alerts", json=_body(program), headers=h).json()
    patch = http.patch(
        f"/api/v1/alerts/{alert['id']}", json={"metric": "csat"}, headers=h
    )  # NPS threshold 0 is fine for CSAT too; a negative one is not
    assert patch.status_code == 200
    bad = http.patch(
        f"/api/v1/alerts/{alert['id']}", json={"condition": {"kind": "below", "value": -5}},
        headers=h,
    )  # fmt: skip
    assert "outside the range of csat (0 to 100)" in _error(bad)


def test_viewers_read_analysts_write_and_workspaces_stay_apart(
    db: Session, http: httpx.Client
) -> None:
    tenant, other = make_tenant(db, "Roles"), make_tenant(db, "Elsewhere")
    program = _seed(db, tenant)
    alert = http.post("/api/v1/alerts", json=_body(program), headers=tenant.headers()).json()
    viewer = make_tenant(db, "Viewer", role=Role.viewer)
    from cxloop.accounts import service as accounts

    viewer_key = accounts.create_api_key(db, tenant.workspace, Role.viewer, "viewer")
    analyst_key = accounts.create_api_key(db, tenant.workspace, Role.analyst, "analyst")
    db.commit()
    vh = {"Authorization": f"Bearer {viewer_key}"}
    ah = {"Authorization": f"Bearer {analyst_key}"}
    assert http.get("/api/v1/alerts", headers=vh).status_code == 200
    assert http.post(f"/api/v1/alerts/{alert['id']}/check", headers=vh).status_code == 200
    assert http.post(f"/api/v1/alerts/{alert['id']}/check?fire=true", headers=vh).status_code == 403
    assert http.post("/api/v1/alerts", json=_body(program), headers=vh).status_code == 403
    assert http.delete(f"/api/v1/alerts/{alert['id']}", headers=vh).status_code == 403
    assert http.patch(f"/api/v1/alerts/{alert['id']}", json={"name": "x"}, headers=ah).is_success
    user = add_user(db, tenant, Role.analyst)
    created = http.post("/api/v1/alerts", json=_body(program, notify=[user.id]), headers=ah)
    assert created.status_code == 201, created.text

    oh = other.headers()
    for method, url in [
        ("GET", f"/api/v1/alerts/{alert['id']}"),
        ("PATCH", f"/api/v1/alerts/{alert['id']}"),
        ("DELETE", f"/api/v1/alerts/{alert['id']}"),
        ("POST", f"/api/v1/alerts/{alert['id']}/check"),
        ("GET", f"/api/v1/alerts/{alert['id']}/firings"),
    ]:
        body = {"name": "hijacked"} if method == "PATCH" else None
        assert http.request(method, url, json=body, headers=oh).status_code == 404, url
    assert http.get("/api/v1/alerts", headers=oh).json() == []
    assert http.get("/api/v1/alert-firings", headers=oh).json() == []
    # Other workspace's users cannot be notified.
    refused = http.post("/api/v1/alerts", json=_body(program, notify=[user.id]), headers=oh)
    assert refused.status_code == 422
    assert viewer.workspace.id != tenant.workspace.id
    assert http.get(f"/api/v1/alerts/{alert['id']}", headers=tenant.headers()).json()["name"] == "x"

"""Survey triggers through the API: create by touchpoint key, validate, change, delete."""

from __future__ import annotations

import httpx
from sqlalchemy.orm import Session

from cxloop.core.security import Role
from tests.events.helpers import add_trigger, make_program
from tests.factories import make_tenant


def test_an_admin_creates_lists_changes_and_deletes_a_trigger(
    db: Session, http: httpx.Client
) -> None:
    tenant = make_tenant(db, "Triggers")
    program = make_program(http, tenant)
    h = tenant.headers()
    trigger = add_trigger(
        http,
        tenant,
        touchpoint_key="checkout_completed",
        survey_id=program.survey_id,
        channel="widget",
        sample_percent=25,
        conditions=[{"property": "plan", "op": "in", "value": ["gold", "silver"]}],
    )
    assert trigger["touchpoint_id"] == program.touchpoint_id
    assert trigger["name"] == "checkout_completed → widget"
    assert trigger["active"] is True

    listed = http.get("/api/v1/survey-triggers", headers=h).json()
    assert [t["id"] for t in listed] == [trigger["id"]]

    changed = http.patch(
        f"/api/v1/survey-triggers/{trigger['id']}",
        json={"active": False, "delay_seconds": 30},
        headers=h,
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["active"] is False and changed.json()["delay_seconds"] == 30
    assert changed.json()["conditions"] == trigger["conditions"]

    assert http.delete(f"/api/v1/survey-triggers/{trigger['id']}", headers=h).status_code == 204
    gone = http.get(f"/api/v1/survey-triggers/{trigger['id']}", headers=h)
    assert gone.status_code == 404
    assert "does not exist" in gone.json()["error"]["message"]


def test_bad_triggers_are_refused_with_the_field_named(db: Session, http: httpx.Client) -> None:
    tenant = make_tenant(db, "BadTriggers")
    program = make_program(http, tenant)
    h = tenant.headers()

    def refused(body: dict[str, object]) -> str:
        response = http.post("/api/v1/survey-triggers", json=body, headers=h)
        assert response.status_code == 422, response.text
        return str(response.json()["error"]["message"])

    base = {"survey_id": program.survey_id, "channel": "email"}
    assert "event name" in refused(base)
    assert "touchpoint_key" in refused({**base, "touchpoint_key": "nowhere"})
    assert "survey_id" in refused({**base, "event": "x", "survey_id": "nope"})
    assert "sample_percent" in refused({**base, "event": "x", "sample_percent": 120})
    assert "'in' needs a list" in refused(
        {**base, "event": "x", "conditions": [{"property": "plan", "op": "in", "value": "gold"}]}
    )
    no_nps = http.post(
        "/api/v1/surveys",
        json={
            "name": "Only text",
            "default_language": "en",
            "texts": {"en": {"title": "Tell us"}},
            "questions": [{"key": "why", "kind": "open_text", "texts": {"en": {"prompt": "Why?"}}}],
            "publish": True,
        },
        headers=h,
    ).json()
    message = refused({"event": "x", "survey_id": no_nps["id"], "channel": "widget"})
    assert "NPS" in message


def test_only_admins_configure_triggers(db: Session, http: httpx.Client) -> None:
    tenant = make_tenant(db, "TriggerRoles")
    program = make_program(http, tenant)
    analyst = make_tenant(db, "Analyst", role=Role.analyst)
    body = {"event": "x", "survey_id": program.survey_id, "channel": "email"}
    key = http.post("/api/v1/api-keys", json={"role": "analyst"}, headers=tenant.headers())
    as_analyst = {"Authorization": f"Bearer {key.json()['key']}"}
    refused = http.post("/api/v1/survey-triggers", json=body, headers=as_analyst)
    assert refused.status_code == 403
    assert analyst.workspace.id != tenant.workspace.id
    assert http.get("/api/v1/survey-triggers", headers=as_analyst).status_code == 200

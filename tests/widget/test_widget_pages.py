"""The pages a CX manager uses: survey triggers, and Settings > Widget (snippet, origins, key)."""

from __future__ import annotations

import html

import httpx
from markupsafe import escape
from sqlalchemy.orm import Session

from tests.contacts.web import csrf_of, login
from tests.events.helpers import make_program
from tests.factories import make_tenant


def test_a_manager_adds_a_widget_trigger_on_the_triggers_page(
    db: Session, http: httpx.Client
) -> None:
    tenant = make_tenant(db, "TriggerPage")
    program = make_program(http, tenant)
    login(http, tenant)
    page = http.get("/app/triggers")
    assert page.status_code == 200
    assert 'href="/app/triggers"' in page.text  # in the navigation
    assert "Checkout NPS" in page.text and "No triggers yet." in page.text
    form = {
        "csrf": csrf_of(page.text),
        "name": "<b>Post-checkout</b>",
        "event": "checkout_completed",
        "touchpoint_id": program.touchpoint_id,
        "survey_id": program.survey_id,
        "channel": "widget",
        "delay_seconds": "5",
        "sample_percent": "50",
        "conditions": "",
    }
    saved = http.post("/app/triggers", data=form)
    assert saved.status_code == 303
    listed = http.get(saved.headers["location"]).text
    assert "Trigger saved." in listed
    assert html.escape("<b>Post-checkout</b>") in listed and "<b>Post-checkout</b>" not in listed
    assert "50%" in listed and "5 s" in listed

    bad = http.post("/app/triggers", data={**form, "conditions": "[{oops"})
    assert bad.status_code == 422 and "Conditions (JSON)" in bad.text
    triggers = http.get("/api/v1/survey-triggers", headers=tenant.headers()).json()
    assert len(triggers) == 1 and triggers[0]["delay_seconds"] == 5


def test_the_widget_settings_page_shows_the_snippet_and_saves_origins(
    db: Session, http: httpx.Client
) -> None:
    tenant = make_tenant(db, "WidgetPage")
    login(http, tenant)
    page = http.get("/app/settings/widget")
    assert page.status_code == 200
    key = http.get("/api/v1/widget", headers=tenant.headers()).json()["key"]
    assert str(escape('<script src="http://127.0.0.1')) in page.text
    assert str(escape(f'data-workspace="{key}" async></script>')) in page.text
    saved = http.post(
        "/app/settings/widget/origins",
        data={"csrf": csrf_of(page.text), "origins": "https://shop.example\nhttp://localhost:3000"},
    )
    assert saved.status_code == 303
    assert "Allowed origins saved." in http.get(saved.headers["location"]).text
    origins = http.get("/api/v1/widget", headers=tenant.headers()).json()["allowed_origins"]
    assert origins == ["https://shop.example", "http://localhost:3000"]
    bad = http.post(
        "/app/settings/widget/origins", data={"csrf": csrf_of(page.text), "origins": "ftp://x"}
    )
    assert bad.status_code == 422 and "not an origin" in bad.text
    rotated = http.post("/app/settings/widget/rotate", data={"csrf": csrf_of(page.text)})
    assert rotated.status_code == 303
    assert http.get("/api/v1/widget", headers=tenant.headers()).json()["key"] != key

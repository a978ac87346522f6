"""In a real browser (Chromium): a shop on another origin embeds the widget with one tag; a
tracked checkout shows the NPS survey, the answer is stored for the right contact and survey,
the shop page is untouched, and governance keeps the survey from showing twice."""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy.orm import Session

from cxloop.core.templating import STATIC
from cxloop.governance import service as governance
from cxloop.governance.schemas import SettingsWrite
from tests.events.helpers import add_trigger, make_program
from tests.factories import make_tenant
from tests.widget.host import HOST_PAGE, host_site

WIDGET = "[data-cxloop-widget]"


def _problem(message: Any) -> bool:
    """A console error, except the browser's own favicon request to the plain host server."""
    where = str((message.location or {}).get("url", ""))
    return bool(message.type == "error" and not where.endswith("/favicon.ico"))


def _host_styles(page: Any) -> dict[str, str]:
    return dict(
        page.evaluate(
            """() => {
              const s = (el, p) => getComputedStyle(el).getPropertyValue(p);
              const b = document.getElementById('host-button');
              return {
                body_font: s(document.body, 'font-family'),
                body_bg: s(document.body, 'background-color'),
                button_bg: s(b, 'background-color'),
                button_padding: s(b, 'padding-top'),
                p_color: s(document.getElementById('msg'), 'color'),
                title: document.getElementById('title').textContent,
              };
            }"""
        )
    )


def test_a_tracked_checkout_shows_the_nps_survey_and_stores_the_answer(
    db: Session, http: httpx.Client, server: str, browser: Any, tmp_path: Path
) -> None:
    tenant = make_tenant(db, "Widget browser")
    h = tenant.headers()
    # the governance rule this test relies on: no new survey within 30 days of a response
    governance.put_settings(db, tenant.workspace.id, SettingsWrite(quarantine_days=30))
    db.commit()
    program = make_program(http, tenant)
    add_trigger(
        http, tenant, event="checkout_completed", survey_id=program.survey_id, channel="widget"
    )
    key = http.get("/api/v1/widget", headers=h).json()["key"]
    page_html = HOST_PAGE.format(script=f"{server}/w/cxloop.js", key=key, early="")
    with host_site(tmp_path, {"index.html": page_html}) as shop:
        http.put("/api/v1/widget/origins", json={"allowed_origins": [shop]}, headers=h)
        context = browser.new_context(viewport={"width": 1024, "height": 768})
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("console", lambda m: errors.append(m.text) if _problem(m) else None)
        page.goto(f"{shop}/index.html")
        page.wait_for_function("() => window.cxloop && window.cxloop.loaded === true")
        before = _host_styles(page)

        page.evaluate(
            "() => { cxloop('identify', {email: 'widget-fan@example.com', language: 'en'});"
            " cxloop('track', 'checkout_completed', {order_id: 'A-1001'}); }"
        )
        dialog = page.get_by_role("dialog")
        dialog.wait_for(state="visible", timeout=15_000)
        assert "How likely are you to recommend us?" in dialog.inner_text()
        nine = page.get_by_role("button", name="9", exact=True)
        widget_bg = nine.evaluate("b => getComputedStyle(b).backgroundColor")
        assert widget_bg != "rgb(255, 0, 0)"  # the shop's button CSS does not reach in
        nine.click()
        assert nine.get_attribute("aria-pressed") == "true"
        page.get_by_label("What is the main reason?").fill("Fast delivery")
        page.get_by_role("button", name="Submit").click()
        page.get_by_text("Thank you for your feedback.").wait_for(timeout=10_000)

        deadline = time.monotonic() + 15
        stored: list[dict[str, Any]] = []
        while time.monotonic() < deadline and not stored:
            found = http.get(
                "/api/v1/responses", params={"survey_id": program.survey_id}, headers=h
            )
            stored = found.json()["items"]
            time.sleep(0.2)
        assert len(stored) == 1
        response = stored[0]
        contacts = http.get(
            "/api/v1/contacts", params={"email": "widget-fan@example.com"}, headers=h
        ).json()["items"]
        assert response["contact_id"] == contacts[0]["id"]
        assert response["answers"] == {"nps": 9, "comment": "Fast delivery"}
        assert response["source"] == "widget" and response["channel"] == "web"
        assert response["hidden"] == {"order_id": "A-1001"}

        page.locator(WIDGET).wait_for(state="detached", timeout=10_000)
        assert _host_styles(page) == before  # the shop's own page is untouched
        assert page.locator("#host-button").inner_text() == "Continue shopping"

        with page.expect_response(lambda r: r.url.endswith("/events")) as second:
            page.evaluate("() => cxloop('track', 'checkout_completed', {order_id: 'A-1002'})")
        answer = second.value.json()
        assert answer["survey"] is None  # governance: this contact was just surveyed
        page.wait_for_timeout(500)
        assert page.locator(WIDGET).count() == 0
        firings = http.get(
            f"/api/v1/contacts/{contacts[0]['id']}/survey-triggers", headers=h
        ).json()
        assert (firings[0]["outcome"], firings[0]["rule"]) == ("blocked", "quarantine")
        assert "no invitation within 30 days of a response" in firings[0]["reason"]
        assert firings[1]["outcome"] == "offered"

        assert errors == []
        assert page.evaluate("() => window.hostErrors") == []
        context.close()


def test_the_widget_fails_silently_when_its_server_cannot_be_reached(
    browser: Any, tmp_path: Path
) -> None:
    """The script loads (here from the shop itself) but its endpoints are not there: no
    errors reach the page, calls queued before loading run, and the page keeps working."""
    (tmp_path / "w").mkdir()
    shutil.copy(STATIC / "widget" / "cxloop.js", tmp_path / "w" / "cxloop.js")
    early = "cxloop('identify', {external_id: 'u-1'}); cxloop('track', 'checkout_completed');"
    with host_site(tmp_path, {}) as shop:
        html = HOST_PAGE.format(script=f"{shop}/w/cxloop.js", key="cxw_unknown", early=early)
        (tmp_path / "index.html").write_text(html, encoding="utf-8")
        page = browser.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        with page.expect_request(lambda r: r.url.endswith("/w/cxw_unknown/events")):
            page.goto(f"{shop}/index.html")  # the queued track is sent, and fails
        page.wait_for_function("() => window.cxloop && window.cxloop.loaded === true")
        page.evaluate("() => cxloop('track', 'checkout_completed', {order_id: 'X'})")
        page.evaluate("() => cxloop('nonsense', 1, 2, 3)")
        page.wait_for_timeout(500)
        assert page.locator(WIDGET).count() == 0
        page.locator("#host-button").click()
        assert errors == []
        assert page.evaluate("() => window.hostErrors") == []
        page.close()

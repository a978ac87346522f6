"""In a real browser on a phone-sized screen: answer a survey in Vietnamese, find it counted."""

from __future__ import annotations

import re
from typing import Any

import httpx
from sqlalchemy.orm import Session

from tests.factories import Tenant, make_tenant
from tests.surveys.helpers import NPS_PROMPT, TEXTS, create_survey, responses_of, token_of

COMMENT = "Giao hàng nhanh nhưng nhân viên chưa thân thiện"


def nps_count(page: Any) -> int:
    """The n shown on the dashboard's NPS tile (0 when the workspace has no data yet)."""
    page.reload()
    tile = page.locator("#tile-nps .n")
    if tile.count() == 0:
        return 0
    found = re.search(r"n = ([\d,]+)", tile.inner_text())
    assert found, tile.inner_text()
    return int(found.group(1).replace(",", ""))


def logged_in_dashboard(browser: Any, server: str, tenant: Tenant) -> Any:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{server}/login?next=/app")
    page.fill("input[name=email]", tenant.email)
    page.fill("input[name=password]", tenant.password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{server}/app")
    return page


def test_vietnamese_answer_on_a_phone_is_stored_and_counted(
    db: Session, http: httpx.Client, server: str, browser: Any
) -> None:
    tenant = make_tenant(db)
    survey = create_survey(http, tenant, languages=["en", "vi"])
    for score in (10, 3):
        resp = http.post(
            "/api/v1/responses",
            json={"survey_id": survey["id"], "answers": {"nps": score}},
            headers=tenant.headers(),
        )
        assert resp.status_code == 201
    dashboard = logged_in_dashboard(browser, server, tenant)
    before = nps_count(dashboard)
    assert before == 2

    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="vi-VN")
    page = phone.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{server}/s/{token_of(survey)}")

    assert page.locator("html").get_attribute("lang") == "vi"
    assert page.locator("h1").inner_text() == TEXTS["vi"]["title"]
    assert NPS_PROMPT["vi"] in page.locator("#q-nps legend").inner_text()
    assert page.get_by_text("Hoàn toàn không", exact=True).is_visible()
    # fits the phone: no sideways scrolling, and 0-10 sits on one row
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    tops = {
        round(b["y"])
        for b in (page.locator("#q-nps .scale span").nth(i).bounding_box() for i in range(11))
    }
    assert len(tops) == 1

    score = page.locator('#q-nps input[value="9"] + span')
    score.click()
    assert page.locator('#q-nps input[value="9"]').is_checked()
    assert score.evaluate("e => getComputedStyle(e).color") == "rgb(255, 255, 255)"
    page.locator('textarea[name="a.comment"]').fill(COMMENT)
    page.get_by_role("button", name="Gửi").click()
    page.wait_for_url(re.compile(r".*/thanks\?lang=vi$"))
    assert page.locator("h1").inner_text() == "Cảm ơn bạn!"
    assert page.get_by_text(TEXTS["vi"]["thanks"]).is_visible()
    assert errors == []
    phone.close()

    mine = [r for r in responses_of(http, tenant, survey["id"]) if r["source"] == "link"]
    assert len(mine) == 1
    assert mine[0]["language"] == "vi"
    assert mine[0]["answers"] == {"nps": 9, "comment": COMMENT}

    assert nps_count(dashboard) == before + 1
    dashboard.context.close()

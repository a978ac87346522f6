"""In a real browser: an Arabic survey flows right to left, the language switcher keeps the
respondent's place, and each page is saved as the respondent moves on."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy.orm import Session

from tests.factories import make_tenant
from tests.surveys.helpers import (
    NPS_PROMPT,
    comment_question,
    create_survey,
    csat_question,
    nps_question,
    responses_of,
    token_of,
)


def test_rtl_switcher_and_page_by_page_saving(
    db: Session, http: httpx.Client, server: str, browser: Any
) -> None:
    tenant = make_tenant(db)
    langs = ["en", "ar"]
    questions = [
        nps_question(langs),
        {**csat_question(langs), "page_break": True},
        {**comment_question(langs), "page_break": True},
    ]
    survey = create_survey(http, tenant, languages=langs, questions=questions)
    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="ar-EG")
    page = phone.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{server}/s/{token_of(survey)}")

    assert page.get_attribute("html", "dir") == "rtl" and page.get_attribute("html", "lang") == "ar"
    assert page.locator("legend").first.inner_text().startswith(NPS_PROMPT["ar"])
    # right to left: the 0 of the scale sits to the right of the 10
    zero = page.locator("input[name='a.nps'][value='0']").locator("..").bounding_box()
    ten = page.locator("input[name='a.nps'][value='10']").locator("..").bounding_box()
    assert zero and ten and zero["x"] > ten["x"]

    page.locator("input[name='a.nps'][value='6'] + span").click()
    page.get_by_role("button", name="التالي").click()
    page.wait_for_url("**page=2**")
    saved = http.get(
        "/api/v1/responses/partial", params={"survey_id": survey["id"]}, headers=tenant.headers()
    ).json()["items"]
    assert [p["answers"] for p in saved] == [{"nps": "6"}]

    # switch to English on page 2: still page 2, direction flips
    page.get_by_role("link", name="English").click()
    page.wait_for_load_state()
    assert page.get_attribute("html", "dir") == "ltr"
    assert "Page 2 of 3" in page.inner_text("body")
    page.locator("input[name='a.csat'][value='2'] + span").click()
    page.get_by_role("button", name="Next").click()
    page.wait_for_url("**page=3**")
    page.fill("textarea[name='a.comment']", "بطيء جدا")
    page.get_by_role("button", name="Submit").click()
    page.wait_for_url("**/thanks**")
    assert errors == []
    [stored] = responses_of(http, tenant, survey["id"])
    assert stored["answers"] == {"nps": 6, "csat": 2, "comment": "بطيء جدا"}
    assert stored["language"] == "en"

"""In a real browser: an agent finds the case in the inbox, messages the customer, resolves it
with a root cause and closes it with a re-survey, on a phone-sized screen without errors."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy.orm import Session

from cxloop.cases import service
from cxloop.cases.schemas import CaseCreate, RootCauseCreate
from cxloop.cases.teams import create_root_cause
from tests.cases.helpers import PASSWORD, add_user
from tests.cases.test_followup import _answer, _survey
from tests.factories import make_tenant


def test_an_agent_works_a_case_from_the_inbox_to_closed(
    db: Session, http: httpx.Client, server: str, browser: Any
) -> None:
    tenant = make_tenant(db, "Case browser")
    ws = tenant.workspace.id
    agent = add_user(db, tenant, name="Agnes")
    survey_id = _survey(http, tenant)
    response_id = _answer(http, tenant, survey_id, "browser@example.com", 2)
    create_root_cause(db, ws, RootCauseCreate(name="Courier damage"))
    case, _ = service.open_case(
        db,
        ws,
        CaseCreate(title="Parcel <em>broken</em>", response_id=response_id, owner_id=agent.id),
        "system",
    )
    db.commit()

    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("dialog", lambda dialog: errors.append(f"dialog: {dialog.message}"))
    try:
        page.goto(f"{server}/login?next=/app/cases")
        page.fill("input[name=email]", agent.email)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{server}/app/cases")
        page.get_by_role("link", name="Parcel <em>broken</em>").click()
        page.wait_for_url(f"{server}/app/cases/{case.id}")
        assert page.locator("#case-title").inner_text() == f"#{case.number} Parcel <em>broken</em>"

        page.fill("#note-form textarea[name=body]", "We are sending a new one today.")
        page.check("#note-form input[value=message]")
        page.click("#note-form button[type=submit]")
        page.locator("#case-notice").wait_for()
        assert page.locator("[data-delivery]").inner_text() == "queued"

        page.click("#move-resolved button[type=submit]")  # no root cause chosen yet
        assert "needs a root cause" in page.locator("#case-error").inner_text()
        page.select_option("#move-resolved select[name=root_cause_id]", label="Courier damage")
        page.fill("#move-resolved textarea[name=resolution]", "Sent a replacement")
        page.click("#move-resolved button[type=submit]")
        page.locator("#move-closed").wait_for()
        assert page.locator("#move-closed input[name=resurvey]").is_checked()
        page.click("#move-closed button[type=submit]")
        page.locator("#case-resurvey").wait_for()
        assert "closed" in page.locator("#case-head").inner_text()
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 390 + 1, f"the case page scrolls sideways on a phone ({width}px)"
        assert errors == []
    finally:
        context.close()

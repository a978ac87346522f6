"""In a real browser: the vendored Chart.js (served offline) draws the NPS trend band."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from tests.dashboard.test_dashboard import seed
from tests.factories import make_tenant


def test_chart_draws_the_trend_and_folds_the_table(db: Session, server: str, browser: Any) -> None:
    tenant = make_tenant(db)
    seed(db, tenant)
    context = browser.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    outside: list[str] = []
    page.on(
        "request",
        lambda req: outside.append(req.url) if not req.url.startswith(server) else None,
    )
    page.goto(f"{server}/login?next=/app")
    page.fill("input[name=email]", tenant.email)
    page.fill("input[name=password]", tenant.password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{server}/app")
    box = page.locator("#nps-trend-box")
    box.wait_for(state="visible")
    drawn = page.evaluate(
        "() => { const c = document.getElementById('nps-trend-chart');"
        " const chart = window.Chart.getChart(c);"
        " return {w: c.width, h: c.height, sets: chart.data.datasets.length,"
        " points: chart.data.datasets[2].data.filter(v => v !== null).length}; }"
    )
    assert drawn["w"] > 0 and drawn["h"] > 0
    assert (drawn["sets"], drawn["points"]) == (3, 1)
    assert page.evaluate("() => document.getElementById('nps-trend-table').open") is False
    assert errors == []
    assert outside == []
    context.close()

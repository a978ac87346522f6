"""In a real browser: the key drivers quadrant chart is drawn from vendored Chart.js, and the
analysis pages fit a 390 px wide phone screen without sideways scrolling."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy.orm import Session

from tests.drivers.test_driver_pages import EVIL, plant
from tests.factories import make_tenant

PAGES = ("/app/drivers", "/app/customers", "/app/support", "/app/segments")


def test_drivers_page_draws_the_quadrant_chart_and_fits_a_phone(
    db: Session, http: httpx.Client, server: str, browser: Any
) -> None:
    tenant = make_tenant(db, "Drivers browser")
    plant(http, tenant)
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("dialog", lambda dialog: errors.append(f"dialog: {dialog.message}"))
    outside: list[str] = []
    page.on(
        "request",
        lambda req: outside.append(req.url) if not req.url.startswith(server) else None,
    )
    page.goto(f"{server}/login?next=/app/drivers")
    page.fill("input[name=email]", tenant.email)
    page.fill("input[name=password]", tenant.password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{server}/app/drivers")
    page.locator("#drivers-chart-box").wait_for(state="visible")
    drawn = page.evaluate(
        "() => { const c = document.getElementById('drivers-chart');"
        " const chart = window.Chart.getChart(c);"
        " const ink = c.getContext('2d').getImageData(0, 0, c.width, c.height).data"
        "   .filter((v, i) => i % 4 === 3 && v > 0).length;"
        " return {w: c.width, h: c.height, type: chart.config.type,"
        " points: chart.data.datasets[0].data.length, ink: ink}; }"
    )
    assert drawn["w"] > 0 and drawn["h"] > 0 and drawn["ink"] > 1000
    assert (drawn["type"], drawn["points"]) == ("scatter", 3)
    rows = page.locator("#drivers-table tbody th").all_inner_texts()
    assert [r.splitlines()[0] for r in rows] == [
        "Rate the delivery delivery",
        f"{EVIL} staff",
        "Rate the price price",
    ]
    keys = page.eval_on_selector_all(
        "#drivers-table tbody tr", "rows => rows.map(r => r.dataset.key)"
    )
    assert keys == ["delivery", "staff", "price"]

    page.set_viewport_size({"width": 390, "height": 844})
    for path in PAGES:
        page.goto(f"{server}{path}")
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 390, (path, width)
    assert errors == []
    assert outside == []
    context.close()

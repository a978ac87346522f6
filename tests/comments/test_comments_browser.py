"""In a real browser on a phone-sized screen: relabel a comment in place, see the themes chart."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.comments.conftest import Shop

PHONE = {"width": 390, "height": 844}


def test_relabel_in_the_explorer_and_see_the_themes_chart(
    shop: Shop, server: str, browser: Any, run_jobs: Callable[[], int]
) -> None:
    shop.say("The courier left my parcel in the rain")
    shop.say("Cheap and quick, thanks")
    run_jobs()
    first, second = shop.get("/api/v1/comments")["items"]
    labelled = {"sentiment": "negative", "themes": ["delivery"]}
    resp = shop.http.patch(
        f"/api/v1/comments/{second['id']}", json=labelled, headers=shop.tenant.headers()
    )
    assert resp.status_code == 200, resp.text
    new_label = "negative" if first["sentiment"] == "positive" else "positive"

    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    outside: list[str] = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(server) else None)
    page.goto(f"{server}/login?next=/app/comments")
    page.fill("input[name=email]", shop.tenant.email)
    page.fill("input[name=password]", shop.tenant.password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{server}/app/comments")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]

    item = page.locator(f"#c-{first['id']}")
    item.locator("summary").click()
    item.locator("select[name=sentiment]").select_option(new_label)
    boxes = item.locator("input[name=themes]")
    for i in range(boxes.count()):
        boxes.nth(i).uncheck()
    item.locator("input[name=themes][value=website_app]").check()
    page.evaluate("() => { window.notReloaded = true; }")
    item.locator("button[type=submit]").click()
    item.locator(".tx-inline-message").wait_for()  # swapped in without a reload
    assert page.evaluate("() => window.notReloaded") is True
    assert item.locator(f".tx-sent-{new_label}").count() == 1
    assert "✎ corrected" in item.inner_text()
    assert item.locator(".tx-chip-person").count() == 1
    saved = shop.get(f"/api/v1/comments/{first['id']}")
    assert saved["sentiment"] == new_label
    assert [t["key"] for t in saved["themes"]] == ["website_app"]

    page.goto(f"{server}/app/themes")
    page.locator("#tx-map-box").wait_for(state="visible")
    drawn = page.evaluate(
        "() => { const c = document.getElementById('tx-map-chart');"
        " const chart = window.Chart.getChart(c);"
        " const pts = chart.data.datasets[0].data;"
        " return {w: c.width, h: c.height, keys: pts.map(p => p.key).sort(),"
        " delivery: pts.filter(p => p.key === 'delivery').map(p => [p.x, p.y])}; }"
    )
    assert drawn["w"] > 0 and drawn["h"] > 0
    assert drawn["keys"] == ["delivery", "website_app"]
    assert drawn["delivery"] == [[1, -100]]
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    assert errors == []
    assert outside == []
    context.close()

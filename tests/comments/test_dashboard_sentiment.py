"""The dashboard shows comment sentiment by touchpoint, linked to the explorer."""

from __future__ import annotations

import re
from collections.abc import Callable

from tests.comments.conftest import Shop
from tests.contacts.web import login


def test_dashboard_counts_comment_sentiment_per_touchpoint(
    shop: Shop, run_jobs: Callable[[], int]
) -> None:
    texts = ["Great service <b>thanks</b>", "Terrible, slow and rude", "It was fine"]
    for text in texts:
        shop.say(text)
    run_jobs()
    counts = shop.get("/api/v1/text/sentiment-by-touchpoint")[0]
    login(shop.http, shop.tenant)
    page = shop.http.get("/app")
    assert page.status_code == 200
    section = page.text.split('id="sentiment"', 1)[1].split("</section>", 1)[0]
    link = f"/app/comments?touchpoint_id={shop.touchpoint['id']}"
    assert link in section
    cells = [int(n) for n in re.findall(r'<td class="num">(\d+)</td>', section)]
    assert cells == [counts["positive"], counts["neutral"], counts["mixed"], counts["negative"], 3]
    assert "<b>thanks</b>" not in page.text  # customer text is escaped wherever it shows

"""Theme discovery proposals (accept, discard) and emerging issues through the API."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from cxloop.comments.models import Comment, CommentTheme
from tests.comments.conftest import Shop

LOYALTY = [
    "My loyalty points were not added after the purchase",
    "Where are my loyalty points from last week?",
    "The loyalty points expired without any warning",
    "Loyalty points missing again on my account",
    "Please fix the loyalty points, they never show up",
    "I lost all my loyalty points when I changed my email",
    "Loyalty points are not credited for online orders",
    "Why did my loyalty points disappear",
    "The loyalty points balance is wrong",
    "Loyalty points still pending after a month",
]
PARKING = [
    "No parking spaces near the store",
    "Parking was full again on Saturday",
    "The parking lot is too small",
    "Could not find parking anywhere",
    "The parking garage was closed",
    "Please add more parking for customers",
]


def test_discovery_proposes_a_theme_that_can_be_accepted(
    shop: Shop, run_jobs: Callable[[], int]
) -> None:
    for text in LOYALTY + PARKING:
        shop.say(text)
    run_jobs()
    h = shop.tenant.headers()
    started = shop.http.post("/api/v1/text/discover", headers=h)
    assert started.status_code == 202, started.text
    run_jobs()
    proposals = shop.get("/api/v1/theme-suggestions")
    loyalty = next(p for p in proposals if "loyalty" in p["label"].lower())
    assert loyalty["size"] >= 5 and loyalty["quotes"]
    accepted = shop.http.post(
        f"/api/v1/theme-suggestions/{loyalty['id']}/accept",
        json={"key": "loyalty", "name": "Loyalty programme"},
        headers=h,
    )
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["status"] == "accepted"
    again = shop.http.post(f"/api/v1/theme-suggestions/{loyalty['id']}/discard", json={}, headers=h)
    assert again.status_code == 409
    keys = {d["key"] for d in shop.get("/api/v1/theme-definitions")}
    assert "loyalty" in keys
    shop.http.post("/api/v1/text/analyze", headers=h)
    run_jobs()
    assert shop.get("/api/v1/comments", theme="loyalty")["total"] == len(LOYALTY)


def test_a_negativity_spike_at_a_touchpoint_is_reported(shop: Shop, db: Session) -> None:
    """Eight quiet weeks of delivery comments, then a week where most are negative."""
    ws, tp = shop.tenant.workspace.id, shop.touchpoint["id"]
    this_week = datetime.now(UTC) - timedelta(days=datetime.now(UTC).weekday())
    for week in range(9):
        at = this_week - timedelta(weeks=8 - week)
        for i in range(20):
            negative = i < (16 if week == 8 else 2)
            comment = Comment(
                workspace_id=ws,
                touchpoint_id=tp,
                source="survey",
                occurred_at=at,
                text="delivery",
                language="en",
                sentiment="negative" if negative else "positive",
            )
            db.add(comment)
            db.flush()
            db.add(
                CommentTheme(
                    comment_id=comment.id,
                    workspace_id=ws,
                    taxonomy="themes",
                    theme_key="delivery",
                    sentiment=comment.sentiment,
                    occurred_at=at,
                    touchpoint_id=tp,
                )
            )
    db.commit()
    issues = shop.get("/api/v1/text/emerging")
    spike = next(i for i in issues if i["metric"] == "negativity")
    assert spike["theme"] == "delivery" and spike["touchpoint_id"] == tp
    assert spike["current"] > spike["baseline"] and spike["p_value"] < 0.05
    assert not [i for i in issues if i["metric"] == "volume"]  # the volume did not change

"""Every comment is analysed in the background; people's corrections survive re-analysis."""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx
from sqlalchemy.orm import Session, sessionmaker

from cxloop.comments import service as comments
from cxloop.comments.service import DEFAULT_ANALYSER
from cxloop.core.security import Role
from cxloop.core.settings import Settings
from cxloop.jobs.worker import start_thread
from cxloop.text.linear import LinearModel
from cxloop.text.sentiment import load_base_model as base_model
from tests.comments.conftest import Shop
from tests.factories import make_tenant


def test_new_comments_are_analysed_by_the_background_worker_within_seconds(
    shop: Shop, session_factory: sessionmaker[Session], settings: Settings
) -> None:
    shop.say("Giao hàng nhanh nhưng nhân viên rất thô lỗ", nps=6, language="vi")
    stop = start_thread(session_factory, settings)
    try:
        deadline = time.monotonic() + 15
        while not (page := shop.get("/api/v1/comments"))["items"]:
            assert time.monotonic() < deadline, "comment was not analysed within 15 s"
            time.sleep(0.2)
    finally:
        stop.set()
    (comment,) = page["items"]
    assert comment["language"] == "vi"
    assert comment["sentiment"] == "mixed"
    themes = {t["key"]: t["sentiment"] for t in comment["themes"]}
    assert themes.get("delivery") == "positive" and themes.get("staff") == "negative"
    assert comment["touchpoint_id"] == shop.touchpoint["id"] and comment["source"] == "survey"


def test_explorer_filters_and_counts(shop: Shop, run_jobs: Callable[[], int]) -> None:
    shop.say("The courier was late and the parcel arrived damaged", nps=2)
    shop.say("Great prices, I will come back", nps=10)
    shop.say("Nhân viên rất thân thiện và nhiệt tình", nps=9, language="vi")
    run_jobs()
    everything = shop.get("/api/v1/comments")
    assert everything["total"] == 3
    negative = shop.get("/api/v1/comments", sentiment="negative")
    assert [c["text"] for c in negative["items"]] == [
        "The courier was late and the parcel arrived damaged"
    ]
    assert shop.get("/api/v1/comments", language="vi")["total"] == 1
    assert shop.get("/api/v1/comments", theme="price")["items"][0]["text"].startswith("Great")
    found = shop.get("/api/v1/comments", q="PARCEL")
    assert found["total"] == 1
    assert sum(everything["sentiment_counts"].values()) == 3


def test_corrections_are_kept_when_comments_are_analysed_again(
    shop: Shop, run_jobs: Callable[[], int]
) -> None:
    shop.say("The app keeps logging me out", nps=4)
    run_jobs()
    (comment,) = shop.get("/api/v1/comments")["items"]
    person = "mixed" if comment["sentiment"] != "mixed" else "neutral"
    change = {"sentiment": person, "themes": ["website_app", "communication"]}
    resp = shop.http.patch(
        f"/api/v1/comments/{comment['id']}", json=change, headers=shop.tenant.headers()
    )
    assert resp.status_code == 200, resp.text
    started = shop.http.post("/api/v1/text/analyze", headers=shop.tenant.headers())
    assert started.status_code == 202, started.text
    run_jobs()
    again = shop.get(f"/api/v1/comments/{comment['id']}")
    assert again["sentiment"] == person and again["machine_sentiment"] == comment["sentiment"]
    assert again["corrected"] is True
    assert sorted(t["key"] for t in again["themes"]) == ["communication", "website_app"]
    assert {t["source"] for t in again["themes"]} == {"person"}
    job = shop.get(f"/api/v1/jobs/{started.json()['id']}")
    assert job["status"] == "done"


def test_bad_corrections_and_filters_are_refused_with_the_field_named(
    db: Session, shop: Shop, run_jobs: Callable[[], int]
) -> None:
    shop.say("Slow checkout page")
    run_jobs()
    (comment,) = shop.get("/api/v1/comments")["items"]
    url = f"/api/v1/comments/{comment['id']}"
    headers = shop.tenant.headers()
    unknown = shop.http.patch(url, json={"themes": ["teleportation"]}, headers=headers)
    assert unknown.status_code == 422 and "teleportation" in unknown.json()["error"]["message"]
    assert shop.http.patch(url, json={"sentiment": "furious"}, headers=headers).status_code == 422
    assert shop.http.patch(url, json={}, headers=headers).status_code == 422
    bad_dates = shop.http.get(
        "/api/v1/comments", params={"from": "2026-02-01", "to": "2026-01-01"}, headers=headers
    )
    assert bad_dates.status_code == 422 and "from" in bad_dates.json()["error"]["message"]
    other = make_tenant(db, "Other")
    assert shop.http.get(url, headers=other.headers()).status_code == 404
    viewer = make_tenant(db, "Viewer", role=Role.viewer)
    assert shop.http.patch(
        url, json={"sentiment": "positive"}, headers=viewer.headers()
    ).status_code in (403, 404)


def test_themes_overview_detail_and_sentiment_by_touchpoint(
    shop: Shop, run_jobs: Callable[[], int]
) -> None:
    for text in (
        "Delivery was late again",
        "The courier lost my parcel",
        "Fast delivery, thank you",
        "Staff were friendly",
    ):
        shop.say(text)
    run_jobs()
    overview = shop.get("/api/v1/themes")
    delivery = next(t for t in overview["themes"] if t["key"] == "delivery")
    assert overview["comments"] == 4 and delivery["mentions"] == 3
    assert delivery["negative"] == 2 and delivery["positive"] == 1 and delivery["share"] == 75.0
    detail = shop.get("/api/v1/themes/delivery")
    assert sum(p["mentions"] for p in detail["trend"]) == 3
    assert {q["text"] for q in detail["quotes"]} <= {
        "Delivery was late again",
        "The courier lost my parcel",
        "Fast delivery, thank you",
    }
    (row,) = shop.get("/api/v1/text/sentiment-by-touchpoint")
    assert row["touchpoint_id"] == shop.touchpoint["id"] and row["total"] == 4
    assert shop.get("/api/v1/themes", taxonomy="pillars")["taxonomy"] == "pillars"
    missing = shop.http.get("/api/v1/themes/nope", headers=shop.tenant.headers())
    assert missing.status_code == 404


def test_a_workspace_theme_is_used_for_new_and_reanalysed_comments(
    shop: Shop, run_jobs: Callable[[], int]
) -> None:
    shop.say("No parking spaces near the store")
    run_jobs()
    theme = {
        "key": "parking",
        "name": {"en": "Parking", "vi": "Bãi đỗ xe"},
        "keywords": {"en": ["parking", "car park"], "vi": ["bãi đỗ xe", "chỗ đậu xe"]},
    }
    saved = shop.http.put("/api/v1/theme-definitions", json=theme, headers=shop.tenant.headers())
    assert saved.status_code == 200, saved.text
    assert saved.json()["customised"] is True and saved.json()["built_in"] is False
    shop.say("Không có chỗ đậu xe", language="vi")
    shop.http.post("/api/v1/text/analyze", headers=shop.tenant.headers())
    run_jobs()
    parked = shop.get("/api/v1/comments", theme="parking")
    assert parked["total"] == 2
    bad = shop.http.put(
        "/api/v1/theme-definitions", json={"key": "Bad Key!"}, headers=shop.tenant.headers()
    )
    assert bad.status_code == 422


def test_interaction_texts_from_customers_are_analysed_too(
    shop: Shop, http: httpx.Client, run_jobs: Callable[[], int]
) -> None:
    body = {
        "kind": "review",
        "occurred_at": "2026-11-01T10:00:00Z",
        "contact_email": "rita@example.com",
        "text": "Terrible service, the staff ignored me",
        "channel": "review_site",
    }
    resp = http.post("/api/v1/interactions", json=body, headers=shop.tenant.headers())
    assert resp.status_code in (200, 201), resp.text
    run_jobs()
    (comment,) = shop.get("/api/v1/comments", source="review")["items"]
    assert comment["sentiment"] == "negative" and comment["contact_id"]


def test_the_workspace_model_is_retrained_from_corrections(
    shop: Shop, run_jobs: Callable[[], int], db: Session
) -> None:
    texts = ["It was okay I guess", "Meh, the usual", "Nothing special today"]
    for text in texts:
        shop.say(text)
    run_jobs()
    for comment in shop.get("/api/v1/comments")["items"]:
        shop.http.patch(
            f"/api/v1/comments/{comment['id']}",
            json={"sentiment": "negative"},
            headers=shop.tenant.headers(),
        )
    resp = shop.http.post("/api/v1/text/retrain", headers=shop.tenant.headers())
    assert resp.status_code == 202
    run_jobs()
    profile = shop.get("/api/v1/text/profile")
    assert profile["model_corrections"] == 3 and profile["trained_at"] is not None
    assert profile["corrections"] == 3

    # The analyser uses the adapted model, unless it was adapted from another shipped model
    # (an upgrade): then the shipped one serves until the next retrain.
    ws = shop.tenant.workspace.id
    db.expire_all()
    adapted = comments.workspace_text(db, ws, DEFAULT_ANALYSER).analyser.sentiment.model
    assert adapted.info["corrections"] == 3 and adapted.info["base"] == base_model().info["base"]
    older = {**adapted.info, "base": "0ld"}
    stale = LinearModel(adapted.vocabulary, adapted.weights, adapted.classes, older)
    comments.store_model(db, ws, stale.to_bytes(), 3)
    db.commit()
    used = comments.workspace_text(db, ws, DEFAULT_ANALYSER).analyser.sentiment.model
    assert used is base_model()


def test_expected_languages_are_validated(shop: Shop) -> None:
    headers = shop.tenant.headers()
    ok = shop.http.put("/api/v1/text/profile", json={"languages": ["vi", "en"]}, headers=headers)
    assert ok.status_code == 200 and ok.json()["languages"] == ["en", "vi"]
    bad = shop.http.put("/api/v1/text/profile", json={"languages": ["vietnamese"]}, headers=headers)
    assert bad.status_code == 422 and "vietnamese" in bad.json()["error"]["message"]


def test_comments_filter_by_segment_and_contact_attribute(
    shop: Shop, run_jobs: Callable[[], int]
) -> None:
    h = shop.tenant.headers()
    for ext, plan in (("p1", "pro"), ("b1", "basic")):
        body = {"external_id": ext, "attributes": {"plan": plan}}
        assert shop.http.post("/api/v1/contacts", json=body, headers=h).status_code == 201
        response = {
            "survey_id": shop.survey["id"],
            "answers": {"nps": 8, "comment": f"Comment from a {plan} customer"},
            "contact": {"external_id": ext},
        }
        assert shop.http.post("/api/v1/responses", json=response, headers=h).status_code == 201
    run_jobs()
    segment = shop.http.post(
        "/api/v1/segments",
        json={
            "name": "Pro",
            "definition": {
                "conditions": [{"field": "attribute", "key": "plan", "op": "eq", "value": "pro"}]
            },
        },
        headers=h,
    ).json()
    pro = shop.get("/api/v1/comments", segment_id=segment["id"])
    assert [c["text"] for c in pro["items"]] == ["Comment from a pro customer"]
    basic = shop.get("/api/v1/comments", attribute="plan=basic")
    assert [c["text"] for c in basic["items"]] == ["Comment from a basic customer"]
    missing = shop.http.get("/api/v1/comments", params={"segment_id": "nope"}, headers=h)
    assert missing.status_code == 404

"""The comment explorer, the themes pages and theme settings, over real HTTP without JavaScript.

Machine sentiment labels are not asserted here (the model changes); what people set is.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy.orm import Session

from cxloop.accounts import service as accounts
from cxloop.comments.models import Comment, CommentTheme, ThemeSuggestion
from cxloop.core.database import utcnow
from cxloop.core.security import Role
from cxloop.jobs import service as jobs
from tests.comments.conftest import Shop
from tests.contacts.web import csrf_of, login

EVIL = "<script>alert('x')</script> The parcel arrived damaged"
ESCAPED = "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; The parcel arrived damaged"


def _comments(shop: Shop, run_jobs: Callable[[], int], *texts: str) -> list[dict[str, Any]]:
    for text in texts:
        shop.say(text)
    run_jobs()
    items: list[dict[str, Any]] = shop.get("/api/v1/comments")["items"]
    return items


def _label(shop: Shop, comment_id: int, sentiment: str, themes: list[str]) -> None:
    resp = shop.http.patch(
        f"/api/v1/comments/{comment_id}",
        json={"sentiment": sentiment, "themes": themes},
        headers=shop.tenant.headers(),
    )
    assert resp.status_code == 200, resp.text


def _counts(html: str) -> dict[str, int]:
    found = re.findall(r'data-sentiment="(\w+)">\w+ (\d+)</a>', html)
    return {label: int(n) for label, n in found}


def _shown_ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'<li class="tx-comment" id="c-(\d+)"', html)]


def _other_than(label: str) -> str:
    return "negative" if label == "positive" else "positive"


def _user(db: Session, shop: Shop, role: Role) -> Any:
    email = f"{role.value}-{shop.tenant.workspace.slug}@example.com"
    accounts.create_user(db, email, "a long password", workspace=shop.tenant.workspace, role=role)
    db.commit()
    return replace(shop.tenant, email=email, password="a long password")


def test_explorer_filters_counts_pages_and_escapes_customer_text(
    shop: Shop, run_jobs: Callable[[], int]
) -> None:
    items = _comments(shop, run_jobs, EVIL, "Great prices, I will come back")
    shop.say("Nhân viên rất thân thiện", language="vi")
    run_jobs()
    assert shop.http.get("/app/comments").status_code == 303  # not logged in
    login(shop.http, shop.tenant)

    page = shop.http.get("/app/comments")
    assert page.status_code == 200
    assert "<strong>3</strong> comments" in page.text
    assert ESCAPED in page.text and "<script>alert" not in page.text
    assert sum(_counts(page.text).values()) == 3

    found = shop.http.get("/app/comments", params={"q": "PARCEL", "theme": "", "to": ""})
    assert _shown_ids(found.text) == [next(c["id"] for c in items if c["text"] == EVIL)]
    assert len(_shown_ids(shop.http.get("/app/comments?language=vi").text)) == 1

    evil_id = next(c["id"] for c in items if c["text"] == EVIL)
    _label(shop, evil_id, "negative", ["delivery"])
    by_theme = shop.http.get("/app/comments", params={"theme": "delivery", "sentiment": "negative"})
    assert _shown_ids(by_theme.text) == [evil_id]
    assert _counts(by_theme.text)["negative"] == 1

    first = shop.http.get("/app/comments", params={"limit": 2})
    assert len(_shown_ids(first.text)) == 2
    older = re.search(r'rel="next" href="([^"]+)"', first.text)
    assert older, "no link to older comments"
    second = shop.http.get(older.group(1).replace("&amp;", "&"))
    assert len(_shown_ids(second.text)) == 1
    assert set(_shown_ids(first.text)).isdisjoint(_shown_ids(second.text))

    for params, field in [
        ({"from": "2026-02-01", "to": "2026-01-01"}, "from"),
        ({"from": "yesterday"}, "from"),
        ({"sentiment": "furious"}, "sentiment"),
        ({"attribute": "plan"}, "attribute"),
        ({"limit": "0"}, "limit"),
    ]:
        bad = shop.http.get("/app/comments", params=params)
        assert bad.status_code == 422, params
        assert re.search(rf'role="alert">{field}: ', bad.text), params


def test_explorer_shows_each_comments_pillars_and_filters_by_one(
    shop: Shop, run_jobs: Callable[[], int]
) -> None:
    items = _comments(shop, run_jobs, "The agent was rude and hung up on me", "Great prices")
    rude = next(c for c in items if c["text"].startswith("The agent"))
    assert "empathy" in [p["key"] for p in rude["pillars"]]
    login(shop.http, shop.tenant)

    page = shop.http.get("/app/comments", params={"theme": "empathy"})
    assert _shown_ids(page.text) == [rude["id"]]
    assert '<optgroup label="Six pillars">' in page.text
    assert '<option value="empathy" selected>Empathy</option>' in page.text
    card = page.text.split(f'id="c-{rude["id"]}"')[1].split("</li>")[0]
    pillars = card.split('class="tx-pillars small"')[1]
    assert "Empathy" in pillars


def test_relabelling_a_comment_keeps_the_filters_and_refuses_bad_input(
    shop: Shop, run_jobs: Callable[[], int]
) -> None:
    (comment,) = _comments(shop, run_jobs, EVIL)
    new_label = _other_than(comment["sentiment"])
    login(shop.http, shop.tenant)
    page = shop.http.get("/app/comments", params={"q": "parcel"})
    assert f'action="/app/comments/{comment["id"]}/label"' in page.text
    csrf = csrf_of(page.text)
    url = f"/app/comments/{comment['id']}/label"
    form = {"csrf": csrf, "sentiment": new_label, "themes_shown": "1", "back": "q=parcel"}

    saved = shop.http.post(url, data={**form, "themes": ["price", "staff"]})
    assert saved.status_code == 303
    assert saved.headers["location"] == (
        f"/app/comments?q=parcel&notice=relabelled#c-{comment['id']}"
    )
    after = shop.get(f"/api/v1/comments/{comment['id']}")
    assert after["sentiment"] == new_label and after["corrected"] is True
    assert sorted(t["key"] for t in after["themes"]) == ["price", "staff"]
    assert {t["source"] for t in after["themes"]} == {"person"}

    shown = shop.http.get(saved.headers["location"])
    assert "Saved." in shown.text and "✎ corrected" in shown.text
    assert f"tx-sent-{new_label}" in shown.text and "tx-chip-person" in shown.text
    relabelled = shop.http.get("/app/comments", params={"sentiment": new_label})
    assert _shown_ids(relabelled.text) == [comment["id"]]

    unknown = shop.http.post(url, data={**form, "themes": ["teleportation"]})
    assert unknown.status_code == 422
    assert "unknown theme key(s): teleportation" in unknown.text
    assert 'name="q" value="parcel"' in unknown.text  # the filters are still there
    bad_label = shop.http.post(url, data={**form, "sentiment": "furious"})
    assert bad_label.status_code == 422 and "sentiment" in bad_label.text
    forged = shop.http.post(url, data={**form, "csrf": "forged", "sentiment": "mixed"})
    assert forged.status_code == 403
    assert shop.get(f"/api/v1/comments/{comment['id']}")["sentiment"] == new_label
    missing = shop.http.post("/app/comments/999999999/label", data=form)
    assert missing.status_code == 404


def test_viewers_read_but_cannot_relabel_and_analysts_can(
    db: Session, shop: Shop, http: httpx.Client, run_jobs: Callable[[], int]
) -> None:
    (comment,) = _comments(shop, run_jobs, "Slow checkout page")
    viewer = _user(db, shop, Role.viewer)
    login(http, viewer)
    page = http.get("/app/comments")
    assert page.status_code == 200 and "Slow checkout page" in page.text
    assert '/label"' not in page.text and "explorer.js" not in page.text
    form = {"csrf": csrf_of(page.text), "sentiment": _other_than(comment["sentiment"])}
    assert http.post(f"/app/comments/{comment['id']}/label", data=form).status_code == 403
    assert shop.get(f"/api/v1/comments/{comment['id']}")["corrected"] is False
    assert http.get("/app/themes/settings").status_code == 403
    assert http.post("/app/themes/discover", data={"csrf": form["csrf"]}).status_code == 403

    http.cookies.clear()
    login(http, _user(db, shop, Role.analyst))
    csrf = csrf_of(http.get("/app/comments").text)
    done = http.post(f"/app/comments/{comment['id']}/label", data={**form, "csrf": csrf})
    assert done.status_code == 303
    assert shop.get(f"/api/v1/comments/{comment['id']}")["sentiment"] == form["sentiment"]
    # Reanalysis and expected languages are the admin's, as in the API.
    assert http.post("/app/themes/settings/reanalyse", data={"csrf": csrf}).status_code == 403


def test_themes_page_shows_volume_and_sentiment_and_the_theme_detail(
    shop: Shop, run_jobs: Callable[[], int]
) -> None:
    texts = [EVIL, "Where is my order", "Fast and cheap", "Nice shop"]
    comments = {c["text"]: c["id"] for c in _comments(shop, run_jobs, *texts)}
    _label(shop, comments[EVIL], "negative", ["delivery"])
    _label(shop, comments["Where is my order"], "negative", ["delivery"])
    _label(shop, comments["Fast and cheap"], "positive", ["delivery", "price"])
    _label(shop, comments["Nice shop"], "positive", [])
    login(shop.http, shop.tenant)

    page = shop.http.get("/app/themes")
    assert page.status_code == 200
    chart = json.loads(re.search(r'id="tx-map-data">(.*?)</script>', page.text, re.S).group(1))  # type: ignore[union-attr]
    points = {p["key"]: (p["x"], p["y"]) for p in chart}
    # delivery: 3 mentions, 1 positive and 2 negative: net = (1 - 2) / 3 x 100 = -33.3
    assert points == {"delivery": (3, -33.3), "price": (1, 100.0)}
    row = re.search(
        r'href="/app/themes/delivery\?[^"]*">([^<]+)</a></th>(.*?)</tr>', page.text, re.S
    )
    assert row is not None
    cells = re.findall(r'<td class="num[^"]*">([^<]*)</td>', row.group(2))
    assert cells == ["3", "75.0%", "1", "2", "-33"]  # 3 of 4 comments mention delivery
    assert "chart.umd.min.js" in page.text and 'id="emerging"' in page.text

    pillars = shop.http.get("/app/themes", params={"taxonomy": "pillars"})
    assert pillars.status_code == 200 and 'aria-current="page">Six pillars' in pillars.text
    bad = shop.http.get("/app/themes", params={"taxonomy": "colours"})
    assert bad.status_code == 422 and "taxonomy: use themes or pillars" in bad.text

    detail = shop.http.get("/app/themes/delivery")
    assert detail.status_code == 200
    assert ESCAPED in detail.text and "<script>alert" not in detail.text
    assert 'href="/app/comments?theme=delivery"' in detail.text
    trend = json.loads(re.search(r'id="tx-trend-data">(.*?)</script>', detail.text, re.S).group(1))  # type: ignore[union-attr]
    assert sum(trend["mentions"]) == 3 and sum(trend["negative"]) == 2
    assert shop.http.get("/app/themes/teleportation").status_code == 404


def test_discovered_suggestions_are_accepted_renamed_or_discarded(
    db: Session, shop: Shop, run_jobs: Callable[[], int]
) -> None:
    ws = shop.tenant.workspace.id
    quote = {"comment_id": 1, "text": "<img src=x onerror=alert(1)> no parking"}
    kept = ThemeSuggestion(
        workspace_id=ws, label="parking <b>space</b>", keywords=["parking"], quotes=[quote], size=7
    )
    dropped = ThemeSuggestion(workspace_id=ws, label="music too loud", keywords=["music"], size=3)
    db.add_all([kept, dropped])
    db.commit()
    login(shop.http, shop.tenant)
    page = shop.http.get("/app/themes")
    assert "parking &lt;b&gt;space&lt;/b&gt;" in page.text and "<b>space" not in page.text
    assert "&lt;img src=x onerror=alert(1)&gt; no parking" in page.text
    csrf = csrf_of(page.text)
    accept = f"/app/themes/suggestions/{kept.id}/accept"

    bad_key = shop.http.post(accept, data={"csrf": csrf, "key": "Parking Lot!", "name": "x"})
    assert bad_key.status_code == 422 and "key: use 1 to 64 lowercase" in bad_key.text
    taken = shop.http.post(accept, data={"csrf": csrf, "key": "delivery", "name": "x"})
    assert taken.status_code == 409 and "delivery" in taken.text
    done = shop.http.post(accept, data={"csrf": csrf, "key": "parking", "name": "Parking lot"})
    assert done.status_code == 303
    discard = f"/app/themes/suggestions/{dropped.id}/discard"
    assert shop.http.post(discard, data={"csrf": csrf}).status_code == 303
    assert shop.http.post(discard, data={"csrf": csrf}).status_code == 409  # already discarded

    after = shop.http.get("/app/themes")
    assert "music too loud" not in after.text and "parking &lt;b&gt;" not in after.text
    assert ">Parking lot</a>" in after.text  # the accepted theme, renamed, in the table
    definitions = shop.get("/api/v1/theme-definitions")
    assert next(d for d in definitions if d["key"] == "parking")["name"] == {"en": "Parking lot"}

    queued = shop.http.post("/app/themes/discover", data={"csrf": csrf})
    assert queued.headers["location"] == "/app/themes?notice=discovering#suggestions"
    assert jobs.has_active(db, "text.discover", ws)
    again = shop.http.post("/app/themes/discover", data={"csrf": csrf})
    assert again.headers["location"] == "/app/themes?notice=busy#suggestions"
    run_jobs()
    assert not jobs.has_active(db, "text.discover", ws)


def test_theme_settings_add_edit_reset_and_reanalyse(
    shop: Shop, run_jobs: Callable[[], int]
) -> None:
    (comment,) = _comments(shop, run_jobs, "No parking spaces near the store")
    login(shop.http, shop.tenant)
    page = shop.http.get("/app/themes/settings")
    assert page.status_code == 200 and 'id="def-delivery"' in page.text
    csrf = csrf_of(page.text)
    form = {
        "csrf": csrf,
        "taxonomy": "themes",
        "key": "parking",
        "name": "Parking",
        "keywords_en": "parking, car park, parking",
        "keywords_vi": "bãi đỗ xe",
        "enabled": "on",
    }
    assert shop.http.post("/app/themes/settings", data=form).status_code == 303
    saved = next(d for d in shop.get("/api/v1/theme-definitions") if d["key"] == "parking")
    assert saved["keywords"] == {"en": ["parking", "car park"], "vi": ["bãi đỗ xe"]}

    edit = shop.http.get("/app/themes/settings", params={"edit": "parking"})
    assert 'name="keywords_en" value="parking, car park"' in edit.text
    changed = {**form, "name": "Car parking", "keywords_vi": ""}
    assert shop.http.post("/app/themes/settings", data=changed).status_code == 303
    saved = next(d for d in shop.get("/api/v1/theme-definitions") if d["key"] == "parking")
    assert saved["name"] == {"en": "Car parking"} and saved["keywords"] == {
        "en": ["parking", "car park"]
    }

    bad = shop.http.post("/app/themes/settings", data={**form, "key": "Car Park!"})
    assert bad.status_code == 422 and "key: use 1 to 64" in bad.text
    assert 'value="Car Park!"' in bad.text  # what was typed is kept
    other = shop.http.post("/app/themes/settings", data={**form, "key": "other", "enabled": ""})
    assert other.status_code == 422 and "other" in other.text

    start = shop.http.post("/app/themes/settings/reanalyse", data={"csrf": csrf})
    assert start.status_code == 303
    run_jobs()
    themes = [t["key"] for t in shop.get(f"/api/v1/comments/{comment['id']}")["themes"]]
    assert "parking" in themes

    reset = {"csrf": csrf, "taxonomy": "themes", "key": "parking"}
    assert shop.http.post("/app/themes/settings/reset", data=reset).status_code == 303
    assert "parking" not in {d["key"] for d in shop.get("/api/v1/theme-definitions")}
    assert shop.http.post("/app/themes/settings/reset", data=reset).status_code == 404

    langs = shop.http.post(
        "/app/themes/settings/languages", data={"csrf": csrf, "languages": "vi, en"}
    )
    assert langs.status_code == 303
    assert shop.get("/api/v1/text/profile")["languages"] == ["en", "vi"]
    wrong = shop.http.post(
        "/app/themes/settings/languages", data={"csrf": csrf, "languages": "english"}
    )
    assert wrong.status_code == 422 and "english" in wrong.text


def test_a_theme_spiking_this_week_is_listed_as_an_emerging_issue(db: Session, shop: Shop) -> None:
    """Six quiet weeks (2 of 40 comments mention delivery), then 20 of 40 this week."""
    ws, now = shop.tenant.workspace.id, utcnow()
    for weeks_ago in range(7):
        at = now - timedelta(weeks=weeks_ago)
        comments = [
            Comment(
                workspace_id=ws,
                source="survey",
                occurred_at=at,
                text=f"w{weeks_ago} c{i}",
                language="en",
                sentiment="neutral",
            )
            for i in range(40)
        ]
        db.add_all(comments)
        db.flush()
        mentioning = comments[: 20 if weeks_ago == 0 else 2]
        db.add_all(
            CommentTheme(
                comment_id=c.id,
                workspace_id=ws,
                taxonomy="themes",
                theme_key="delivery",
                sentiment="neutral",
                occurred_at=at,
            )
            for c in mentioning
        )
    db.commit()
    login(shop.http, shop.tenant)
    page = shop.http.get("/app/themes")
    assert page.status_code == 200
    section = page.text[page.text.index('id="emerging"') : page.text.index('id="suggestions"')]
    assert '<a href="/app/themes/delivery">Delivery</a>' in section
    assert "mentioned in 50% of comments, against 5% before" in section

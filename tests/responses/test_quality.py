"""Response quality flags: speeders, straight-lining, duplicates, honeypot bots; listed,
filtered, counted on the survey page, and still counted in metrics."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy.orm import Session

from tests.factories import make_tenant
from tests.surveys.helpers import (
    comment_question,
    create_survey,
    csrf_of,
    log_in,
    nps_question,
    token_of,
)


def rating(key: str) -> dict[str, Any]:
    return {"key": key, "kind": "rating", "texts": {"en": {"prompt": f"Rate {key}"}}}


def post(http: httpx.Client, h: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
    resp = http.post("/api/v1/responses", json=body, headers=h)
    assert resp.status_code == 201, resp.text
    result: dict[str, Any] = resp.json()
    return result


def listed(http: httpx.Client, h: dict[str, str], **params: str) -> list[str]:
    resp = http.get("/api/v1/responses", params=params, headers=h)
    assert resp.status_code == 200, resp.text
    return [r["id"] for r in resp.json()["items"]]


def test_speeders_straight_liners_and_duplicates_are_flagged_and_filterable(
    db: Session, http: httpx.Client
) -> None:
    tenant = make_tenant(db)
    h = tenant.headers()
    questions = [nps_question(["en"]), rating("food"), rating("service"), rating("price")]
    survey = create_survey(http, tenant, languages=["en"], questions=questions)
    now = datetime.now(UTC)
    answers = {"nps": 8, "food": 4, "service": 3, "price": 5}

    careful = post(
        http,
        h,
        {
            "survey_id": survey["id"],
            "answers": answers,
            "started_at": (now - timedelta(minutes=2)).isoformat(),
        },
    )
    assert careful["flags"] == [] and 110 < careful["duration_seconds"] < 130

    # four answers in three seconds: faster than 2 seconds per answer
    speeder = post(
        http,
        h,
        {
            "survey_id": survey["id"],
            "answers": answers,
            "started_at": (now - timedelta(seconds=3)).isoformat(),
        },
    )
    assert speeder["flags"] == ["speeder"]

    same = {"nps": 10, "food": 5, "service": 5, "price": 5}
    liner = post(http, h, {"survey_id": survey["id"], "answers": same})
    assert liner["flags"] == ["straight_lining"]

    contact = {"email": "twice@example.com"}
    once = post(http, h, {"survey_id": survey["id"], "answers": answers, "contact": contact})
    twice = post(http, h, {"survey_id": survey["id"], "answers": answers, "contact": contact})
    other = post(http, h, {"survey_id": survey["id"], "answers": {"nps": 2}, "contact": contact})
    assert once["flags"] == [] and twice["flags"] == ["duplicate"] and other["flags"] == []
    # a retry with the same idempotency key is not a second response at all
    keyed = {"survey_id": survey["id"], "answers": {"nps": 6}, "idempotency_key": "k-1"}
    first = post(http, h, keyed)
    retry = http.post("/api/v1/responses", json=keyed, headers=h)
    assert retry.status_code == 200 and retry.json()["id"] == first["id"]

    assert set(listed(http, h, flagged="true")) == {speeder["id"], liner["id"], twice["id"]}
    assert speeder["id"] not in listed(http, h, flagged="false")
    assert listed(http, h, flag="duplicate") == [twice["id"]]
    bad = http.get("/api/v1/responses", params={"flag": "robot"}, headers=h)
    assert bad.status_code == 422
    read = http.get(f"/api/v1/responses/{twice['id']}", headers=h).json()
    assert read["flags"] == ["duplicate"]

    # flagged responses still count in metrics (default); the survey page shows how many
    metric = http.get("/api/v1/metrics/nps", headers=h).json()
    assert metric["n"] == 7
    log_in(http, tenant.email, tenant.password)
    page = http.get(f"/app/surveys/{survey['id']}").text
    assert re.search(r'data-count="flagged">3 ', page)

    other_tenant = make_tenant(db, "Other")
    assert listed(http, other_tenant.headers(), flagged="true") == []


def test_public_page_bots_and_speeders(db: Session, http: httpx.Client) -> None:
    tenant = make_tenant(db)
    h = tenant.headers()
    survey = create_survey(
        http, tenant, languages=["en"], questions=[nps_question(["en"]), comment_question(["en"])]
    )
    url = f"/s/{token_of(survey)}"

    def form_of(page: str) -> dict[str, str]:
        fields = re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', page)
        return dict(fields)

    # a bot fills the hidden field: thanked, kept apart, never a response
    bot = {**form_of(http.get(url).text), "a.nps": "10", "website": "http://spam.example"}
    resp = http.post(url, data=bot)
    assert resp.status_code == 303 and "/thanks" in resp.headers["location"]
    blocked = http.get("/api/v1/responses/partial", params={"status": "blocked"}, headers=h).json()[
        "items"
    ]
    assert [(b["flags"], b["answers"]) for b in blocked] == [(["honeypot"], {"nps": "10"})]
    assert listed(http, h, survey_id=survey["id"]) == []

    # a person answering two questions at once, straight after opening: a speeder
    quick = {**form_of(http.get(url).text), "a.nps": "9", "a.comment": "ok", "website": ""}
    assert http.post(url, data=quick).status_code == 303
    # a forged start time is ignored (no duration, no flag)
    forged = {**form_of(http.get(url).text), "a.nps": "7", "website": ""}
    forged["started"] = "2020-01-01T00:00:00+00:00"
    assert http.post(url, data=forged).status_code == 303
    stored = http.get("/api/v1/responses", params={"survey_id": survey["id"]}, headers=h)
    flags = {
        r["answers"]["nps"]: (r["flags"], r["duration_seconds"]) for r in stored.json()["items"]
    }
    assert flags[9][0] == ["speeder"] and flags[9][1] is not None
    assert flags[7] == ([], None)

    log_in(http, tenant.email, tenant.password)
    page = http.get(f"/app/surveys/{survey['id']}").text
    assert 'data-count="blocked">1<' in page and csrf_of(page)

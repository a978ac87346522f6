"""Builders for survey tests: definitions in several languages, touchpoints, logged-in clients."""

from __future__ import annotations

import re
from typing import Any

import httpx

from tests.factories import Tenant

TEXTS = {
    "en": {"title": "How did we do?", "intro": "One minute.", "thanks": "Thanks a lot!"},
    "vi": {
        "title": "Chúng tôi đã làm thế nào?",
        "intro": "Một phút thôi.",
        "thanks": "Cảm ơn bạn rất nhiều!",
    },
    "th": {"title": "เราทำได้ดีแค่ไหน", "intro": "หนึ่งนาที", "thanks": "ขอบคุณมาก!"},
    "lt": {"title": "Kaip mums sekėsi?", "intro": "Viena minutė.", "thanks": "Labai ačiū!"},
    "ar": {"title": "كيف كان أداؤنا؟", "intro": "دقيقة واحدة", "thanks": "شكرا جزيلا"},
}
NPS_PROMPT = {
    "en": "How likely are you to recommend us?",
    "vi": "Bạn có sẵn lòng giới thiệu chúng tôi không?",
    "th": "คุณจะแนะนำเราไหม",
    "lt": "Ar rekomenduotumėte mus?",
    "ar": "ما مدى احتمال أن توصي بنا؟",
}
COMMENT_PROMPT = {
    "en": "Why that score?",
    "vi": "Vì sao bạn cho điểm đó?",
    "th": "ทำไมถึงให้คะแนนนั้น",
    "lt": "Kodėl toks įvertinimas?",
    "ar": "لماذا هذا التقييم؟",
}


def nps_question(languages: list[str], key: str = "nps") -> dict[str, Any]:
    return {
        "key": key,
        "kind": "nps",
        "required": True,
        "texts": {lang: {"prompt": NPS_PROMPT[lang]} for lang in languages},
    }


def comment_question(languages: list[str], key: str = "comment") -> dict[str, Any]:
    return {
        "key": key,
        "kind": "open_text",
        "texts": {lang: {"prompt": COMMENT_PROMPT[lang]} for lang in languages},
    }


def csat_question(languages: list[str], key: str = "csat") -> dict[str, Any]:
    return {
        "key": key,
        "kind": "csat",
        "texts": {lang: {"prompt": f"Satisfied? ({lang})"} for lang in languages},
    }


def choice_question(languages: list[str], kind: str, key: str) -> dict[str, Any]:
    options = ["fast", "cheap", "kind"]
    return {
        "key": key,
        "kind": kind,
        "options": [
            {"key": o, "texts": {lang: f"{o}-{lang}" for lang in languages}} for o in options
        ],
        "texts": {lang: {"prompt": f"{key} ({lang})"} for lang in languages},
    }


def survey_body(
    languages: list[str] | None = None,
    *,
    name: str = "Delivery NPS",
    publish: bool = True,
    questions: list[dict[str, Any]] | None = None,
    touchpoint_id: str | None = None,
) -> dict[str, Any]:
    languages = languages or ["en", "vi"]
    return {
        "name": name,
        "default_language": languages[0],
        "languages": languages,
        "texts": {lang: TEXTS[lang] for lang in languages},
        "questions": questions or [nps_question(languages), comment_question(languages)],
        "publish": publish,
        "touchpoint_id": touchpoint_id,
    }


def create_survey(http: httpx.Client, tenant: Tenant, **kwargs: Any) -> dict[str, Any]:
    resp = http.post("/api/v1/surveys", json=survey_body(**kwargs), headers=tenant.headers())
    assert resp.status_code == 201, resp.text
    body: dict[str, Any] = resp.json()
    return body


def make_touchpoint(http: httpx.Client, tenant: Tenant, channel: str = "app") -> dict[str, Any]:
    journey = http.post(
        "/api/v1/journeys",
        json={"name": "Purchase", "template": "purchase"},
        headers=tenant.headers(),
    )
    assert journey.status_code == 201, journey.text
    stage_id = journey.json()["stages"][1]["id"]
    touchpoint = http.post(
        "/api/v1/touchpoints",
        json={"stage_id": stage_id, "name": "Delivery", "channel": channel},
        headers=tenant.headers(),
    )
    assert touchpoint.status_code == 201, touchpoint.text
    body: dict[str, Any] = touchpoint.json()
    return body


def token_of(survey: dict[str, Any]) -> str:
    return str(survey["public_url"]).rsplit("/s/", 1)[1]


def responses_of(http: httpx.Client, tenant: Tenant, survey_id: str) -> list[dict[str, Any]]:
    resp = http.get("/api/v1/responses", params={"survey_id": survey_id}, headers=tenant.headers())
    assert resp.status_code == 200, resp.text
    items: list[dict[str, Any]] = resp.json()["items"]
    return items


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "no CSRF field on the page"
    return found.group(1)


def log_in(http: httpx.Client, email: str, password: str) -> None:
    """Logs the client in through the login form (the session cookie stays in the client)."""
    csrf = csrf_of(http.get("/login").text)
    resp = http.post("/login", data={"email": email, "password": password, "csrf": csrf})
    assert resp.status_code == 303, resp.text

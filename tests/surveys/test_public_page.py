"""The public survey page over real HTTP: language choice, links, validation, double submits."""

from __future__ import annotations

import html
import re
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from sqlalchemy.orm import Session

from cxloop.core.settings import Settings
from tests.factories import make_tenant
from tests.surveys.helpers import (
    NPS_PROMPT,
    TEXTS,
    choice_question,
    comment_question,
    create_survey,
    make_touchpoint,
    nps_question,
    responses_of,
    token_of,
)


def hidden(page: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert found, f"no hidden field {name}"
    return html.unescape(found.group(1))


def answer(
    http: httpx.Client, token: str, answers: dict[str, Any], **headers: str
) -> tuple[httpx.Response, dict[str, Any]]:
    """Opens the form like a browser would, then posts it with these answers."""
    page = http.get(f"/s/{token}", headers=headers)
    assert page.status_code == 200, page.text
    form: dict[str, Any] = {
        "lang": hidden(page.text, "lang"),
        "submission_id": hidden(page.text, "submission_id"),
        "website": "",
    }
    form.update({f"a.{key}": value for key, value in answers.items()})
    return http.post(f"/s/{token}", data=form, headers=headers), form


def personal_link(http: httpx.Client, headers: dict[str, str], survey_id: str, **body: str) -> str:
    resp = http.post(f"/api/v1/surveys/{survey_id}/links", json=body, headers=headers)
    assert resp.status_code == 201, resp.text
    return str(resp.json()["url"]).rsplit("/s/", 1)[1]


def signed_days_ago(secret: str, payload: dict[str, str], days: int) -> str:
    """A personal-link token signed with the app's key as if made ``days`` ago."""

    class Backdated(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) - days * 86400

    return URLSafeTimedSerializer(secret, salt="survey-link", signer=Backdated).dumps(payload)


def test_language_comes_from_lang_then_browser_then_default(
    db: Session, http: httpx.Client
) -> None:
    tenant = make_tenant(db)
    survey = create_survey(http, tenant, languages=["en", "vi", "th"])
    token = token_of(survey)

    page = http.get(f"/s/{token}", params={"lang": "vi"})
    assert page.status_code == 200
    assert '<html lang="vi" dir="ltr">' in page.text
    assert NPS_PROMPT["vi"] in page.text and TEXTS["vi"]["title"] in page.text
    assert ">Gửi<" in page.text  # the submit button in Vietnamese

    browser_vi = {"Accept-Language": "vi-VN,vi;q=0.9,en;q=0.8"}
    page = http.get(f"/s/{token}", headers=browser_vi)
    assert '<html lang="vi"' in page.text and NPS_PROMPT["vi"] in page.text

    # quality values rank the browser's languages; an unsupported first choice is skipped
    page = http.get(f"/s/{token}", headers={"Accept-Language": "de-DE, en;q=0.3, th;q=0.7"})
    assert '<html lang="th"' in page.text and NPS_PROMPT["th"] in page.text

    # ?lang= beats the browser
    page = http.get(f"/s/{token}", params={"lang": "th"}, headers=browser_vi)
    assert '<html lang="th"' in page.text

    # unknown or malformed languages fall back silently to the survey's default
    for lang in ("xx", "de", "<script>", ""):
        page = http.get(f"/s/{token}", params={"lang": lang}, headers={"Accept-Language": "fr"})
        assert page.status_code == 200, lang
        assert '<html lang="en"' in page.text and NPS_PROMPT["en"] in page.text
    page = http.get(f"/s/{token}", headers={"Accept-Language": "garbage;q=abc,,*;q=0.1"})
    assert page.status_code == 200 and '<html lang="en"' in page.text


def test_page_chrome_is_translated_and_rtl_languages_flow_right_to_left(
    db: Session, http: httpx.Client
) -> None:
    tenant = make_tenant(db)
    survey = create_survey(http, tenant, languages=["en", "lt", "ar"])
    token = token_of(survey)
    lt = http.get(f"/s/{token}", params={"lang": "lt"}).text
    assert ">Pateikti<" in lt and "Tikrai rekomenduočiau" in lt and "privaloma" in lt
    ar = http.get(f"/s/{token}", params={"lang": "ar"}).text
    assert '<html lang="ar" dir="rtl">' in ar and NPS_PROMPT["ar"] in ar
    en = http.get(f"/s/{token}").text
    assert "Not at all likely" in en and "Extremely likely" in en
    # the 0-10 row: eleven radio buttons
    assert len(re.findall(r'type="radio" name="a\.nps"', en)) == 11


def test_survey_texts_are_escaped(db: Session, http: httpx.Client) -> None:
    tenant = make_tenant(db)
    body_question = nps_question(["en"])
    body_question["texts"]["en"]["prompt"] = "<script>alert(1)</script> Recommend?"
    survey = create_survey(http, tenant, languages=["en"], questions=[body_question])
    page = http.get(f"/s/{token_of(survey)}").text
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Recommend?" in page


def test_answer_in_vietnamese_is_stored_and_thanked(db: Session, http: httpx.Client) -> None:
    tenant = make_tenant(db)
    survey = create_survey(http, tenant, languages=["en", "vi"])
    token = token_of(survey)
    comment = "Giao hàng nhanh nhưng nhân viên chưa thân thiện"
    resp, _ = answer(http, token, {"nps": "9", "comment": comment}, **{"Accept-Language": "vi"})
    assert resp.status_code == 303
    assert resp.headers["location"] == f"/s/{token}/thanks?lang=vi"
    thanks = http.get(resp.headers["location"])
    assert thanks.status_code == 200 and TEXTS["vi"]["thanks"] in thanks.text
    assert '<html lang="vi"' in thanks.text

    [stored] = responses_of(http, tenant, survey["id"])
    assert stored["language"] == "vi"
    assert stored["answers"] == {"nps": 9, "comment": comment}
    assert stored["source"] == "link" and stored["channel"] == "web"
    assert stored["contact_id"] is None


def test_channel_comes_from_the_touchpoint(db: Session, http: httpx.Client) -> None:
    tenant = make_tenant(db)
    touchpoint = make_touchpoint(http, tenant, channel="app")
    survey = create_survey(http, tenant, touchpoint_id=touchpoint["id"])
    resp, _ = answer(http, token_of(survey), {"nps": "3"})
    assert resp.status_code == 303
    [stored] = responses_of(http, tenant, survey["id"])
    assert stored["channel"] == "app" and stored["touchpoint_id"] == touchpoint["id"]


def test_errors_are_shown_next_to_questions_in_the_respondents_language(
    db: Session, http: httpx.Client
) -> None:
    tenant = make_tenant(db)
    languages = ["en", "vi"]
    questions = [
        nps_question(languages),
        choice_question(languages, "single_choice", "why"),
        choice_question(languages, "multiple_choice", "liked"),
        comment_question(languages),
    ]
    survey = create_survey(http, tenant, languages=languages, questions=questions)
    token = token_of(survey)
    comment = "Nhân viên <b>dễ thương</b>"
    resp, form = answer(
        http,
        token,
        {"comment": comment, "liked": ["fast", "kind"], "why": "cheap"},
        **{"Accept-Language": "vi"},
    )
    assert resp.status_code == 422
    page = resp.text
    # the error sits inside the nps question, in Vietnamese; the other answers are kept
    nps_block = page.split('id="q-nps"', 1)[1].split("</fieldset>", 1)[0]
    assert "Vui lòng trả lời câu hỏi này." in nps_block
    assert "Nhân viên &lt;b&gt;dễ thương&lt;/b&gt;</textarea>" in page
    assert re.search(r'value="fast" checked', page) and re.search(r'value="kind" checked', page)
    assert re.search(r'value="cheap" checked', page)
    assert hidden(page, "submission_id") == form["submission_id"]
    assert responses_of(http, tenant, survey["id"]) == []

    form["a.nps"] = "11"
    page = http.post(f"/s/{token}", data=form).text
    assert "Hãy chọn một số từ 0 đến 10." in page
    form["a.nps"] = "10"
    form["a.why"] = "not-an-option"
    page = http.post(f"/s/{token}", data=form).text
    assert "Hãy chọn một trong các lựa chọn." in page
    assert responses_of(http, tenant, survey["id"]) == []


def test_double_submit_stores_one_response(db: Session, http: httpx.Client, server: str) -> None:
    tenant = make_tenant(db)
    survey = create_survey(http, tenant)
    token = token_of(survey)
    first, form = answer(http, token, {"nps": "8"})
    assert first.status_code == 303
    again = http.post(f"/s/{token}", data=form)
    assert again.status_code == 303  # the respondent still sees the thank-you page

    page = http.get(f"/s/{token}").text
    form = {"lang": "en", "submission_id": hidden(page, "submission_id"), "a.nps": "6"}
    with ThreadPoolExecutor(4) as pool:
        statuses = list(
            pool.map(lambda _: httpx.post(f"{server}/s/{token}", data=form).status_code, range(4))
        )
    assert statuses == [303] * 4
    stored = responses_of(http, tenant, survey["id"])
    assert sorted(r["answers"]["nps"] for r in stored) == [6, 8]


def test_filled_honeypot_is_ignored_quietly(db: Session, http: httpx.Client) -> None:
    tenant = make_tenant(db)
    survey = create_survey(http, tenant)
    page = http.get(f"/s/{token_of(survey)}").text
    form = {"submission_id": hidden(page, "submission_id"), "a.nps": "10", "website": "http://spam"}
    resp = http.post(f"/s/{token_of(survey)}", data=form)
    assert resp.status_code == 303 and "/thanks" in resp.headers["location"]
    assert responses_of(http, tenant, survey["id"]) == []


def test_personal_link_ties_the_answer_to_its_contact_and_language(
    db: Session, http: httpx.Client
) -> None:
    tenant = make_tenant(db)
    survey = create_survey(http, tenant, languages=["en", "vi", "lt"])
    contact = http.post(
        "/api/v1/contacts",
        json={"email": "an@example.com", "name": "An", "language": "lt"},
        headers=tenant.headers(),
    )
    assert contact.status_code == 201, contact.text
    token = personal_link(
        http, tenant.headers(), survey["id"], contact_id=contact.json()["id"], language="lt"
    )

    # the link's language beats the browser's; ?lang= beats both
    assert '<html lang="lt"' in http.get(f"/s/{token}").text
    assert '<html lang="lt"' in http.get(f"/s/{token}", headers={"Accept-Language": "vi"}).text
    assert '<html lang="vi"' in http.get(f"/s/{token}", params={"lang": "vi"}).text

    resp, _ = answer(http, token, {"nps": "4", "comment": "Per lėtai"})
    assert resp.status_code == 303 and resp.headers["location"].endswith("?lang=lt")
    [stored] = responses_of(http, tenant, survey["id"])
    assert stored["contact_id"] == contact.json()["id"] and stored["language"] == "lt"


def test_personal_link_requests_are_checked(db: Session, http: httpx.Client) -> None:
    tenant = make_tenant(db)
    survey = create_survey(http, tenant)
    url = f"/api/v1/surveys/{survey['id']}/links"
    resp = http.post(url, json={"language": "th"}, headers=tenant.headers())
    assert resp.status_code == 422 and "language" in resp.json()["error"]["message"]
    resp = http.post(url, json={"contact_id": "nobody"}, headers=tenant.headers())
    assert resp.status_code == 404 and "nobody" in resp.json()["error"]["message"]
    other = make_tenant(db, "Other")
    resp = http.post(url, json={}, headers=other.headers())
    assert resp.status_code == 404


def test_expired_and_forged_links_get_friendly_pages(
    db: Session, http: httpx.Client, settings: Settings
) -> None:
    tenant = make_tenant(db)
    survey = create_survey(http, tenant)
    good = personal_link(http, tenant.headers(), survey["id"])
    assert http.get(f"/s/{good}").status_code == 200

    max_age = settings.survey_link_max_age_days
    still_valid = signed_days_ago(settings.signing_key, {"s": survey["id"]}, max_age - 1)
    assert http.get(f"/s/{still_valid}").status_code == 200
    expired = signed_days_ago(settings.signing_key, {"s": survey["id"]}, max_age + 1)
    for method in ("get", "post"):
        resp = http.request(
            method.upper(), f"/s/{expired}", data={"a.nps": "9"} if method == "post" else None
        )
        assert resp.status_code == 410
        assert "This link has expired" in resp.text and "Traceback" not in resp.text
        assert resp.headers["content-type"].startswith("text/html")
    vi = http.get(f"/s/{expired}", headers={"Accept-Language": "vi"})
    assert vi.status_code == 410 and "Liên kết này đã hết hạn" in vi.text

    forged = good[:-3] + ("AAA" if not good.endswith("AAA") else "BBB")
    other_key = URLSafeTimedSerializer("not-our-secret", salt="survey-link").dumps(
        {"s": survey["id"]}
    )
    for token in (forged, other_key, "no-such-token", "a.b.c"):
        resp = http.get(f"/s/{token}")
        assert resp.status_code == 404, token
        assert "This link is not valid" in resp.text
    assert responses_of(http, tenant, survey["id"]) == []


def test_closed_and_draft_surveys_do_not_take_answers(db: Session, http: httpx.Client) -> None:
    tenant = make_tenant(db)
    survey = create_survey(http, tenant)
    token = token_of(survey)
    page = http.get(f"/s/{token}").text
    closed = http.post(
        f"/api/v1/surveys/{survey['id']}/status",
        json={"status": "closed"},
        headers=tenant.headers(),
    )
    assert closed.status_code == 200
    resp = http.post(
        f"/s/{token}", data={"submission_id": hidden(page, "submission_id"), "a.nps": "9"}
    )
    assert resp.status_code == 410 and "This survey is closed" in resp.text
    assert http.get(f"/s/{token}").status_code == 410

    draft = create_survey(http, tenant, publish=False)
    resp = http.get(f"/s/{token_of(draft)}", headers={"Accept-Language": "th"})
    assert resp.status_code == 404 and "แบบสำรวจนี้ยังไม่เปิด" in resp.text

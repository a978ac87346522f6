"""Multi-page public surveys: each page saved as the respondent advances, resumed later,
completed on the last page; prefilled one-click scores; language choice by contact."""

from __future__ import annotations

import html
import re
from typing import Any

import httpx
from sqlalchemy.orm import Session

from tests.factories import make_tenant
from tests.surveys.helpers import (
    NPS_PROMPT,
    comment_question,
    create_survey,
    csat_question,
    nps_question,
    responses_of,
    token_of,
)


def hidden(page: str, name: str) -> str:
    found = re.search(rf'name="{re.escape(name)}" value="([^"]*)"', page)
    assert found, f"no hidden field {name}"
    return html.unescape(found.group(1))


def paged_survey(http: httpx.Client, tenant: Any, languages: list[str]) -> dict[str, Any]:
    """NPS alone on page 1, then CSAT, then the comment: three pages."""
    questions = [
        nps_question(languages),
        {**csat_question(languages), "page_break": True},
        {**comment_question(languages), "page_break": True},
    ]
    return create_survey(http, tenant, languages=languages, questions=questions)


def send(http: httpx.Client, url: str, page: str, answers: dict[str, str]) -> httpx.Response:
    """Posts the page shown (its hidden fields) with these answers, as a browser would."""
    form = {
        name: html.unescape(value)
        for name, value in re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', page)
    }
    form["website"] = ""
    form.update({f"a.{k}": v for k, v in answers.items()})
    return http.post(url, data=form)


def partials(http: httpx.Client, headers: dict[str, str], **params: str) -> list[dict[str, Any]]:
    resp = http.get("/api/v1/responses/partial", params=params, headers=headers)
    assert resp.status_code == 200, resp.text
    items: list[dict[str, Any]] = resp.json()["items"]
    return items


def nps_n(http: httpx.Client, headers: dict[str, str]) -> int:
    resp = http.get("/api/v1/metrics/nps", headers=headers)
    assert resp.status_code == 200, resp.text
    return int(resp.json()["n"])


def test_partial_response_survives_leaving_after_page_one_and_completes_later(
    db: Session, http: httpx.Client, server: str
) -> None:
    tenant = make_tenant(db)
    h = tenant.headers()
    survey = paged_survey(http, tenant, ["en", "vi"])
    url = f"/s/{token_of(survey)}"

    first = http.get(url)
    assert "Page 1 of 3" in first.text and ">Next<" in first.text
    assert NPS_PROMPT["en"] in first.text and "Satisfied?" not in first.text

    # a required answer missing: the page says so and nothing is saved
    empty = send(http, url, first.text, {})
    assert empty.status_code == 422 and "Please answer this question." in empty.text
    assert partials(http, h, survey_id=survey["id"]) == []

    moved = send(http, url, first.text, {"nps": "3"})
    assert moved.status_code == 303
    next_url = moved.headers["location"]
    assert "page=2" in next_url and "sid=" in next_url

    # the respondent leaves: the answer is stored as a partial response, not in metrics
    [partial] = partials(http, h, survey_id=survey["id"])
    assert partial["status"] == "in_progress" and partial["answers"] == {"nps": "3"}
    assert partial["page"] == 2 and partial["response_id"] is None
    assert responses_of(http, tenant, survey["id"]) == [] and nps_n(http, h) == 0

    # later, another browser opens the same link: page 2, with page 1 kept behind "Back"
    with httpx.Client(base_url=server, timeout=30) as later:
        second = later.get(next_url)
        assert second.status_code == 200 and "Page 2 of 3" in second.text
        assert "Satisfied? (en)" in second.text and NPS_PROMPT["en"] not in second.text
        back = re.search(r'href="([^"]+)" rel="prev"', second.text)
        assert back
        again = later.get(html.unescape(back.group(1))).text
        assert re.search(r'name="a\.nps" value="3" checked', again)

        third = later.get(send(later, url, second.text, {"csat": "4"}).headers["location"])
        assert "Page 3 of 3" in third.text and ">Submit<" in third.text
        done = send(later, url, third.text, {"comment": "Sehr gut, cảm ơn"})
        assert done.status_code == 303 and "/thanks" in done.headers["location"]
        # a repeated last page (double click) stores nothing more
        assert send(later, url, third.text, {"comment": "again"}).status_code == 303

    [stored] = responses_of(http, tenant, survey["id"])
    assert stored["answers"] == {"nps": 3, "csat": 4, "comment": "Sehr gut, cảm ơn"}
    assert stored["duration_seconds"] is not None
    [partial] = partials(http, h, survey_id=survey["id"])
    assert partial["status"] == "completed" and partial["response_id"] == stored["id"]
    assert nps_n(http, h) == 1
    # the survey page shows the funnel
    assert partials(http, h, status="in_progress") == []


def test_personal_link_resumes_and_contact_language_beats_the_browser(
    db: Session, http: httpx.Client
) -> None:
    tenant = make_tenant(db)
    h = tenant.headers()
    survey = paged_survey(http, tenant, ["en", "vi", "th"])
    contact = http.post(
        "/api/v1/contacts", json={"email": "lan@example.com", "language": "vi"}, headers=h
    ).json()
    link = http.post(
        f"/api/v1/surveys/{survey['id']}/links", json={"contact_id": contact["id"]}, headers=h
    )
    url = "/s/" + link.json()["url"].rsplit("/s/", 1)[1]

    # no language in the link: the contact's (vi) beats the browser's (th); ?lang= beats both
    thai_browser = {"Accept-Language": "th-TH,th;q=0.9"}
    first = http.get(url, headers=thai_browser)
    assert '<html lang="vi"' in first.text and NPS_PROMPT["vi"] in first.text
    assert '<html lang="th"' in http.get(url, params={"lang": "th"}, headers=thai_browser).text

    assert send(http, url, first.text, {"nps": "9"}).status_code == 303
    # opening the personal link again continues where the contact left off
    resumed = http.get(url)
    assert "Trang 2/3" in resumed.text and "Satisfied? (vi)" in resumed.text
    # switching language keeps the place
    switch = re.search(r'href="(\?lang=th[^"]*)"', resumed.text)
    assert switch and "sid=" in switch.group(1)
    thai = http.get(url + html.unescape(switch.group(1)))
    assert '<html lang="th"' in thai.text and "หน้า 2 จาก 3" in thai.text
    [partial] = partials(http, h, survey_id=survey["id"])
    assert partial["contact_id"] == contact["id"] and partial["language"] == "vi"


def test_one_click_score_is_prefilled_and_the_invitation_travels(
    db: Session, http: httpx.Client
) -> None:
    tenant = make_tenant(db)
    survey = paged_survey(http, tenant, ["en"])
    url = f"/s/{token_of(survey)}"
    page = http.get(url, params={"nps": "7", "inv": "invitation-token-1", "h.store": "S12"})
    assert re.search(r'name="a\.nps" value="7" checked', page.text)
    assert hidden(page.text, "inv") == "invitation-token-1"
    assert hidden(page.text, "h.store") == "S12"
    # an out-of-range score is ignored, never an error
    assert "checked" not in http.get(url, params={"nps": "11"}).text

    moved = send(http, url, page.text, {"nps": "7"})
    assert "inv=invitation-token-1" in moved.headers["location"]
    second = http.get(moved.headers["location"])
    assert hidden(second.text, "inv") == "invitation-token-1"
    third = http.get(send(http, url, second.text, {}).headers["location"])
    assert send(http, url, third.text, {"comment": "ok"}).status_code == 303
    [stored] = responses_of(http, tenant, survey["id"])
    assert stored["answers"] == {"nps": 7, "comment": "ok"}
    assert stored["hidden"] == {"store": "S12"}


def test_partials_are_private_to_their_workspace(db: Session, http: httpx.Client) -> None:
    tenant = make_tenant(db)
    survey = paged_survey(http, tenant, ["en"])
    url = f"/s/{token_of(survey)}"
    moved = send(http, url, http.get(url).text, {"nps": "5"})
    other = make_tenant(db, "Other")
    assert partials(http, other.headers()) == []
    assert partials(http, other.headers(), survey_id=survey["id"]) == []
    # another survey's submission id does not open this one's partial
    second = create_survey(http, other, languages=["en"])
    sid = re.search(r"sid=([^&]+)", moved.headers["location"])
    assert sid
    page = http.get(f"/s/{token_of(second)}", params={"sid": sid.group(1), "page": "2"})
    assert page.status_code == 200 and hidden(page.text, "submission_id") != sid.group(1)
    assert http.get("/api/v1/responses/partial").status_code == 401

"""Survey admin pages with a logged-in user: list, create from a template, publish, edit, links."""

from __future__ import annotations

import html
import re

import httpx
from sqlalchemy.orm import Session

from cxloop.accounts import service as accounts
from cxloop.core.security import Role
from tests.factories import Tenant, make_tenant
from tests.surveys.helpers import create_survey, csrf_of, log_in, make_touchpoint, token_of


def textarea(page: str) -> str:
    """The definition textarea's text, as the browser would show it."""
    inner = page.split('name="definition"', 1)[1].split(">", 1)[1].split("</textarea>")[0]
    return html.unescape(inner)


def admin_client(http: httpx.Client, tenant: Tenant) -> str:
    """Logs the tenant's owner in; returns a CSRF token for forms."""
    log_in(http, tenant.email, tenant.password)
    return csrf_of(http.get("/app/surveys").text)


def test_list_shows_status_languages_counts_and_links(db: Session, http: httpx.Client) -> None:
    tenant = make_tenant(db)
    touchpoint = make_touchpoint(http, tenant, channel="app")
    survey = create_survey(http, tenant, languages=["en", "vi"], touchpoint_id=touchpoint["id"])
    for score in (9, 4):
        http.post(
            "/api/v1/responses",
            json={"survey_id": survey["id"], "answers": {"nps": score}},
            headers=tenant.headers(),
        )
    assert http.get("/app/surveys").status_code == 303  # not logged in: to the login page

    admin_client(http, tenant)
    page = http.get("/app/surveys").text
    row = page.split(f'id="survey-{survey["id"]}"', 1)[1].split("</tr>", 1)[0]
    assert "Delivery NPS" in row and ">live<" in row and "Delivery (app)" in row
    assert ">en*<" in row and ">vi<" in row
    assert re.search(r'class="num">1</td>\s*<td class="num">2</td>', row)  # version 1, 2 responses
    assert f"/s/{token_of(survey)}" in row
    assert "New survey" in page


def test_create_from_template_publish_and_answer(db: Session, http: httpx.Client) -> None:
    tenant = make_tenant(db)
    touchpoint = make_touchpoint(http, tenant, channel="store")
    csrf = admin_client(http, tenant)
    form = http.get("/app/surveys/new").text
    for name in ("NPS with a reason", "CSAT after support", "CES after checkout", "Post-purchase"):
        assert name in form
    assert "Delivery (store)" in form

    resp = http.post(
        "/app/surveys/new",
        data={
            "csrf": csrf,
            "name": "Store visit",
            "template": "post_purchase",
            "touchpoint_id": touchpoint["id"],
            "default_language": "vi",
            "languages": ["th", "lt"],
        },
    )
    assert resp.status_code == 303, resp.text
    detail_url = resp.headers["location"].split("?")[0]
    detail = http.get(resp.headers["location"]).text
    assert "Survey created" in detail and ">draft<" in detail
    assert "Đơn hàng gần đây của bạn" in detail and "การซื้อล่าสุดของคุณ" in detail
    assert "Kaip mus radote?" in detail

    survey_id = detail_url.rsplit("/", 1)[1]
    published = http.post(f"{detail_url}/status", data={"csrf": csrf, "status": "live"})
    assert published.status_code == 303
    assert ">live<" in http.get(published.headers["location"]).text

    survey = http.get(f"/api/v1/surveys/{survey_id}", headers=tenant.headers()).json()
    assert survey["languages"] == ["vi", "th", "lt"] and survey["touchpoint_id"] == touchpoint["id"]
    page = http.get(f"/s/{token_of(survey)}", headers={"Accept-Language": "th-TH"}).text
    assert '<html lang="th"' in page and "คุณรู้จักเราจากที่ใด" in page and "เครื่องมือค้นหา" in page


def test_new_survey_form_errors_are_shown(db: Session, http: httpx.Client) -> None:
    tenant = make_tenant(db)
    csrf = admin_client(http, tenant)
    resp = http.post("/app/surveys/new", data={"csrf": csrf, "name": "", "template": "nps"})
    assert resp.status_code == 422 and "name" in resp.text
    resp = http.post("/app/surveys/new", data={"csrf": csrf, "name": "X", "template": "quiz"})
    assert resp.status_code == 422 and "choose one of" in resp.text
    resp = http.post(
        "/app/surveys/new",
        data={"csrf": csrf, "name": "X", "template": "nps", "default_language": "de"},
    )
    assert resp.status_code == 422 and "missing translations" in resp.text
    resp = http.post("/app/surveys/new", data={"name": "X", "template": "nps"})
    assert resp.status_code == 403  # no CSRF token
    assert http.get("/api/v1/surveys", headers=tenant.headers()).json() == []


def test_edit_definition_as_json(db: Session, http: httpx.Client) -> None:
    tenant = make_tenant(db)
    survey = create_survey(http, tenant, languages=["en", "vi"])
    csrf = admin_client(http, tenant)
    url = f"/app/surveys/{survey['id']}"
    page = http.get(url).text
    definition = textarea(page)
    assert '"questions"' in definition and "Bạn có sẵn lòng" in definition

    broken = http.post(f"{url}/edit", data={"csrf": csrf, "definition": definition[:-5]})
    assert broken.status_code == 422 and "malformed JSON" in broken.text
    assert textarea(broken.text) == definition[:-5]  # kept as typed, to fix

    dupes = definition.replace('"key": "comment"', '"key": "nps"')
    resp = http.post(f"{url}/edit", data={"csrf": csrf, "definition": dupes})
    assert resp.status_code == 422 and "duplicate keys nps" in resp.text

    changed = definition.replace("How likely are you to recommend us?", "Would you recommend us?")
    saved = http.post(f"{url}/edit", data={"csrf": csrf, "definition": changed})
    assert saved.status_code == 303
    detail = http.get(saved.headers["location"]).text
    assert "Saved as version 2" in detail and "Would you recommend us?" in detail
    versions = http.get(f"/api/v1/surveys/{survey['id']}/versions", headers=tenant.headers()).json()
    assert [v["number"] for v in versions] == [2, 1]


def test_personal_link_generator(db: Session, http: httpx.Client) -> None:
    tenant = make_tenant(db)
    survey = create_survey(http, tenant, languages=["en", "vi"])
    csrf = admin_client(http, tenant)
    resp = http.post(f"/app/surveys/{survey['id']}/links", data={"csrf": csrf, "language": "vi"})
    assert resp.status_code == 200
    url = re.search(r'value="(http[^"]+/s/[^"]+)" aria-label="Personal link"', resp.text)
    assert url and url.group(1) != survey["public_url"]
    token = html.unescape(url.group(1)).rsplit("/s/", 1)[1]
    assert '<html lang="vi"' in http.get(f"/s/{token}").text

    resp = http.post(
        f"/app/surveys/{survey['id']}/links", data={"csrf": csrf, "contact_id": "ghost"}
    )
    assert resp.status_code == 422 and "contact" in resp.text and "ghost" in resp.text


def test_viewer_reads_but_cannot_change(db: Session, http: httpx.Client) -> None:
    tenant = make_tenant(db)
    survey = create_survey(http, tenant)
    email = f"viewer-{tenant.workspace.slug}@example.com"
    accounts.create_user(db, email, "viewer password", workspace=tenant.workspace, role=Role.viewer)
    db.commit()
    log_in(http, email, "viewer password")
    listing = http.get("/app/surveys").text
    assert "Delivery NPS" in listing and "New survey" not in listing and "Make link" not in listing
    detail = http.get(f"/app/surveys/{survey['id']}").text
    assert "Versions" in detail and 'name="definition"' not in detail and ">Close<" not in detail
    csrf = csrf_of(listing)
    assert http.get("/app/surveys/new").status_code == 403
    resp = http.post(f"/app/surveys/{survey['id']}/status", data={"csrf": csrf, "status": "closed"})
    assert resp.status_code == 403
    assert (
        http.get(f"/api/v1/surveys/{survey['id']}", headers=tenant.headers()).json()["status"]
        == "live"
    )

    other = make_tenant(db, "Other")
    theirs = create_survey(http, other)
    assert http.get(f"/app/surveys/{theirs['id']}").status_code == 404

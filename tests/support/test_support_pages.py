"""The support page: times in calendar and business hours, groups, and the calendar form."""

from __future__ import annotations

import re

import httpx
from sqlalchemy.orm import Session

from cxloop.accounts import service as accounts
from cxloop.core.security import Role
from tests.contacts.web import csrf_of, login
from tests.factories import make_tenant
from tests.support.test_support_metrics import build

PERIOD = {"from": "2026-11-01", "to": "2026-11-30"}
ROUND_THE_CLOCK = {d: "00:00-24:00" for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


def tile(html: str, name: str) -> str:
    return html.split(f'id="tile-{name}"')[1].split("</article>")[0]


def test_support_page_shows_times_in_calendar_and_business_hours(
    db: Session, http: httpx.Client
) -> None:
    tenant = make_tenant(db, "Support page")
    build(http, tenant)
    login(http, tenant)
    page = http.get("/app/support", params={**PERIOD, "by": "channel"})
    assert page.status_code == 200, page.text
    first = tile(page.text, "first-response")
    # T1 18 h, T2 0.5 h: median 9.25 h; business hours 1 h and 0.5 h: median 1.25 h
    assert '<p class="value">9.2 h</p>' in first
    assert "business hours: median 1.2 h" in first
    assert "1 still waiting" in first  # T3 has no reply
    resolution = tile(page.text, "resolution")
    assert "median; mean 38.0 h" in resolution and "mean 14.0 h" in resolution
    assert '<p class="value">50.0%</p>' in tile(page.text, "reopen")
    rows = re.findall(r'<tr><th scope="row">(\w+)</th><td class="num">(\d+)</td>', page.text)
    assert rows == [("email", "2"), ("chat", "1")]
    assert 'action="/app/support/calendar"' in page.text


def test_the_calendar_form_saves_and_explains_mistakes(db: Session, http: httpx.Client) -> None:
    tenant = make_tenant(db, "Support calendar page")
    build(http, tenant)
    login(http, tenant)
    csrf = csrf_of(http.get("/app/support").text)
    form = {"csrf": csrf, "timezone": "UTC", "holidays": "", **ROUND_THE_CLOCK}
    saved = http.post("/app/support/calendar", data=form)
    assert saved.status_code == 303
    page = http.get("/app/support", params=PERIOD).text
    assert "Business calendar saved" not in page  # only right after saving
    # working all day every day: business hours equal calendar hours
    assert "business hours: median 9.2 h" in tile(page, "first-response")
    assert 'name="sun" value="00:00-24:00"' in page

    cases = {
        "mon": ("17:00-09:00", "Monday: end 09:00 must be after start 17:00"),
        "tue": ("nine to five", "Tuesday: &#39;nine to five&#39; is not like 09:00-17:00"),
        "holidays": ("2026-13-01", "Holidays: &#39;2026-13-01&#39; is not a date"),
        "timezone": ("Mars/Olympus", "Time zone: unknown time zone &#39;Mars/Olympus&#39;"),
    }
    for field, (value, message) in cases.items():
        bad = http.post("/app/support/calendar", data={**form, field: value})
        assert bad.status_code == 422, field
        assert message in bad.text, (field, bad.text[-3000:])
        assert f'value="{value}"' in bad.text or f">{value}</textarea>" in bad.text  # kept
    overlap = http.post("/app/support/calendar", data={**form, "wed": "09:00-13:00, 12:00-17:00"})
    assert overlap.status_code == 422 and "Wednesday: working intervals overlap" in overlap.text
    split_day = {**form, "mon": "9:00-12:00, 13:00-17:00", "holidays": "2026-12-25\n2026-12-26"}
    assert http.post("/app/support/calendar", data=split_day).status_code == 303
    page = http.get("/app/support").text
    assert 'name="mon" value="09:00-12:00, 13:00-17:00"' in page
    assert "2026-12-25\n2026-12-26</textarea>" in page


def test_viewer_sees_the_calendar_but_cannot_change_it(db: Session, http: httpx.Client) -> None:
    tenant = make_tenant(db, "Support viewer")
    email = f"viewer-{tenant.workspace.slug}@example.com"
    accounts.create_user(db, email, "viewer password", workspace=tenant.workspace, role=Role.viewer)
    db.commit()
    tenant.email, tenant.password = email, "viewer password"
    login(http, tenant)
    page = http.get("/app/support")
    assert page.status_code == 200
    assert 'action="/app/support/calendar"' not in page.text
    assert "<dt>Monday</dt><dd>09:00-17:00</dd>" in page.text
    refused = http.post(
        "/app/support/calendar", data={"csrf": csrf_of(page.text), "timezone": "UTC"}
    )
    assert refused.status_code == 403
    bad_group = http.get("/app/support", params={"by": "weather"})
    assert bad_group.status_code == 422 and "by" in bad_group.text

"""The dashboard page (/app) over real HTTP, logged in like a person: tiles, trend, tables,
comments (escaped), filters, tenancy and the empty state."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy.orm import Session

from cxloop.cases import service as cases
from cxloop.cases.schemas import CaseCreate, RootCauseCreate, Transition
from cxloop.cases.teams import create_root_cause
from tests.factories import Tenant, make_tenant
from tests.metrics.factories import Program, add_nps_mix, add_response, make_program

RECENT = datetime.now(UTC) - timedelta(days=2)


def login(http: httpx.Client, tenant: Tenant) -> None:
    form = http.get("/login")
    match = re.search(r'name="csrf" value="([^"]+)"', form.text)
    assert match, "the login form carries a CSRF token"
    resp = http.post(
        "/login",
        data={"email": tenant.email, "password": tenant.password, "csrf": match.group(1)},
    )
    assert resp.status_code == 303


def section(html: str, element_id: str) -> str:
    """The HTML of the element with this id, up to its closing tag (article/section)."""
    start = html.index(f'id="{element_id}"')
    end = min(i for i in (html.find("</article>", start), html.find("</section>", start)) if i > 0)
    return html[start:end]


def text_of(fragment: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", fragment).split())


def seed(db: Session, tenant: Tenant) -> Program:
    """Checkout (web): 30P 10pass 10D; Delivery (phone): 5P 5pass 20D; 4 CSAT answers.

    Overall NPS: P=35, D=30, n=80 -> 6.25; adjusted Wald (n'=83, P'=35.75, D'=30.75):
    centre 6.024, half 1.96*100*sqrt((0.801205 - 0.003629)/83) = 19.214 -> [-13.19, 25.24].
    """
    program = make_program(db, tenant.workspace.id)
    add_nps_mix(db, program, promoters=30, passives=10, detractors=10, at=RECENT)
    add_nps_mix(
        db, program, promoters=5, passives=5, detractors=20, touchpoint="Delivery", at=RECENT
    )
    for score in (5, 4, 2, 1):
        add_response(db, program, csat=score, at=RECENT)
    db.commit()
    return program


def test_tiles_show_value_n_and_interval(db: Session, http: httpx.Client) -> None:
    tenant = make_tenant(db)
    seed(db, tenant)
    login(http, tenant)
    page = http.get("/app")
    assert page.status_code == 200
    nps = text_of(section(page.text, "tile-nps"))
    assert "+6" in nps
    assert "n = 80" in nps
    assert "95% interval -13 to +25" in nps
    csat = text_of(section(page.text, "tile-csat"))
    assert "Not enough responses" in csat
    assert "n = 4" in csat
    assert "at least 30 needed" in csat
    ces = text_of(section(page.text, "tile-ces"))
    assert "n = 0" in ces


def test_breakdowns_put_the_worst_touchpoint_first(db: Session, http: httpx.Client) -> None:
    tenant = make_tenant(db)
    seed(db, tenant)
    login(http, tenant)
    html = http.get("/app").text
    touchpoints = text_of(section(html, "by-touchpoint"))
    assert touchpoints.index("Delivery") < touchpoints.index("Checkout")
    assert "Delivery below overall -50" in touchpoints  # interval [-72, -19] is under +6
    assert "Checkout above overall +40" in touchpoints
    channels = text_of(section(html, "by-channel"))
    assert "phone below overall -50" in channels
    assert re.search(r"web above overall \+40 \S+ to \S+ 50", channels)


def test_comments_are_escaped_and_carry_their_context(db: Session, http: httpx.Client) -> None:
    tenant = make_tenant(db)
    program = seed(db, tenant)
    add_response(
        db,
        program,
        nps=3,
        comment="<script>alert(1)</script> Giao hàng chậm",
        touchpoint="Delivery",
        language="vi",
        at=RECENT + timedelta(hours=1),
    )
    db.commit()
    login(http, tenant)
    html = http.get("/app").text
    assert "<script>alert(1)</script>" not in html
    comments = section(html, "comments")
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Giao hàng chậm" in comments
    assert "NPS 3" in text_of(comments)
    assert "Delivery · phone · vi" in text_of(comments)


def test_trend_has_a_json_block_for_the_chart_and_a_table_without_js(
    db: Session, http: httpx.Client
) -> None:
    tenant = make_tenant(db)
    seed(db, tenant)
    login(http, tenant)
    html = http.get("/app").text
    match = re.search(r'<script type="application/json" id="nps-trend-data">(.*?)</script>', html)
    assert match
    chart = json.loads(match.group(1))
    assert len(chart["labels"]) == 52
    week = (RECENT.date() - timedelta(days=RECENT.weekday())).isoformat()
    i = chart["labels"].index(week)
    assert (chart["n"][i], chart["nps"][i]) == (80, 6.25)
    assert chart["low"][i] < 6.25 < chart["high"][i]
    assert sum(chart["n"]) == 80
    assert '<details id="nps-trend-table" open>' in html
    assert re.search(rf"{week}\s*</th>\s*<td[^>]*>\+6</td>", html)


def test_filters_narrow_every_number(db: Session, http: httpx.Client) -> None:
    tenant = make_tenant(db)
    program = seed(db, tenant)
    add_nps_mix(db, program, promoters=0, passives=0, detractors=40, at=RECENT - timedelta(60))
    db.commit()
    login(http, tenant)
    checkout = program.touchpoints["Checkout"].id
    only_checkout = http.get("/app", params={"touchpoint_id": checkout, "days": 30})
    assert "n = 50" in text_of(section(only_checkout.text, "tile-nps"))
    assert f'<option value="{checkout}" selected>Checkout</option>' in only_checkout.text
    by_phone = http.get("/app", params={"channel": "phone"})
    assert "n = 30" in text_of(section(by_phone.text, "tile-nps"))
    last_90 = http.get("/app", params={"days": 90})
    assert "n = 120" in text_of(section(last_90.text, "tile-nps"))
    form_defaults = http.get("/app", params={"days": 30, "touchpoint_id": "", "channel": ""})
    assert "n = 80" in text_of(section(form_defaults.text, "tile-nps"))
    nothing = http.get("/app", params={"channel": "sms"})
    assert "No responses in the last 90 days for these filters" in nothing.text


def test_bad_filters_get_a_clear_error_page(db: Session, http: httpx.Client) -> None:
    tenant, other = make_tenant(db), make_tenant(db, name="Rival")
    their_program = seed(db, other)
    login(http, tenant)
    bad_days = http.get("/app", params={"days": 7})
    assert bad_days.status_code == 422
    assert "days: choose one of 30, 90, 365" in bad_days.text
    foreign = http.get("/app", params={"touchpoint_id": their_program.touchpoints["Checkout"].id})
    assert foreign.status_code == 404
    assert "does not exist" in foreign.text


def test_another_workspace_never_shows(db: Session, http: httpx.Client) -> None:
    tenant, other = make_tenant(db), make_tenant(db, name="Rival")
    seed(db, tenant)
    their_program = seed(db, other)
    add_response(db, their_program, nps=0, comment="Rival secret comment", at=RECENT)
    db.commit()
    login(http, tenant)
    html = http.get("/app").text
    assert "n = 80" in text_of(section(html, "tile-nps"))
    assert "Rival secret comment" not in html


def test_empty_workspace_shows_a_friendly_empty_state(db: Session, http: httpx.Client) -> None:
    tenant = make_tenant(db)
    login(http, tenant)
    page = http.get("/app")
    assert page.status_code == 200
    assert "No responses yet" in page.text
    assert "cxloop demo" in page.text


def test_dashboard_needs_a_login(http: httpx.Client) -> None:
    resp = http.get("/app")
    assert resp.status_code == 303
    assert resp.headers["location"].startswith("/login")


def test_tiles_mark_a_significant_change_against_the_previous_period(
    db: Session, http: httpx.Client
) -> None:
    """Previous 30 days: 10P 10pass 30D (NPS -40); last 30 days: 30P 10pass 10D (+40).
    Var = 100²·[(p+d) - (p-d)²]/n = 10000·(0.8 - 0.16)/50 = 128 each; z = 80/√256 = 5 > 1.96.
    CSAT: 4/4 top box before and 2/4 now: both under the minimum sample, so no claim."""
    tenant = make_tenant(db)
    program = make_program(db, tenant.workspace.id)
    earlier = RECENT - timedelta(days=35)
    add_nps_mix(db, program, promoters=10, passives=10, detractors=30, at=earlier)
    add_nps_mix(db, program, promoters=30, passives=10, detractors=10, at=RECENT)
    for score, at in (
        (5, earlier),
        (5, earlier),
        (4, earlier),
        (4, earlier),
        (5, RECENT),
        (4, RECENT),
        (2, RECENT),
        (1, RECENT),
    ):
        add_response(db, program, csat=score, at=at)
    db.commit()
    login(http, tenant)
    nps = text_of(section(http.get("/app", params={"days": 30}).text, "tile-nps"))
    assert "▲ significant rise +80 points vs the previous 30 days (-40)" in nps
    csat = text_of(section(http.get("/app", params={"days": 30}).text, "tile-csat"))
    assert "significant" not in csat
    steady = make_tenant(db, name="Steady")
    same = make_program(db, steady.workspace.id)
    add_nps_mix(db, same, promoters=20, passives=10, detractors=20, at=earlier)
    add_nps_mix(db, same, promoters=22, passives=10, detractors=18, at=RECENT)
    db.commit()
    http.cookies.clear()
    login(http, steady)
    flat = text_of(section(http.get("/app", params={"days": 30}).text, "tile-nps"))
    assert "No significant change +8 points vs the previous 30 days (0)" in flat


def test_the_closed_loop_card_counts_the_periods_cases(db: Session, http: httpx.Client) -> None:
    tenant = make_tenant(db)
    seed(db, tenant)
    ws = tenant.workspace.id
    cause = create_root_cause(db, ws, RootCauseCreate(name="Late delivery"))
    for title in ("Detractor A", "Detractor B", "Detractor C"):
        case, _ = cases.open_case(db, ws, CaseCreate(title=title), "system")
    for move in (
        Transition(to="open"),
        Transition(to="resolved", root_cause_id=cause.id, resolution="Refunded"),
        Transition(to="closed"),
    ):
        cases.transition(db, ws, case.id, move, "user:someone")
    db.commit()
    login(http, tenant)
    card = text_of(section(http.get("/app").text, "closed-loop"))
    assert "Cases opened 3" in card
    assert "Closed within SLA 33%" in card  # one of three, closed at once
    assert "Response rate \u2013" in card and "of 0 invitations delivered" in card

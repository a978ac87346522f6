"""Case pages over real HTTP, as a browser without JavaScript: the inbox with countdowns, the
manager view against the metrics, the case page with the customer's context, refusals shown on
the page, roles and tenancy, the obstacle report and the settings."""

from __future__ import annotations

import re
from datetime import date, timedelta

import httpx
from sqlalchemy.orm import Session, sessionmaker

from cxloop.cases import metrics, service, sla
from cxloop.cases.models import Case
from cxloop.cases.schemas import CaseCreate, RootCauseCreate, TeamWrite, Transition
from cxloop.cases.teams import create_root_cause, create_team, list_teams
from cxloop.core.database import utcnow
from cxloop.core.security import Role
from cxloop.core.settings import Settings
from cxloop.support.service import calendar_of
from tests.cases.helpers import add_user, csrf, signed_in, worker
from tests.cases.test_cases_api import SURVEY
from tests.factories import make_tenant

EVIL = "<script>alert('x')</script> the parcel arrived broken and late"


def rows(html: str) -> list[str]:
    """The case titles of the inbox table, in order."""
    return re.findall(r'<th scope="row"><a href="/app/cases/\w+">([^<]*)</a>', html)


def test_the_inbox_shows_my_open_cases_most_urgent_first_with_countdowns(
    db: Session, server: str
) -> None:
    tenant = make_tenant(db, "Inbox pages")
    ws = tenant.workspace.id
    me, other = add_user(db, tenant, name="Ann Agent"), add_user(db, tenant, name="Bob")
    normal, _ = service.open_case(db, ws, CaseCreate(title="Normal one", owner_id=me.id), "system")
    urgent, _ = service.open_case(
        db, ws, CaseCreate(title="Urgent one", owner_id=me.id, priority="urgent"), "system"
    )
    late, _ = service.open_case(db, ws, CaseCreate(title="Late one", owner_id=me.id), "system")
    late.opened_at = utcnow() - timedelta(days=30)  # both clocks ran out long ago
    sla.set_due_dates(late, calendar_of(db, ws), sla.policy(db, ws))
    service.open_case(db, ws, CaseCreate(title="Bob's case", owner_id=other.id), "system")
    cause = create_root_cause(db, ws, RootCauseCreate(name="Courier"))
    done, _ = service.open_case(db, ws, CaseCreate(title="Done one", owner_id=me.id), "system")
    service.transition(
        db,
        ws,
        done.id,
        Transition(to="resolved", root_cause_id=cause.id, resolution="ok"),
        "system",
    )
    db.commit()

    with signed_in(server, me.email) as browser:
        page = browser.get("/app/cases")
        assert page.status_code == 200
        assert rows(page.text) == ["Late one", "Urgent one", "Normal one"]
        assert "My cases" in page.text and 'href="/app/cases"' in page.text  # nav link
        assert re.search(rf'data-clock="{late.id}-first">overdue by \d+h \d\dm<', page.text)
        # urgent: 1 business hour for the first action, 8 for resolution (or the clock is
        # paused outside business hours: still "left")
        assert re.search(
            rf'data-clock="{urgent.id}-first">(paused · )?(\d+m|1h 00m) left<', page.text
        )
        assert re.search(
            rf'data-clock="{normal.id}-resolution">(paused · )?\d+h \d\dm left<', page.text
        )

        everyone = browser.get("/app/cases", params={"owner": "any"}).text
        assert "Bob&#39;s case" in everyone or "Bob's case" in everyone
        breached = browser.get("/app/cases", params={"breached": "yes"}).text
        assert rows(breached) == ["Late one"]
        closed = browser.get("/app/cases", params={"status": "resolved"}).text
        assert rows(closed) == ["Done one"]
        assert 'data-clock="' + done.id + '-resolution">resolved in time<' in closed
        urgent_only = browser.get("/app/cases", params={"priority": "urgent"}).text
        assert rows(urgent_only) == ["Urgent one"]
        bad = browser.get("/app/cases", params={"status": "lost"})
        assert bad.status_code == 422 and "status: unknown value" in bad.text


def test_the_manager_view_shows_workload_and_the_loop_metrics(db: Session, server: str) -> None:
    tenant = make_tenant(db, "Manager pages")
    ws = tenant.workspace.id
    ann, bob = add_user(db, tenant, name="Ann"), add_user(db, tenant, name="Bob")
    team = create_team(db, ws, TeamWrite(name="Stores", member_ids=[ann.id, bob.id]))
    cause = create_root_cause(db, ws, RootCauseCreate(name="Stock"))
    made = [
        service.open_case(
            db, ws, CaseCreate(title=f"c{i}", owner_id=owner.id, team_id=team.id), "key:k"
        )[0]
        for i, owner in enumerate([ann, ann, bob])
    ]
    late, _ = service.open_case(db, ws, CaseCreate(title="late", owner_id=bob.id), "key:k")
    late.opened_at = utcnow() - timedelta(days=30)
    sla.set_due_dates(late, calendar_of(db, ws), sla.policy(db, ws))
    resolve = Transition(to="resolved", root_cause_id=cause.id, resolution="restocked")
    service.transition(db, ws, made[0].id, resolve, "key:k")
    service.transition(db, ws, made[0].id, Transition(to="closed"), "key:k")
    db.commit()

    today = date.today()
    with signed_in(server, tenant.email) as browser:
        page = browser.get(
            "/app/cases/manager",
            params={
                "start": str(today - timedelta(days=40)),
                "end": str(today + timedelta(days=1)),
            },
        )
        assert page.status_code == 200, page.text
        html = page.text
        bad = browser.get("/app/cases/manager", params={"start": "yesterday"})
        assert bad.status_code == 422 and "from: &#39;yesterday&#39; is not a date" in bad.text
    expected = metrics.case_metrics(
        db, ws, today - timedelta(days=40), today + timedelta(days=1)
    ).overall
    assert expected.opened == 4 and expected.closed_within_sla == 1
    assert f'data-metric="opened">{expected.opened}<' in html
    assert f'data-metric="closed_loop_rate">{expected.closed_loop_rate:.1f}%<' in html
    # workload now: Ann has one open case (the other is closed), Bob two, one of them breached
    owners = dict(
        re.findall(
            r'<tr data-key="(\w*)">\s*<th scope="row">.*?</th>\s*'
            r'<td class="cs-num" data-open>(\d+)<',
            html.split('id="load-owner"')[1].split("</table>")[0],
            re.S,
        )
    )
    assert owners == {ann.id: "1", bob.id: "2"}
    assert re.search(rf'<tr data-key="{bob.id}">.*?data-breached><a [^>]*>1</a>', html, re.S)
    by_team = html.split('id="by-team"')[1].split("</table>")[0]
    assert re.search(
        rf'data-key="{team.id}">\s*<th scope="row">Stores</th>\s*'
        r'<td class="cs-num" data-opened>3<',
        by_team,
    )
    by_cause = html.split('id="by-root_cause"')[1].split("</table>")[0]
    assert "Stock" in by_cause and "(no root cause)" in by_cause


def test_the_case_page_shows_the_customers_context_with_their_text_escaped(
    db: Session,
    server: str,
    http: httpx.Client,
    session_factory: sessionmaker[Session],
    settings: Settings,
) -> None:
    tenant = make_tenant(db, "Case page")
    h = tenant.headers()
    survey = http.post("/api/v1/surveys", json={**SURVEY, "publish": True}, headers=h).json()
    person = {"email": "ctx-page@example.com"}

    def answer(score: int, text: str) -> str:
        made = http.post(
            "/api/v1/responses",
            json={
                "survey_id": survey["id"],
                "answers": {"nps": score, "comment": text},
                "contact": person,
            },
            headers=h,
        )
        assert made.status_code == 201, made.text
        return str(made.json()["id"])

    earlier = answer(9, "Lovely shop")
    response_id = answer(1, EVIL)
    old = http.post("/api/v1/cases", json={"title": "Old case", "response_id": earlier}, headers=h)
    case = http.post(
        "/api/v1/cases", json={"title": "Broken parcel", "response_id": response_id}, headers=h
    ).json()
    chat = {
        "kind": "chat",
        "contact_id": case["contact_id"],
        "text": "Where is my parcel? <b>now</b>",
    }
    assert http.post("/api/v1/interactions", json=chat, headers=h).status_code == 201
    worker(session_factory, settings).drain()  # the text analysis of the open answers

    with signed_in(server, tenant.email) as browser:
        page = browser.get(f"/app/cases/{case['id']}")
    assert page.status_code == 200, page.text
    html = page.text
    assert "<script>alert(" not in html and "&lt;script&gt;alert(" in html
    assert "&lt;b&gt;now&lt;/b&gt;" in html and "<b>now</b>" not in html
    analysis = html.split('id="case-context"')[1]
    assert re.search(r"data-sentiment>negative<", analysis)  # the comment analysis
    assert "data-theme>" in analysis  # at least one theme detected in the comment
    assert re.search(r"<dt>nps</dt><dd>1</dd>", html)  # this response's answers
    assert "NPS 9" in html.split('id="earlier-responses"')[1].split("</ul>")[0]
    assert "chat" in html.split('id="case-interactions"')[1].split("</ul>")[0]
    assert old.json()["id"] in html.split('id="earlier-cases"')[1].split("</ul>")[0]
    assert 'data-clock="' + case["id"] + '-first"' in html  # countdowns in the header


def test_refusals_are_shown_on_the_page_and_obstacles_are_reported(
    db: Session, server: str
) -> None:
    tenant = make_tenant(db, "Refusals")
    ws = tenant.workspace.id
    agent = add_user(db, tenant, name="Agnes")
    cause = create_root_cause(db, ws, RootCauseCreate(name="Return policy too strict"))
    case, _ = service.open_case(db, ws, CaseCreate(title="No refund", owner_id=agent.id), "x")
    db.commit()
    url = f"/app/cases/{case.id}"
    with signed_in(server, agent.email) as browser:
        token = csrf(browser, url)
        refused = browser.post(
            f"{url}/status", data={"csrf": token, "to": "resolved", "resolution": "Refunded"}
        )
        assert refused.status_code == 422
        assert re.search(
            r'id="case-error">root_cause_id: resolving a case needs a root cause', refused.text
        )
        assert "Refunded</textarea>" in refused.text  # what was typed is kept
        closed = browser.post(f"{url}/status", data={"csrf": token, "to": "closed"})
        assert closed.status_code == 409 and "closed only once it is resolved" in closed.text

        done = browser.post(
            f"{url}/status",
            data={
                "csrf": token,
                "to": "resolved",
                "root_cause_id": cause.id,
                "resolution": "Refunded as a gesture",
            },
        )
        assert done.status_code == 303
        page = browser.get(done.headers["location"]).text
        assert "Status changed." in page and "Return policy too strict" in page
        assert 'id="move-closed"' in page and 'id="move-open"' not in page
        flagged = browser.post(f"{url}/obstacle", data={"csrf": token})
        assert flagged.status_code == 303
        assert "policy or process obstacle</span>" in browser.get(url).text
        report = browser.get("/app/cases/obstacles").text
        item = report.split(f'data-cause="{cause.id}"')[1].split("</li>\n  \n")[0]
        assert "Return policy too strict" in item and "<span data-count>1</span>" in item
        assert f"#{case.number} No refund" in item  # an example case
        assigned = browser.post(
            f"{url}/assign", data={"csrf": token, "owner_id": "", "team_id": "", "priority": "high"}
        )
        assert assigned.status_code == 303
        page = browser.get(url).text
        assert 'id="case-owner">unassigned<' in page and "cs-prio-high" in page


def test_viewers_read_and_other_workspaces_get_404(db: Session, server: str) -> None:
    tenant, other = make_tenant(db, "Viewer"), make_tenant(db, "Stranger")
    viewer = add_user(db, tenant, Role.viewer)
    case, _ = service.open_case(db, tenant.workspace.id, CaseCreate(title="Secret case"), "x")
    db.commit()
    url = f"/app/cases/{case.id}"
    with signed_in(server, viewer.email) as browser:
        page = browser.get(url)
        assert page.status_code == 200 and "Secret case" in page.text
        assert 'id="move-open"' not in page.text and "needs the agent role" in page.text
        token = csrf(browser, url)
        refused = browser.post(f"{url}/status", data={"csrf": token, "to": "open"})
        assert refused.status_code == 403 and "agent role" in refused.text
        assert browser.post(f"{url}/notes", data={"csrf": token, "body": "x"}).status_code == 403
    with signed_in(server, other.email) as stranger:
        token = csrf(stranger)
        assert stranger.get(url).status_code == 404
        moved = stranger.post(f"{url}/status", data={"csrf": token, "to": "open"})
        assert moved.status_code == 404 and "Secret case" not in moved.text
        assert rows(stranger.get("/app/cases?owner=any&status=all").text) == []
    db.expire_all()
    stored = db.get(Case, case.id)
    assert stored is not None and stored.status == "new"


def test_settings_manage_root_causes_and_sla_targets(db: Session, server: str) -> None:
    tenant = make_tenant(db, "Settings")
    analyst = add_user(db, tenant, Role.analyst)
    with signed_in(server, tenant.email) as admin:
        token = csrf(admin, "/app/cases/settings")
        made = admin.post(
            "/app/cases/settings/root-causes",
            data={
                "csrf": token,
                "name": "Opening hours",
                "description": "<i>too short</i>",
                "obstacle": "1",
            },
        )
        assert made.status_code == 303
        page = admin.get(made.headers["location"]).text
        assert "Root cause added." in page and "&lt;i&gt;too short&lt;/i&gt;" in page
        twice = admin.post(
            "/app/cases/settings/root-causes", data={"csrf": token, "name": "Opening hours"}
        )
        assert twice.status_code == 409 and "already exists" in twice.text
        targets = {
            f"{p}_{k}": str(v)
            for p, (fa, res) in {
                "low": (24, 80),
                "normal": (6, 30),
                "high": (4, 24),
                "urgent": (1, 8),
            }.items()
            for k, v in (("first_action_hours", fa), ("resolution_hours", res))
        }
        saved = admin.post("/app/cases/settings/sla", data={"csrf": token, **targets})
        assert saved.status_code == 303
        assert sla.policy(db, tenant.workspace.id).normal.first_action_hours == 6
        wrong = admin.post(
            "/app/cases/settings/sla",
            data={"csrf": token, **targets, "urgent_first_action_hours": "0"},
        )
        assert wrong.status_code == 422 and "urgent.first_action_hours" in wrong.text
    with signed_in(server, analyst.email) as browser:
        token = csrf(browser, "/app/cases/settings")
        assert "Only admins can change the targets" in browser.get("/app/cases/settings").text
        assert (
            browser.post("/app/cases/settings/sla", data={"csrf": token, **targets}).status_code
            == 403
        )


def test_admins_set_up_teams_with_a_unit_manager_and_members(db: Session, server: str) -> None:
    tenant = make_tenant(db, "Team page")
    ws = tenant.workspace.id
    lead, agent = add_user(db, tenant, Role.agent, "Lead"), add_user(db, tenant, Role.agent, "Ana")
    analyst = add_user(db, tenant, Role.analyst)
    with signed_in(server, tenant.email) as admin:
        token = csrf(admin, "/app/cases/settings")
        made = admin.post(
            "/app/cases/settings/teams",
            data={
                "csrf": token,
                "name": "Store <12>",
                "unit": "store-12",
                "manager_id": lead.id,
                "member_ids": [lead.id, agent.id],
            },
        )
        assert made.status_code == 303, made.text
        page = admin.get(made.headers["location"]).text
        assert "Team added." in page and 'value="Store &lt;12&gt;"' in page
        team = list_teams(db, ws)[0]
        assert (team.unit, team.manager_id) == ("store-12", lead.id)
        assert sorted(team.member_ids) == sorted([lead.id, agent.id])
        clash = admin.post(
            "/app/cases/settings/teams",
            data={"csrf": token, "name": "Other", "unit": "store-12"},
        )
        assert clash.status_code == 409 and "already serves" in clash.text
        moved = admin.post(
            f"/app/cases/settings/teams/{team.id}",
            data={"csrf": token, "name": "Store 12", "unit": "store-12", "member_ids": agent.id},
        )
        assert moved.status_code == 303
        db.expire_all()
        again = list_teams(db, ws)[0]
        assert again.member_ids == [agent.id] and again.manager_id is None
    with signed_in(server, analyst.email) as browser:
        token = csrf(browser, "/app/cases/settings")
        assert "Only admins can change teams" in browser.get("/app/cases/settings").text
        refused = browser.post("/app/cases/settings/teams", data={"csrf": token, "name": "X"})
        assert refused.status_code == 403

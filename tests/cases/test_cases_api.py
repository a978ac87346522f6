"""Cases over the API: opening (idempotent), status rules, notes and messages, roles, views."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx
from sqlalchemy.orm import Session

from cxloop.accounts import service as accounts
from cxloop.comments.models import Comment
from cxloop.core.database import utcnow
from cxloop.core.security import Role
from tests.cases.helpers import add_user
from tests.factories import Tenant, make_tenant

SURVEY = {
    "name": "Checkout",
    "default_language": "en",
    "texts": {"en": {"title": "How did we do?"}},
    "questions": [
        {"key": "nps", "kind": "nps", "required": True, "texts": {"en": {"prompt": "Recommend?"}}},
        {"key": "comment", "kind": "open_text", "texts": {"en": {"prompt": "Why?"}}},
    ],
}


def key(db: Session, tenant: Tenant, role: Role) -> dict[str, str]:
    value = accounts.create_api_key(db, tenant.workspace, role, role.value)
    db.commit()
    return {"Authorization": f"Bearer {value}"}


def root_cause(http: httpx.Client, tenant: Tenant, name: str, obstacle: bool = False) -> str:
    made = http.post(
        "/api/v1/root-causes", json={"name": name, "obstacle": obstacle}, headers=tenant.headers()
    )
    assert made.status_code == 201, made.text
    return str(made.json()["id"])


def test_a_case_follows_the_status_rules_and_logs_every_change(
    db: Session, http: httpx.Client
) -> None:
    tenant = make_tenant(db, "Rules")
    agent = key(db, tenant, Role.agent)
    cause = root_cause(http, tenant, "Late delivery")
    opened = http.post("/api/v1/cases", json={"title": "Angry customer"}, headers=agent)
    assert opened.status_code == 201, opened.text
    case = opened.json()
    assert case["status"] == "new" and case["number"] >= 1 and case["priority"] == "normal"
    url = f"/api/v1/cases/{case['id']}"

    def move(to: str, **extra: str) -> httpx.Response:
        return http.post(f"{url}/transitions", json={"to": to, **extra}, headers=agent)

    refused = move("closed")
    assert refused.status_code == 409
    assert "closed only once it is resolved" in refused.json()["error"]["message"]
    assert move("reopened").status_code == 409
    assert move("open").json()["status"] == "open"
    no_cause = move("resolved", resolution="Refunded")
    assert no_cause.status_code == 422 and "root_cause_id" in no_cause.json()["error"]["message"]
    no_text = move("resolved", root_cause_id=cause, resolution="  ")
    assert no_text.status_code == 422 and "resolution" in no_text.json()["error"]["message"]
    other = make_tenant(db, "Elsewhere")
    foreign = root_cause(http, other, "Theirs")
    assert move("resolved", root_cause_id=foreign, resolution="x").status_code == 422
    resolved = move("resolved", root_cause_id=cause, resolution="Refunded the shipping")
    assert resolved.status_code == 200 and resolved.json()["resolved_at"] is not None
    assert move("closed").json()["closed_at"] is not None
    reopened = move("reopened").json()
    assert reopened["status"] == "reopened" and reopened["closed_at"] is None
    assert reopened["reopened_count"] == 1

    detail = http.get(url, headers=tenant.headers()).json()
    changes = [(e["data"]["old"], e["data"]["new"]) for e in detail["events"][1:]]
    assert detail["events"][0]["kind"] == "opened"
    assert changes == [
        ("new", "open"),
        ("open", "resolved"),
        ("resolved", "closed"),
        ("closed", "reopened"),
    ]
    assert all(e["actor"].startswith("key:") for e in detail["events"])
    assert detail["first_action_at"] is not None  # the move to open was the first action


def test_opening_twice_with_a_source_key_gives_one_case_and_numbers_count_up(
    db: Session, http: httpx.Client
) -> None:
    tenant = make_tenant(db, "Idem")
    body = {"title": "Detractor", "source_key": "rule-7:response-1"}
    first = http.post("/api/v1/cases", json=body, headers=tenant.headers())
    second = http.post("/api/v1/cases", json=body, headers=tenant.headers())
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]
    third = http.post("/api/v1/cases", json={"title": "Another"}, headers=tenant.headers())
    assert [first.json()["number"], third.json()["number"]] == [1, 2]
    listed = http.get("/api/v1/cases", headers=tenant.headers()).json()
    assert listed["total"] == 2
    blank = http.post("/api/v1/cases", json={"title": "  "}, headers=tenant.headers())
    assert blank.status_code == 422 and "title" in blank.json()["error"]["message"]
    mixed = {"title": "x", "owner_strategy": "none", "owner_id": "someone"}
    refused = http.post("/api/v1/cases", json=mixed, headers=tenant.headers())
    assert refused.status_code == 422 and "owner_strategy" in refused.json()["error"]["message"]


def test_owner_must_work_in_the_workspace_and_roles_are_checked(
    db: Session, http: httpx.Client
) -> None:
    tenant = make_tenant(db, "Roles")
    viewer_user = add_user(db, tenant, Role.viewer)
    stranger = add_user(db, make_tenant(db, "Other"), Role.agent)
    for owner in (viewer_user.id, stranger.id):
        bad = http.post(
            "/api/v1/cases", json={"title": "x", "owner_id": owner}, headers=tenant.headers()
        )
        assert bad.status_code == 422 and "owner_id" in bad.json()["error"]["message"]
    viewer = key(db, tenant, Role.viewer)
    agent = key(db, tenant, Role.agent)
    assert http.post("/api/v1/cases", json={"title": "x"}, headers=viewer).status_code == 403
    case = http.post("/api/v1/cases", json={"title": "x"}, headers=agent).json()
    assert http.get(f"/api/v1/cases/{case['id']}", headers=viewer).status_code == 200
    assert (
        http.post(f"/api/v1/cases/{case['id']}/notes", json={"body": "hi"}, headers=viewer)
    ).status_code == 403
    assert http.post("/api/v1/root-causes", json={"name": "x"}, headers=agent).status_code == 403
    policy = http.get("/api/v1/case-sla-policy", headers=agent).json()
    assert policy["urgent"] == {"first_action_hours": 1.0, "resolution_hours": 8.0}
    analyst = key(db, tenant, Role.analyst)
    assert http.put("/api/v1/case-sla-policy", json=policy, headers=analyst).status_code == 403
    policy["urgent"]["first_action_hours"] = 2
    assert (
        http.put("/api/v1/case-sla-policy", json=policy, headers=tenant.headers()).json()["urgent"][
            "first_action_hours"
        ]
        == 2.0
    )
    assert http.get("/api/v1/cases?owner=me", headers=agent).status_code == 422


def test_notes_stay_internal_and_messages_are_queued_for_email(
    db: Session, http: httpx.Client
) -> None:
    tenant = make_tenant(db, "Notes")
    h = tenant.headers()
    contact = http.post("/api/v1/contacts", json={"email": "c@example.com"}, headers=h).json()
    loose = http.post("/api/v1/cases", json={"title": "no contact"}, headers=h).json()
    no_one = http.post(f"/api/v1/cases/{loose['id']}/messages", json={"body": "Hi"}, headers=h)
    assert no_one.status_code == 422 and "contact" in no_one.json()["error"]["message"]
    case = http.post(
        "/api/v1/cases", json={"title": "t", "contact_id": contact["id"]}, headers=h
    ).json()
    note = http.post(f"/api/v1/cases/{case['id']}/notes", json={"body": "call back"}, headers=h)
    message = http.post(f"/api/v1/cases/{case['id']}/messages", json={"body": "Sorry"}, headers=h)
    assert note.json()["status"] == "internal" and message.json()["status"] == "queued"
    detail = http.get(f"/api/v1/cases/{case['id']}", headers=h).json()
    assert [n["body"] for n in detail["notes"]] == ["call back", "Sorry"]
    assert [e["kind"] for e in detail["events"]] == ["opened", "note_added", "message_queued"]


def test_the_case_view_shows_the_customers_context(db: Session, http: httpx.Client) -> None:
    tenant = make_tenant(db, "Context")
    h = tenant.headers()
    survey = http.post("/api/v1/surveys", json={**SURVEY, "publish": True}, headers=h).json()
    person = {"email": "ctx@example.com"}

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

    earlier = answer(9, "Great the first time")
    response_id = answer(2, "Parcel arrived broken")
    earlier_case = http.post(
        "/api/v1/cases", json={"title": "old", "response_id": earlier}, headers=h
    ).json()
    case = http.post(
        "/api/v1/cases", json={"title": "Broken parcel", "response_id": response_id}, headers=h
    ).json()
    chat = {"kind": "chat", "contact_id": case["contact_id"], "text": "Where is my parcel?"}
    assert http.post("/api/v1/interactions", json=chat, headers=h).status_code == 201
    db.add(  # the comment analysis of the detractor's open answer (as the text job stores it)
        Comment(
            workspace_id=tenant.workspace.id,
            response_id=response_id,
            contact_id=case["contact_id"],
            source="survey",
            occurred_at=utcnow(),
            text="Parcel arrived broken",
            language="en",
            sentiment="negative",
        )
    )
    db.commit()
    assert case["contact_id"] == earlier_case["contact_id"] is not None
    detail = http.get(f"/api/v1/cases/{case['id']}", headers=h).json()
    ctx = detail["context"]
    assert ctx["response"]["answers"]["nps"] == 2
    assert [r["id"] for r in ctx["earlier_responses"]] == [earlier]
    assert [c["id"] for c in ctx["earlier_cases"]] == [earlier_case["id"]]
    assert "Great the first time" not in [c["text"] for c in ctx["comments"]]
    assert [c["text"] for c in ctx["comments"]] == ["Parcel arrived broken"]
    assert ctx["comments"][0]["sentiment"] == "negative"
    assert "chat" in [i["kind"] for i in ctx["interactions"]]
    missing = http.post("/api/v1/cases", json={"title": "x", "response_id": "nope"}, headers=h)
    assert missing.status_code == 404


def test_inbox_and_team_view_sort_by_sla_and_filter(db: Session, http: httpx.Client) -> None:
    tenant = make_tenant(db, "Inbox")
    h = tenant.headers()
    agent, other = add_user(db, tenant), add_user(db, tenant)
    team = http.post(
        "/api/v1/teams", json={"name": "Stores", "member_ids": [agent.id]}, headers=h
    ).json()
    low = http.post(
        "/api/v1/cases", json={"title": "low", "priority": "low", "owner_id": agent.id}, headers=h
    ).json()
    urgent = http.post(
        "/api/v1/cases",
        json={"title": "urgent", "priority": "urgent", "owner_id": agent.id, "team_id": team["id"]},
        headers=h,
    ).json()
    http.post("/api/v1/cases", json={"title": "theirs", "owner_id": other.id}, headers=h)
    inbox = http.get("/api/v1/cases", params={"owner": agent.id}, headers=h).json()
    assert [c["title"] for c in inbox["items"]] == ["urgent", "low"]  # soonest due first
    assert inbox["items"][0]["first_action_clock"]["running"] is True
    assert inbox["items"][0]["first_action_clock"]["remaining_business_seconds"] <= 3600
    by_team = http.get("/api/v1/cases", params={"team_id": team["id"]}, headers=h).json()
    assert [c["id"] for c in by_team["items"]] == [urgent["id"]]
    assert http.get("/api/v1/cases", params={"breached": True}, headers=h).json()["total"] == 0

    changed = http.patch(
        f"/api/v1/cases/{low['id']}", json={"priority": "high", "owner_id": other.id}, headers=h
    ).json()
    assert changed["priority"] == "high" and changed["owner_id"] == other.id
    assert changed["resolution_clock"]["target_hours"] == 24.0  # the high target applies
    http.post(f"/api/v1/cases/{low['id']}/transitions", json={"to": "open"}, headers=h)
    waiting = http.get(
        "/api/v1/cases", params={"status": "open,waiting_on_customer"}, headers=h
    ).json()
    assert [c["id"] for c in waiting["items"]] == [low["id"]]
    bad = http.get("/api/v1/cases", params={"status": "lost"}, headers=h)
    assert bad.status_code == 422 and "status" in bad.json()["error"]["message"]
    events = http.get(f"/api/v1/cases/{low['id']}", headers=h).json()["events"]
    assert [e["kind"] for e in events] == [
        "opened",
        "priority_changed",
        "assigned",
        "status_changed",
    ]


def test_cases_opened_at_the_same_time_get_distinct_numbers(
    db: Session, http: httpx.Client
) -> None:
    tenant = make_tenant(db, "Burst")

    def open_one(i: int) -> int:
        with httpx.Client(base_url=str(http.base_url), timeout=30) as client:
            made = client.post(
                "/api/v1/cases", json={"title": f"burst {i}"}, headers=tenant.headers()
            )
            assert made.status_code == 201, made.text
            return int(made.json()["number"])

    with ThreadPoolExecutor(max_workers=6) as pool:
        numbers = sorted(pool.map(open_one, range(12)))
    assert numbers == list(range(1, 13))


def test_unit_manager_gives_the_case_to_the_manager_of_the_contacts_store(
    db: Session, http: httpx.Client
) -> None:
    tenant = make_tenant(db, "Stores")
    h = tenant.headers()
    north, south = add_user(db, tenant, Role.agent), add_user(db, tenant, Role.agent)
    teams = {}
    for unit, manager in (("store-12", north), ("store-40", south)):
        made = http.post(
            "/api/v1/teams", json={"name": unit, "unit": unit, "manager_id": manager.id}, headers=h
        )
        assert made.status_code == 201 and made.json()["unit"] == unit
        teams[unit] = made.json()["id"]
    clash = http.post("/api/v1/teams", json={"name": "x", "unit": "store-12"}, headers=h)
    assert clash.status_code == 409 and "unit" in clash.json()["error"]["message"]
    shopper = http.post(
        "/api/v1/contacts",
        json={"email": "s@example.com", "attributes": {"unit": "store-40"}},
        headers=h,
    ).json()
    nowhere = http.post("/api/v1/contacts", json={"email": "n@example.com"}, headers=h).json()
    body = {"title": "Rude cashier", "owner_strategy": "unit_manager"}
    case = http.post("/api/v1/cases", json={**body, "contact_id": shopper["id"]}, headers=h)
    assert case.status_code == 201, case.text
    assert case.json()["owner_id"] == south.id and case.json()["team_id"] == teams["store-40"]
    # a contact without a unit: the case waits unassigned (no error, nothing lost)
    orphan = http.post("/api/v1/cases", json={**body, "contact_id": nowhere["id"]}, headers=h)
    assert orphan.status_code == 201 and orphan.json()["owner_id"] is None
    missing = http.post("/api/v1/cases", json=body, headers=h)
    assert missing.status_code == 422 and "contact_id" in missing.json()["error"]["message"]

"""Walks the app's route table: workspace A's key and login never reach workspace B's data."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from fastapi.routing import APIRoute
from sqlalchemy.orm import Session

from cxloop import routes
from cxloop.cases import service as cases
from cxloop.cases import teams
from cxloop.cases.schemas import CaseCreate, RootCauseCreate, TeamWrite
from cxloop.comments.models import Comment, ThemeSuggestion
from cxloop.core.database import utcnow
from cxloop.exports.models import Export
from cxloop.jobs import service as jobs
from cxloop.segments.models import Segment
from tests.factories import Tenant, make_tenant

PARAM = re.compile(r"{(\w+)}")
SECRET = "bravo-secret-text"

# A valid body for every write route that takes an id in its path. A new route without an
# entry here fails the test, so the table stays complete.
BODIES: dict[tuple[str, str], Any] = {
    ("PATCH", "/journeys/{journey_id}"): {"name": "hijacked"},
    ("POST", "/journeys/{journey_id}/stages"): {"name": "hijacked"},
    ("PUT", "/journeys/{journey_id}/stages/order"): "stage_order",
    ("PATCH", "/journeys/{journey_id}/stages/{stage_id}"): {"name": "hijacked"},
    ("PATCH", "/touchpoints/{touchpoint_id}"): {"name": "hijacked"},
    ("PATCH", "/contacts/{contact_id}"): {"name": "hijacked"},
    ("PUT", "/contacts/by-external-id/{external_id}"): {"name": "hijacked"},
    ("PUT", "/contacts/by-email/{email}"): {"name": "hijacked"},
    ("PUT", "/surveys/{survey_id}"): "survey_definition",
    ("POST", "/surveys/{survey_id}/status"): {"status": "closed"},
    ("POST", "/surveys/{survey_id}/links"): {},
    ("POST", "/surveys/{survey_id}/translations.csv"): {},
    ("PATCH", "/comments/{comment_id}"): {"sentiment": "positive"},
    ("PATCH", "/segments/{segment_id}"): {"name": "hijacked"},
    ("POST", "/theme-suggestions/{suggestion_id}/accept"): {"key": "hijacked"},
    ("POST", "/theme-suggestions/{suggestion_id}/discard"): {},
    ("PATCH", "/cases/{case_id}"): {"title": "hijacked"},
    ("POST", "/cases/{case_id}/transitions"): {"to": "open"},
    ("POST", "/cases/{case_id}/notes"): {"body": "hijacked"},
    ("POST", "/cases/{case_id}/messages"): {"body": "hijacked"},
    ("PATCH", "/root-causes/{root_cause_id}"): {"name": "hijacked"},
    ("PATCH", "/teams/{team_id}"): {"name": "hijacked"},
    ("PATCH", "/survey-triggers/{trigger_id}"): {"name": "hijacked"},
    ("PATCH", "/alerts/{alert_id}"): {"name": "hijacked"},
    ("POST", "/alerts/{alert_id}/check"): {},
    ("PATCH", "/rules/{rule_id}"): {"name": "hijacked"},
    ("POST", "/rules/{rule_id}/preview"): {},
    ("PATCH", "/webhook-endpoints/{endpoint_id}"): {"name": "hijacked"},
    ("POST", "/webhook-endpoints/{endpoint_id}/rotate-secret"): {},
    ("POST", "/webhook-endpoints/{endpoint_id}/test"): {},
    ("POST", "/invitations/{invitation_id}/events"): {"stage": "delivered"},
    ("POST", "/contacts/{contact_id}/opt-outs"): {"channel": "all"},
    ("POST", "/contacts/{contact_id}/consents"): {"channel": "all"},
}
# Upserts by identity create the caller's own contact: allowed, as long as B's is untouched.
OWN_NAMESPACE = {"/contacts/by-external-id/{external_id}", "/contacts/by-email/{email}"}
NOT_IDS = {"metric", "taxonomy", "key", "kind"}  # names, the same in every workspace

SURVEY = {
    "name": "B survey",
    "default_language": "en",
    "texts": {"en": {"title": "How did we do?"}},
    "questions": [
        {"key": "nps", "kind": "nps", "required": True, "texts": {"en": {"prompt": "Recommend?"}}},
        {"key": "comment", "kind": "open_text", "texts": {"en": {"prompt": "Why?"}}},
    ],
}


def _build_b(http: httpx.Client, b: Tenant) -> dict[str, str]:
    h = b.headers()
    journey = http.post("/api/v1/journeys", json={"name": "B", "template": "purchase"}, headers=h)
    journey.raise_for_status()
    stage_id = journey.json()["stages"][0]["id"]
    touchpoint = http.post(
        "/api/v1/touchpoints",
        json={"stage_id": stage_id, "name": "B checkout", "channel": "web", "key": "b-checkout"},
        headers=h,
    ).json()
    contact = http.post(
        "/api/v1/contacts",
        json={"external_id": "b-ext-1", "email": "bravo@example.com", "name": SECRET},
        headers=h,
    ).json()
    interaction = http.post(
        "/api/v1/interactions",
        json={"kind": "chat", "contact_id": contact["id"], "text": SECRET},
        headers=h,
    ).json()
    survey = http.post(
        "/api/v1/surveys",
        json={**SURVEY, "touchpoint_id": touchpoint["id"], "publish": True},
        headers=h,
    ).json()
    response = http.post(
        "/api/v1/responses",
        json={
            "survey_id": survey["id"],
            "answers": {"nps": 3, "comment": SECRET},
            "contact": {"id": contact["id"]},
        },
        headers=h,
    )
    response.raise_for_status()
    key = http.post("/api/v1/api-keys", json={"name": "b", "role": "viewer"}, headers=h).json()
    trigger = http.post(
        "/api/v1/survey-triggers",
        json={"event": "b_event", "survey_id": survey["id"], "channel": "email"},
        headers=h,
    ).json()
    made = {
        "rule_id": (
            "/api/v1/rules",
            {
                "name": SECRET,
                "conditions": {"field": "nps", "op": "lte", "value": 6},
                "actions": [{"type": "tag", "tag": "b"}],
            },
        ),
        "alert_id": (
            "/api/v1/alerts",
            {"name": SECRET, "metric": "nps", "condition": {"kind": "significant_drop"}},
        ),
        "endpoint_id": (
            "/api/v1/webhook-endpoints",
            {"name": SECRET, "url": "https://b.example/h"},
        ),
        "invitation_id": (
            "/api/v1/invitations",
            {"survey_id": survey["id"], "contact_id": contact["id"], "channel": "link"},
        ),
        "suppression_id": ("/api/v1/governance/suppressions", {"email": "b@example.com"}),
    }
    created = {}
    for name, (url, body) in made.items():
        resp = http.post(url, json=body, headers=h)
        assert resp.status_code == 201, (url, resp.text)
        created[name] = resp.json()["invitation_id" if name == "invitation_id" else "id"]
    ping = http.post(f"/api/v1/webhook-endpoints/{created['endpoint_id']}/test", headers=h)
    assert ping.status_code < 300, ping.text
    deliveries = http.get("/api/v1/deliveries", headers=h).json()["items"]
    created["delivery_id"] = str(deliveries[0]["id"])
    return {
        **created,
        "journey_id": journey.json()["id"],
        "stage_id": stage_id,
        "touchpoint_id": touchpoint["id"],
        "contact_id": contact["id"],
        "interaction_id": interaction["id"],
        "survey_id": survey["id"],
        "response_id": response.json()["id"],
        "key_id": key["id"],
        "trigger_id": trigger["id"],
        "external_id": "b-ext-1",
        "email": "bravo@example.com",
    }


def _text_rows(db: Session, b: Tenant) -> dict[str, str]:
    """An analysed comment, a theme suggestion, a job, a segment and a case of workspace B."""
    ws = b.workspace.id
    comment = Comment(
        workspace_id=ws,
        source="chat",
        occurred_at=utcnow(),
        text=SECRET,
        language="en",
        sentiment="negative",
    )
    suggestion = ThemeSuggestion(workspace_id=ws, label=SECRET, quotes=[{"text": SECRET}])
    db.add_all([comment, suggestion])
    db.flush()
    job_id = jobs.enqueue(db, "text.discover", {}, workspace_id=ws)
    segment = Segment(workspace_id=ws, name=SECRET, definition={"conditions": []})
    export = Export(workspace_id=ws, kind="responses", format="csv", status="done")
    db.add_all([segment, export])
    case, _ = cases.open_case(db, ws, CaseCreate(title=SECRET), "system")
    cause = teams.create_root_cause(db, ws, RootCauseCreate(name=SECRET))
    team = teams.create_team(db, ws, TeamWrite(name=SECRET))
    db.commit()
    return {
        "case_id": case.id,
        "root_cause_id": cause.id,
        "team_id": team.id,
        "comment_id": str(comment.id),
        "suggestion_id": suggestion.id,
        "job_id": str(job_id),
        "segment_id": segment.id,
        "export_id": export.id,
    }


def _api_routes() -> list[tuple[str, str]]:
    found = []
    for router in routes.API_ROUTERS:
        for route in router.routes:
            if isinstance(route, APIRoute):
                found += [(m, route.path) for m in sorted(route.methods - {"HEAD"})]
    return found


def _body(method: str, path: str, ids: dict[str, str]) -> Any:
    if method in ("GET", "DELETE"):
        return None
    if (method, path) not in BODIES:
        pytest.fail(f"add a sample body for {method} {path} to BODIES in {__file__}")
    body = BODIES[(method, path)]
    if body == "stage_order":
        return {"stage_ids": [ids["stage_id"]]}
    if body == "survey_definition":
        return SURVEY
    return body


def _fill(path: str, ids: dict[str, str]) -> str:
    def sub(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in ids:
            pytest.fail(f"no workspace-B value for path parameter '{name}' in {path}")
        return ids[name]

    return PARAM.sub(sub, path)


def test_workspace_a_gets_404_or_403_on_every_resource_of_workspace_b(
    db: Session, http: httpx.Client
) -> None:
    a, b = make_tenant(db, "Alpha"), make_tenant(db, "Bravo")
    ids = {**_build_b(http, b), **_text_rows(db, b)}
    ids_with_metric = {**ids, "metric": "nps", "taxonomy": "themes", "key": "delivery"}
    checked = 0
    for method, path in _api_routes():
        if not (set(PARAM.findall(path)) - NOT_IDS):
            continue
        url = "/api/v1" + _fill(path, ids_with_metric)
        resp = http.request(method, url, json=_body(method, path, ids), headers=a.headers())
        checked += 1
        if method == "PUT" and path in OWN_NAMESPACE:
            assert resp.status_code in (200, 201), (method, path, resp.text)
            assert resp.json()["id"] != ids["contact_id"]
            continue
        assert resp.status_code in (403, 404), (method, path, resp.status_code, resp.text)
        assert SECRET not in resp.text
    assert checked >= 20

    # B's data is untouched.
    h = b.headers()
    assert http.get(f"/api/v1/journeys/{ids['journey_id']}", headers=h).json()["name"] == "B"
    assert http.get(f"/api/v1/surveys/{ids['survey_id']}", headers=h).json()["status"] == "live"
    assert http.get(f"/api/v1/contacts/{ids['contact_id']}", headers=h).json()["name"] == SECRET
    assert http.get(f"/api/v1/responses/{ids['response_id']}", headers=h).status_code == 200
    keys = http.get("/api/v1/api-keys", headers=h).json()
    assert all(k["revoked_at"] is None for k in keys)


def test_b_ids_in_bodies_and_filters_are_refused_or_empty(db: Session, http: httpx.Client) -> None:
    a, b = make_tenant(db, "Alpha"), make_tenant(db, "Bravo")
    ids = _build_b(http, b)
    h = a.headers()
    writes = [
        ("/api/v1/touchpoints", {"stage_id": ids["stage_id"], "name": "x", "channel": "web"}),
        ("/api/v1/surveys", {**SURVEY, "touchpoint_id": ids["touchpoint_id"]}),
        ("/api/v1/responses", {"survey_id": ids["survey_id"], "answers": {"nps": 10}}),
        ("/api/v1/interactions", {"kind": "chat", "contact_id": ids["contact_id"]}),
    ]
    for url, body in writes:
        resp = http.post(url, json=body, headers=h)
        assert resp.status_code == 404, (url, resp.text)
    for url in [
        f"/api/v1/responses?survey_id={ids['survey_id']}",
        f"/api/v1/responses?contact_id={ids['contact_id']}",
        f"/api/v1/interactions?contact_id={ids['contact_id']}",
        f"/api/v1/contacts?email={ids['email']}",
        f"/api/v1/touchpoints?journey_id={ids['journey_id']}",
        "/api/v1/surveys",
        f"/api/v1/metrics/nps?survey_id={ids['survey_id']}",
        f"/api/v1/comments?touchpoint_id={ids['touchpoint_id']}",
        f"/api/v1/themes?touchpoint_id={ids['touchpoint_id']}",
    ]:
        resp = http.get(url, headers=h)
        assert resp.status_code in (200, 404, 422), (url, resp.text)
        assert SECRET not in resp.text and ids["response_id"] not in resp.text, url
        if resp.status_code == 200 and isinstance(resp.json(), dict) and "total" in resp.json():
            assert resp.json()["total"] == 0, url


def _login(http: httpx.Client, tenant: Tenant) -> str:
    page = http.get("/login")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert csrf
    resp = http.post(
        "/login", data={"email": tenant.email, "password": tenant.password, "csrf": csrf.group(1)}
    )
    assert resp.status_code == 303
    return csrf.group(1)


def test_pages_of_workspace_b_are_not_found_for_a_logged_in_user_of_a(
    db: Session, http: httpx.Client
) -> None:
    a, b = make_tenant(db, "Alpha"), make_tenant(db, "Bravo")
    ids = {**_build_b(http, b), **_text_rows(db, b), "key": "delivery", "kind": "svg"}
    csrf = _login(http, a)
    checked = 0
    for router in routes.PAGE_ROUTERS:
        for route in router.routes:
            if not isinstance(route, APIRoute) or not PARAM.search(route.path):
                continue
            if not route.path.startswith("/app/"):
                continue
            names_only = not (set(PARAM.findall(route.path)) - NOT_IDS)
            for method in sorted(route.methods - {"HEAD"}):
                data = {"csrf": csrf} if method == "POST" else None
                resp = http.request(method, _fill(route.path, ids), data=data)
                checked += 1
                if names_only:  # e.g. a theme key: A's own theme of that name
                    assert resp.status_code in (200, 403, 404), (method, route.path)
                else:
                    assert resp.status_code in (403, 404), (method, route.path, resp.status_code)
                assert SECRET not in resp.text
    assert checked >= 5
    assert (
        http.get(f"/api/v1/surveys/{ids['survey_id']}", headers=b.headers()).json()["status"]
        == "live"
    )

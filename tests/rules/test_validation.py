"""A rule that cannot work is refused on save with a message naming the part that is wrong."""

from __future__ import annotations

from typing import Any

import pytest

from cxloop.core.security import Role
from tests.rules.conftest import Shop

NPS = {"field": "nps", "op": "lte", "value": 6}
TAG = [{"type": "tag", "tag": "x"}]


@pytest.mark.parametrize(
    ("conditions", "message"),
    [
        (
            {"all": [NPS, {"field": "nps", "op": "gt", "value": "abc"}]},
            "conditions.all[1].value: 'abc' is not a number for field nps",
        ),
        (
            {"all": [{"field": "mood", "op": "eq", "value": "sad"}]},
            "conditions.all[0].field: unknown field 'mood' for trigger response.submitted",
        ),
        (
            {"any": [NPS, {"not": {"field": "comment", "op": "matches", "value": "(late"}}]},
            "conditions.any[1].not.value: the regular expression does not compile",
        ),
        ({"all": []}, "conditions.all: needs a non-empty list of conditions"),
        (
            {"all": [{"field": "themes", "op": "lt", "value": 3}]},
            "conditions.all[0].op: 'lt' does not apply to field themes",
        ),
        (
            {"all": [{"field": "sentiment", "op": "eq", "value": "angry"}]},
            "conditions.all[0].value: 'angry' is not one of negative, neutral, positive, mixed",
        ),
        (
            {"all": [{"field": "nps", "op": "in", "value": 6}]},
            "conditions.all[0].value: 'in' needs a non-empty list of values for field nps",
        ),
        (
            {"all": [{"field": "case.status", "op": "eq", "value": "open"}]},
            "conditions.all[0].field: unknown field 'case.status' for trigger response.submitted",
        ),
        (
            {"all": [{"field": "segment", "op": "eq", "value": "nope"}]},
            "conditions: segment 'nope' does not exist",
        ),
    ],
)
def test_bad_conditions_are_refused_naming_the_path(
    shop: Shop, conditions: dict[str, Any], message: str
) -> None:
    resp = shop.api(
        "POST", "/api/v1/rules", {"name": "r", "conditions": conditions, "actions": TAG}
    )
    assert resp.status_code == 422, resp.text
    assert message in resp.text
    assert shop.api("GET", "/api/v1/rules").json() == []  # nothing stored


@pytest.mark.parametrize(
    ("actions", "message"),
    [
        ([{"type": "open_case", "priority": "asap"}], "actions[0].priority:"),
        (
            [{"type": "notify_email", "to": ["nobody"], "subject": "s", "body": "b"}],
            "actions[0].to[0]: user 'nobody' is not a member",
        ),
        (
            [TAG[0], {"type": "open_case", "title": "Hi {contact.nmae} {foo}"}],
            "actions[1].title: unknown placeholder {foo}",
        ),
        (
            [
                {
                    "type": "follow_up_email",
                    "texts": {"en": {"subject": "s", "body": "b"}},
                    "fallback_language": "vi",
                }
            ],
            "actions[0].fallback_language: 'vi' has no text",
        ),
        (
            [{"type": "add_to_segment", "segment_id": "missing"}],
            "actions[0].segment_id: segment 'missing' does not exist",
        ),
        ([{"type": "launch_rocket"}], "actions[0]"),
        (
            [{"type": "open_case", "owner_strategy": "round_robin"}],
            "actions[0].team_id: round_robin needs a team",
        ),
    ],
)
def test_bad_actions_are_refused_naming_the_path(
    shop: Shop, actions: list[dict[str, Any]], message: str
) -> None:
    resp = shop.api(
        "POST", "/api/v1/rules", {"name": "r", "conditions": {"all": [NPS]}, "actions": actions}
    )
    assert resp.status_code == 422, resp.text
    assert message in resp.text


def test_an_invalid_edit_keeps_the_current_version(shop: Shop) -> None:
    rule = shop.rule({"all": [NPS]})
    bad = {"conditions": {"any": [{"field": "nps", "op": "matches", "value": "["}]}}
    resp = shop.api("PATCH", f"/api/v1/rules/{rule['id']}", bad)
    assert resp.status_code == 422
    assert "conditions.any[0].op: 'matches' does not apply to field nps" in resp.text
    assert shop.api("GET", f"/api/v1/rules/{rule['id']}").json()["version"] == 1


def test_fields_are_checked_per_trigger(shop: Shop) -> None:
    case_rule = {
        "name": "Reopened",
        "trigger": "case.status_changed",
        "conditions": {"all": [{"field": "case.to", "op": "eq", "value": "reopened"}]},
        "actions": [
            {
                "type": "notify_email",
                "to": ["lead@example.com"],
                "subject": "Case {case.number} reopened",
                "body": "{summary}",
            }
        ],
    }
    assert shop.api("POST", "/api/v1/rules", case_rule).status_code == 201
    no_tags = {**case_rule, "actions": TAG}
    resp = shop.api("POST", "/api/v1/rules", no_tags)
    assert resp.status_code == 422
    assert "actions[0].type: tags go on responses, interactions and comments" in resp.text


def test_roles_and_tenancy(shop: Shop, db: Any, http: Any) -> None:
    from tests.factories import make_tenant

    rule = shop.rule({"all": [NPS]})
    analyst = shop.key(Role.analyst)
    viewer = shop.key(Role.viewer)
    assert shop.api("GET", f"/api/v1/rules/{rule['id']}", key=analyst).status_code == 200
    assert (
        shop.api(
            "POST", "/api/v1/rules/preview", {"conditions": {"all": [NPS]}}, key=analyst
        ).status_code
        == 200
    )
    denied = shop.api(
        "POST",
        "/api/v1/rules",
        {"name": "x", "conditions": {"all": [NPS]}, "actions": TAG},
        key=analyst,
    )
    assert denied.status_code == 403
    assert (
        shop.api("PATCH", f"/api/v1/rules/{rule['id']}", {"active": False}, key=analyst).status_code
        == 403
    )
    assert shop.api("GET", "/api/v1/rules", key=viewer).status_code == 403

    other = make_tenant(db, "Other")
    for method, path in [
        ("GET", f"/api/v1/rules/{rule['id']}"),
        ("GET", f"/api/v1/rules/{rule['id']}/versions"),
        ("GET", f"/api/v1/rules/{rule['id']}/runs"),
        ("PATCH", f"/api/v1/rules/{rule['id']}"),
        ("DELETE", f"/api/v1/rules/{rule['id']}"),
    ]:
        body = {"active": False} if method == "PATCH" else None
        assert shop.api(method, path, body, key=other.key).status_code == 404, path
    assert shop.api("GET", "/api/v1/rules", key=other.key).json() == []
    shop.say(2)
    shop.evaluate()
    assert shop.api("GET", "/api/v1/rule-runs", key=other.key).json()["total"] == 0
    assert shop.api("GET", "/api/v1/rule-runs").json()["total"] == 1

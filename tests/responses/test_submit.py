"""Submitting one response: stored and durable, or refused with the field named."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy.orm import Session

from tests.factories import Tenant, make_tenant
from tests.surveys.helpers import (
    choice_question,
    comment_question,
    create_survey,
    csat_question,
    make_touchpoint,
    nps_question,
    responses_of,
)

LANGS = ["en", "vi"]


def full_survey(http: httpx.Client, tenant: Tenant, **kwargs: Any) -> dict[str, Any]:
    questions = [
        nps_question(LANGS),
        csat_question(LANGS),
        choice_question(LANGS, "single_choice", "why"),
        choice_question(LANGS, "multiple_choice", "liked"),
        comment_question(LANGS),
    ]
    return create_survey(http, tenant, languages=LANGS, questions=questions, **kwargs)


def submit(
    http: httpx.Client, tenant: Tenant, body: dict[str, Any], **headers: str
) -> httpx.Response:
    return http.post("/api/v1/responses", json=body, headers={**tenant.headers(), **headers})


def problems(resp: httpx.Response) -> dict[str, str]:
    return {d["field"]: d["message"] for d in resp.json()["error"]["details"]}


def test_one_response_is_stored_with_its_answers(db: Session, http: httpx.Client) -> None:
    tenant = make_tenant(db)
    touchpoint = make_touchpoint(http, tenant, channel="store")
    survey = full_survey(http, tenant, touchpoint_id=touchpoint["id"])
    answers = {
        "nps": 9,
        "csat": "4",
        "why": "fast",
        "liked": ["kind", "cheap"],
        "comment": "Tốt lắm",
    }
    resp = submit(
        http, tenant, {"survey_id": survey["id"], "answers": answers, "language": "vi-VN"}
    )
    assert resp.status_code == 201, resp.text
    body = resp.json()
    assert body["answers"] == {
        "nps": 9,
        "csat": 4,
        "why": ["fast"],
        "liked": ["kind", "cheap"],
        "comment": "Tốt lắm",
    }
    assert body["channel"] == "store" and body["touchpoint_id"] == touchpoint["id"]
    assert body["language"] == "vi" and body["source"] == "api" and body["duplicate"] is False

    stored = http.get(f"/api/v1/responses/{body['id']}", headers=tenant.headers()).json()
    assert (
        stored["answers"]["comment"] == "Tốt lắm" and stored["version_id"] == survey["version_id"]
    )


def test_out_of_range_and_wrong_kind_answers_are_refused(db: Session, http: httpx.Client) -> None:
    tenant = make_tenant(db)
    survey = full_survey(http, tenant)
    cases = [
        ({"nps": 11}, "answers.nps", "from 0 to 10, got 11"),
        ({"nps": -1}, "answers.nps", "got -1"),
        ({"nps": 5, "csat": 0}, "answers.csat", "from 1 to 5, got 0"),
        ({"nps": "great"}, "answers.nps", "whole number"),
        ({"nps": 7.5}, "answers.nps", "whole number"),
        ({"nps": True}, "answers.nps", "whole number"),
        ({"nps": 5, "comment": 12}, "answers.comment", "must be text"),
        ({"nps": 5, "why": "slow"}, "answers.why", "'slow' is not an option"),
        ({"nps": 5, "liked": "fast"}, None, None),  # a single key is accepted for multiple choice
        ({"nps": 5, "liked": ["fast", 3]}, "answers.liked", "list of option keys"),
        ({"csat": 5}, "answers.nps", "is required"),
        ({"nps": 5, "color": "red"}, "answers.color", "no such question"),
    ]
    accepted = 0
    for answers, field, message in cases:
        resp = submit(http, tenant, {"survey_id": survey["id"], "answers": answers})
        if field is None:
            assert resp.status_code == 201, resp.text
            accepted += 1
            continue
        assert resp.status_code == 422, (answers, resp.text)
        assert message in problems(resp)[field], (answers, resp.json())
        assert field in resp.json()["error"]["message"]
    assert len(responses_of(http, tenant, survey["id"])) == accepted


def test_every_problem_of_one_response_is_listed(db: Session, http: httpx.Client) -> None:
    tenant = make_tenant(db)
    survey = full_survey(http, tenant)
    resp = submit(http, tenant, {"survey_id": survey["id"], "answers": {"csat": 9, "why": "x"}})
    assert resp.status_code == 422
    assert set(problems(resp)) == {"answers.nps", "answers.csat", "answers.why"}


def test_unknown_survey_malformed_json_and_bad_fields(db: Session, http: httpx.Client) -> None:
    tenant = make_tenant(db)
    survey = full_survey(http, tenant)
    resp = submit(http, tenant, {"survey_id": "nope", "answers": {"nps": 1}})
    assert (
        resp.status_code == 404
        and "survey 'nope' does not exist" in resp.json()["error"]["message"]
    )

    resp = http.post(
        "/api/v1/responses",
        content=b'{"survey_id": "x", "answers": {',
        headers={**tenant.headers(), "Content-Type": "application/json"},
    )
    assert resp.status_code == 422 and "malformed JSON" in resp.json()["error"]["message"]

    resp = submit(http, tenant, {"answers": {"nps": 1}})
    assert resp.status_code == 422 and "survey_id" in problems(resp)
    resp = submit(
        http, tenant, {"survey_id": survey["id"], "answers": {"nps": 1}, "channel": "pigeon"}
    )
    assert resp.status_code == 422 and "channel" in problems(resp)
    resp = submit(
        http,
        tenant,
        {"survey_id": survey["id"], "answers": {"nps": 1}, "submitted_at": "2099-01-01T00:00:00Z"},
    )
    assert resp.status_code == 422 and "future" in problems(resp)["submitted_at"]
    resp = submit(
        http, tenant, {"survey_id": survey["id"], "answers": {"nps": 1}, "touchpoint_id": "nope"}
    )
    assert resp.status_code == 404 and "touchpoint 'nope'" in resp.json()["error"]["message"]
    resp = submit(
        http,
        tenant,
        {"survey_id": survey["id"], "answers": {"nps": 1}, "contact": {"id": "nobody"}},
    )
    assert resp.status_code == 404 and "nobody" in resp.json()["error"]["message"]
    assert responses_of(http, tenant, survey["id"]) == []


def test_same_idempotency_key_stores_one_response(db: Session, http: httpx.Client) -> None:
    tenant = make_tenant(db)
    survey = full_survey(http, tenant)
    body = {"survey_id": survey["id"], "answers": {"nps": 10}}
    first = submit(http, tenant, body, **{"Idempotency-Key": "order-42"})
    assert first.status_code == 201 and first.json()["duplicate"] is False
    second = submit(
        http, tenant, {**body, "answers": {"nps": 0}}, **{"Idempotency-Key": "order-42"}
    )
    assert second.status_code == 200 and second.json()["duplicate"] is True
    assert second.json()["id"] == first.json()["id"] and second.json()["answers"]["nps"] == 10
    third = submit(http, tenant, {**body, "idempotency_key": "order-42"})
    assert third.status_code == 200 and third.json()["id"] == first.json()["id"]
    assert len(responses_of(http, tenant, survey["id"])) == 1

    # keys are per workspace: another workspace may use the same key
    other = make_tenant(db, "Other")
    theirs = full_survey(http, other)
    resp = submit(
        http,
        other,
        {"survey_id": theirs["id"], "answers": {"nps": 3}},
        **{"Idempotency-Key": "order-42"},
    )
    assert resp.status_code == 201


def test_roles_and_workspaces(db: Session, http: httpx.Client) -> None:
    from cxloop.core.security import Role

    tenant = make_tenant(db)
    survey = full_survey(http, tenant)
    stored = submit(http, tenant, {"survey_id": survey["id"], "answers": {"nps": 8}}).json()

    other = make_tenant(db, "Other", role=Role.analyst)
    resp = submit(http, other, {"survey_id": survey["id"], "answers": {"nps": 8}})
    assert resp.status_code == 404
    assert http.get(f"/api/v1/responses/{stored['id']}", headers=other.headers()).status_code == 404

    viewer = make_tenant(db, role=Role.viewer)
    resp = http.post(
        "/api/v1/responses", json={"survey_id": "x", "answers": {}}, headers=viewer.headers()
    )
    assert resp.status_code == 403 and "analyst" in resp.json()["error"]["message"]
    assert len(responses_of(http, tenant, survey["id"])) == 1

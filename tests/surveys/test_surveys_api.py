"""Surveys API: definitions with translations, validation, versions, publishing and closing."""

from __future__ import annotations

import httpx
from sqlalchemy.orm import Session

from cxloop.core.security import Role
from tests.factories import make_tenant
from tests.surveys.helpers import (
    comment_question,
    create_survey,
    csat_question,
    nps_question,
    survey_body,
    token_of,
)


def error_of(resp: httpx.Response) -> str:
    error = resp.json()["error"]
    return " | ".join(
        [error["message"], *(f"{d['field']}: {d['message']}" for d in error["details"])]
    )


def test_create_and_read_a_survey(db: Session, http: httpx.Client) -> None:
    tenant = make_tenant(db)
    survey = create_survey(http, tenant, languages=["en", "vi"], publish=False)
    assert survey["status"] == "draft" and survey["version"] == 1
    assert survey["languages"] == ["en", "vi"] and survey["default_language"] == "en"
    assert [q["key"] for q in survey["questions"]] == ["nps", "comment"]
    assert survey["questions"][0]["scale_min"] == 0 and survey["questions"][0]["scale_max"] == 10
    assert len(token_of(survey)) >= 20  # unguessable

    got = http.get(f"/api/v1/surveys/{survey['id']}", headers=tenant.headers())
    assert (
        got.status_code == 200
        and got.json()["texts"]["vi"]["title"] == survey["texts"]["vi"]["title"]
    )
    listed = http.get("/api/v1/surveys", params={"status": "draft"}, headers=tenant.headers())
    assert [s["id"] for s in listed.json()] == [survey["id"]]


def test_definition_errors_name_the_field(db: Session, http: httpx.Client) -> None:
    tenant = make_tenant(db)
    langs = ["en", "vi"]

    dupes = survey_body(langs, questions=[nps_question(langs), nps_question(langs)])
    resp = http.post("/api/v1/surveys", json=dupes, headers=tenant.headers())
    assert resp.status_code == 422 and "duplicate keys nps" in error_of(resp)

    missing = survey_body(langs)
    del missing["questions"][1]["texts"]["vi"]
    resp = http.post("/api/v1/surveys", json=missing, headers=tenant.headers())
    assert resp.status_code == 422 and "vi: q.comment.prompt" in error_of(resp)
    missing["default_language"] = "vi"
    resp = http.post("/api/v1/surveys", json=missing, headers=tenant.headers())
    assert resp.status_code == 422 and "questions.comment.texts.vi" in error_of(resp)

    bad_kind = survey_body(langs)
    bad_kind["questions"][0]["kind"] = "stars"
    resp = http.post("/api/v1/surveys", json=bad_kind, headers=tenant.headers())
    assert resp.status_code == 422 and "questions.0.kind" in error_of(resp)

    bad_scale = survey_body(
        langs, questions=[{**csat_question(langs), "scale_min": 1, "scale_max": 2}]
    )
    resp = http.post("/api/v1/surveys", json=bad_scale, headers=tenant.headers())
    assert resp.status_code == 422 and "scale" in error_of(resp)

    resp = http.post(
        "/api/v1/surveys", json=survey_body(langs, touchpoint_id="nope"), headers=tenant.headers()
    )
    assert resp.status_code == 404 and "touchpoint 'nope'" in error_of(resp)

    resp = http.post(
        "/api/v1/surveys",
        content=b'{"name": "x",',
        headers={**tenant.headers(), "Content-Type": "application/json"},
    )
    assert resp.status_code == 422 and "malformed JSON" in error_of(resp)

    assert http.get("/api/v1/surveys", headers=tenant.headers()).json() == []


def test_a_draft_is_edited_in_place(db: Session, http: httpx.Client) -> None:
    tenant = make_tenant(db)
    survey = create_survey(http, tenant, publish=False)
    body = survey_body(["en", "vi"], name="Renamed", publish=False)
    body["questions"][0]["texts"]["en"]["prompt"] = "Would you recommend us?"
    body.pop("publish")
    resp = http.put(f"/api/v1/surveys/{survey['id']}", json=body, headers=tenant.headers())
    assert resp.status_code == 200, resp.text
    assert resp.json()["version"] == 1 and resp.json()["version_id"] == survey["version_id"]
    assert resp.json()["name"] == "Renamed"
    assert resp.json()["questions"][0]["texts"]["en"]["prompt"] == "Would you recommend us?"
    versions = http.get(f"/api/v1/surveys/{survey['id']}/versions", headers=tenant.headers())
    assert [v["number"] for v in versions.json()] == [1]


def test_editing_a_live_survey_makes_a_new_version(db: Session, http: httpx.Client) -> None:
    tenant = make_tenant(db)
    survey = create_survey(http, tenant)
    first = http.post(
        "/api/v1/responses",
        json={"survey_id": survey["id"], "answers": {"nps": 9, "comment": "good"}},
        headers=tenant.headers(),
    )
    assert first.status_code == 201 and first.json()["version_id"] == survey["version_id"]

    langs = ["en", "vi"]
    body = survey_body(langs, questions=[nps_question(langs), csat_question(langs)])
    body.pop("publish")
    edited = http.put(f"/api/v1/surveys/{survey['id']}", json=body, headers=tenant.headers())
    assert edited.status_code == 200, edited.text
    assert edited.json()["version"] == 2 and edited.json()["version_id"] != survey["version_id"]
    assert edited.json()["status"] == "live"

    # new answers follow version 2: its new question is accepted, the removed one is not
    second = http.post(
        "/api/v1/responses",
        json={"survey_id": survey["id"], "answers": {"nps": 7, "csat": 4}},
        headers=tenant.headers(),
    )
    assert second.status_code == 201 and second.json()["version_id"] == edited.json()["version_id"]
    stale = http.post(
        "/api/v1/responses",
        json={"survey_id": survey["id"], "answers": {"nps": 7, "comment": "old form"}},
        headers=tenant.headers(),
    )
    assert stale.status_code == 422 and "answers.comment" in error_of(stale)

    # the old response still points at version 1, with its answers
    old = http.get(f"/api/v1/responses/{first.json()['id']}", headers=tenant.headers()).json()
    assert old["version_id"] == survey["version_id"] and old["answers"]["comment"] == "good"
    versions = http.get(f"/api/v1/surveys/{survey['id']}/versions", headers=tenant.headers()).json()
    assert [(v["number"], v["responses"]) for v in versions] == [(2, 1), (1, 1)]


def test_cannot_publish_or_save_with_missing_translations(db: Session, http: httpx.Client) -> None:
    tenant = make_tenant(db)
    langs = ["en", "vi"]
    body = survey_body(langs, publish=True)
    del body["texts"]["vi"]
    resp = http.post("/api/v1/surveys", json=body, headers=tenant.headers())
    assert resp.status_code == 422 and "vi: survey.title, survey.intro" in error_of(resp)
    assert http.get("/api/v1/surveys", headers=tenant.headers()).json() == []

    # a draft may declare a language before its texts exist (translators fill them in) ...
    draft = create_survey(http, tenant, languages=["en"], publish=False)
    add_thai = survey_body(["en"], publish=False)
    add_thai["languages"] = ["en", "th"]
    add_thai.pop("publish")
    resp = http.put(f"/api/v1/surveys/{draft['id']}", json=add_thai, headers=tenant.headers())
    assert resp.status_code == 200 and resp.json()["languages"] == ["en", "th"]
    # ... but it is not published while they are missing: the 422 lists them per language
    status_url = f"/api/v1/surveys/{draft['id']}/status"
    resp = http.post(status_url, json={"status": "live"}, headers=tenant.headers())
    assert resp.status_code == 422
    [detail] = resp.json()["error"]["details"]
    assert detail["field"] == "translations.th"
    assert detail["keys"] == [
        "survey.title",
        "survey.intro",
        "survey.thanks",
        "q.nps.prompt",
        "q.comment.prompt",
    ]
    unchanged = http.get(f"/api/v1/surveys/{draft['id']}", headers=tenant.headers()).json()
    assert unchanged["status"] == "draft"


def test_publish_close_and_submissions(db: Session, http: httpx.Client) -> None:
    tenant = make_tenant(db)
    survey = create_survey(http, tenant, publish=False)
    answer = {"survey_id": survey["id"], "answers": {"nps": 10}}
    draft = http.post("/api/v1/responses", json=answer, headers=tenant.headers())
    assert draft.status_code == 409 and "draft" in error_of(draft)

    status_url = f"/api/v1/surveys/{survey['id']}/status"
    assert (
        http.post(status_url, json={"status": "live"}, headers=tenant.headers()).json()["status"]
        == "live"
    )
    assert http.post("/api/v1/responses", json=answer, headers=tenant.headers()).status_code == 201

    assert (
        http.post(status_url, json={"status": "closed"}, headers=tenant.headers()).status_code
        == 200
    )
    closed = http.post("/api/v1/responses", json=answer, headers=tenant.headers())
    assert closed.status_code == 410 and "closed" in error_of(closed)
    batch = http.post("/api/v1/responses/batch", json={"items": [answer]}, headers=tenant.headers())
    assert batch.status_code == 422 and "closed" in error_of(batch)

    back = http.post(status_url, json={"status": "draft"}, headers=tenant.headers())
    assert back.status_code == 409 and "draft" in error_of(back)
    bad = http.post(status_url, json={"status": "archived"}, headers=tenant.headers())
    assert bad.status_code == 422 and "status" in error_of(bad)


def test_survey_past_its_closing_time_is_gone(db: Session, http: httpx.Client) -> None:
    tenant = make_tenant(db)
    body = survey_body(["en"])
    body["closes_at"] = "2020-01-01T00:00:00Z"
    survey = http.post("/api/v1/surveys", json=body, headers=tenant.headers()).json()
    resp = http.post(
        "/api/v1/responses",
        json={"survey_id": survey["id"], "answers": {"nps": 5}},
        headers=tenant.headers(),
    )
    assert resp.status_code == 410 and "expired" in error_of(resp)
    assert http.get(f"/s/{token_of(survey)}").status_code == 410


def test_roles_and_workspaces(db: Session, http: httpx.Client) -> None:
    tenant = make_tenant(db)
    survey = create_survey(http, tenant)
    viewer = make_tenant(db, role=Role.viewer)
    resp = http.post("/api/v1/surveys", json=survey_body(), headers=viewer.headers())
    assert resp.status_code == 403 and "admin" in error_of(resp)
    assert http.get("/api/v1/surveys", headers=viewer.headers()).json() == []

    other = make_tenant(db, "Other")
    edit = {k: v for k, v in survey_body().items() if k != "publish"}
    for method, path, body in (
        ("GET", f"/api/v1/surveys/{survey['id']}", None),
        ("PUT", f"/api/v1/surveys/{survey['id']}", edit),
        ("GET", f"/api/v1/surveys/{survey['id']}/versions", None),
        ("POST", f"/api/v1/surveys/{survey['id']}/status", {"status": "closed"}),
        ("POST", f"/api/v1/surveys/{survey['id']}/links", {}),
    ):
        resp = http.request(method, path, json=body, headers=other.headers())
        assert resp.status_code == 404, (method, path, resp.text)
        assert survey["id"] in error_of(resp)
    mine = http.get(f"/api/v1/surveys/{survey['id']}", headers=tenant.headers()).json()
    assert mine["status"] == "live" and mine["version"] == 1


def test_optional_questions_need_at_least_one_answer(db: Session, http: httpx.Client) -> None:
    tenant = make_tenant(db)
    langs = ["en"]
    survey = create_survey(http, tenant, languages=langs, questions=[comment_question(langs)])
    ok = http.post(
        "/api/v1/responses",
        json={"survey_id": survey["id"], "answers": {"comment": "  Fine  "}},
        headers=tenant.headers(),
    )
    assert ok.status_code == 201 and ok.json()["answers"] == {"comment": "Fine"}
    empty = http.post(
        "/api/v1/responses",
        json={"survey_id": survey["id"], "answers": {"comment": "   "}},
        headers=tenant.headers(),
    )
    assert empty.status_code == 422 and "at least one question" in error_of(empty)

"""Single submissions arriving together share a commit; each is stored once and answered."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
from sqlalchemy.orm import Session

from tests.factories import Tenant, make_tenant
from tests.surveys.helpers import create_survey, responses_of


def _post_all(server: str, tenant: Tenant, bodies: list[dict[str, Any]]) -> list[httpx.Response]:
    def post(body: dict[str, Any]) -> httpx.Response:
        with httpx.Client(base_url=server, headers=tenant.headers(), timeout=60) as client:
            return client.post("/api/v1/responses", json=body)

    with ThreadPoolExecutor(max_workers=16) as pool:
        return list(pool.map(post, bodies))


def test_concurrent_submissions_are_all_stored(
    db: Session, http: httpx.Client, server: str
) -> None:
    tenant = make_tenant(db, "Rush")
    survey = create_survey(http, tenant, languages=["en"])
    bodies = [
        {"survey_id": survey["id"], "answers": {"nps": n % 11, "comment": f"c{n}"}}
        for n in range(48)
    ]
    results = _post_all(server, tenant, bodies)
    assert [r.status_code for r in results] == [201] * 48, [r.text for r in results][:3]
    ids = {r.json()["id"] for r in results}
    assert len(ids) == 48
    stored = responses_of(http, tenant, survey["id"])
    assert {r["id"] for r in stored} == ids
    assert sorted(r["answers"]["comment"] for r in stored) == sorted(f"c{n}" for n in range(48))


def test_the_same_idempotency_key_sent_together_is_stored_once(
    db: Session, http: httpx.Client, server: str
) -> None:
    tenant = make_tenant(db, "Retry")
    survey = create_survey(http, tenant, languages=["en"])
    body = {"survey_id": survey["id"], "answers": {"nps": 9}, "idempotency_key": "order-77"}
    results = _post_all(server, tenant, [body] * 24)
    codes = sorted(r.status_code for r in results)
    assert codes == [200] * 23 + [201], [r.text for r in results if r.status_code >= 300][:2]
    assert len({r.json()["id"] for r in results}) == 1
    assert all(r.json()["duplicate"] == (r.status_code == 200) for r in results)
    assert len(responses_of(http, tenant, survey["id"])) == 1


def test_a_bad_submission_in_a_crowd_fails_alone(
    db: Session, http: httpx.Client, server: str
) -> None:
    tenant = make_tenant(db, "Crowd")
    survey = create_survey(http, tenant, languages=["en"])
    good = [{"survey_id": survey["id"], "answers": {"nps": 7}} for _ in range(20)]
    bad = {"survey_id": survey["id"], "answers": {"nps": 11}}
    results = _post_all(server, tenant, [*good[:10], bad, *good[10:]])
    assert sorted(r.status_code for r in results) == [201] * 20 + [422]
    assert len(responses_of(http, tenant, survey["id"])) == 20


def test_submissions_for_one_new_contact_sent_together_create_it_once(
    db: Session, http: httpx.Client, server: str
) -> None:
    tenant = make_tenant(db, "Newcomer")
    survey = create_survey(http, tenant, languages=["en"])
    rounds = []
    for n in range(4):  # the race is a matter of timing: several rounds make it show
        contact = {"external_id": f"new-{n}", "name": "Nam"}
        body = {"survey_id": survey["id"], "answers": {"nps": 8}, "contact": contact}
        rounds.append(_post_all(server, tenant, [body] * 12))
    for results in rounds:
        assert [r.status_code for r in results] == [201] * 12, [r.text for r in results][:3]
        assert len({r.json()["contact_id"] for r in results}) == 1
    contacts = http.get("/api/v1/contacts", headers=tenant.headers()).json()["items"]
    assert sorted(c["external_id"] for c in contacts) == [f"new-{n}" for n in range(4)]

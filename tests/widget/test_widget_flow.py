"""The widget's round trip over HTTP: a tracked event offers the survey through governance, the
answer is stored once for the right contact, and the invitation's outcome is explainable."""

from __future__ import annotations

import httpx
from sqlalchemy.orm import Session

from tests.events.helpers import add_trigger, make_program
from tests.factories import make_tenant

SHOP = "https://shop.example"


def test_a_widget_event_offers_the_survey_and_the_answer_is_stored_once(
    db: Session, http: httpx.Client
) -> None:
    tenant = make_tenant(db, "WidgetFlow")
    h = tenant.headers()
    program = make_program(http, tenant)
    add_trigger(
        http,
        tenant,
        event="checkout_completed",
        survey_id=program.survey_id,
        channel="widget",
        delay_seconds=3,
    )
    add_trigger(  # an email trigger on the same event: never fired by the public widget
        http, tenant, event="checkout_completed", survey_id=program.survey_id, channel="email"
    )
    key = http.get("/api/v1/widget", headers=h).json()["key"]
    http.put("/api/v1/widget/origins", json={"allowed_origins": [SHOP]}, headers=h)
    origin = {"Origin": SHOP}
    body = {
        "event": "checkout_completed",
        "visitor": {"external_id": "shopper-1", "language": "vi-VN"},
        "properties": {"order_id": "A-7"},
        "languages": ["vi-VN", "en"],
    }
    tracked = http.post(f"/w/{key}/events", json=body, headers=origin)
    assert tracked.status_code == 200, tracked.text
    survey = tracked.json()["survey"]
    assert survey is not None
    assert survey["language"] == "vi" and survey["delay_seconds"] == 3
    assert survey["nps"]["prompt"] == "Bạn có sẵn lòng giới thiệu chúng tôi?"
    assert survey["comment"] == {"key": "comment", "prompt": "Vì sao?"}

    assert http.post(f"/w/{key}/seen", json={"prompt": survey["prompt"]}, headers=origin).is_success
    bad = http.post(
        f"/w/{key}/responses",
        json={"prompt": survey["prompt"], "answers": {"nps": 11}},
        headers=origin,
    )
    assert bad.status_code == 422 and "nps" in bad.json()["error"]["message"]
    answer = {"prompt": survey["prompt"], "answers": {"nps": 3, "comment": "Chậm quá"}}
    stored = http.post(f"/w/{key}/responses", json=answer, headers=origin)
    assert stored.status_code == 200, stored.text
    again = http.post(f"/w/{key}/responses", json=answer, headers=origin)
    assert again.json() == {"response_id": stored.json()["response_id"], "duplicate": True}

    response = http.get(f"/api/v1/responses/{stored.json()['response_id']}", headers=h).json()
    contact = http.get("/api/v1/contacts", params={"external_id": "shopper-1"}, headers=h).json()[
        "items"
    ][0]
    assert response["contact_id"] == contact["id"]
    assert response["survey_id"] == program.survey_id
    assert response["answers"] == {"nps": 3, "comment": "Chậm quá"}
    assert response["language"] == "vi" and response["hidden"] == {"order_id": "A-7"}

    firings = http.get(f"/api/v1/contacts/{contact['id']}/survey-triggers", headers=h).json()
    assert [f["channel"] for f in firings] == ["widget"]  # the email trigger did not fire
    assert firings[0]["outcome"] == "offered" and firings[0]["invitation_id"]

    forged = http.post(
        f"/w/{key}/responses", json={"prompt": "f" * 32, "answers": {"nps": 10}}, headers=origin
    )
    assert forged.status_code == 404 and "not offered" in forged.json()["error"]["message"]

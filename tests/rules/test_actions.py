"""Actions other than cases: a follow-up email in the customer's language, webhooks, adding the
contact to a segment; each effect once, skips logged with their reason."""

from __future__ import annotations

from tests.rules.conftest import Shop

DETRACTOR = {"all": [{"field": "nps", "op": "lte", "value": 6}]}
FOLLOW_UP = {
    "type": "follow_up_email",
    "texts": {
        "en": {"subject": "Sorry, {contact.name}", "body": "You gave us {nps}. We will call."},
        "vi": {"subject": "Xin lỗi {contact.name}", "body": "Bạn chấm {nps} điểm."},
    },
    "fallback_language": "en",
}


def test_follow_up_email_goes_in_the_contacts_language_or_the_fallback(shop: Shop) -> None:
    rule = shop.rule(DETRACTOR, [FOLLOW_UP])
    lan = shop.contact(email="lan@example.com", name="Lan", language="vi")
    hans = shop.contact(email="hans@example.com", name="Hans", language="de")
    nobody = shop.contact(name="No Mail", language="vi")
    shop.say(2, contact={"id": lan})
    shop.say(4, contact={"id": hans})
    third = shop.say(5, contact={"id": nobody})
    shop.evaluate(times=2)

    emails = {j.payload["to"]: j.payload for j in shop.jobs("notify.email")}
    assert set(emails) == {"lan@example.com", "hans@example.com"}
    assert emails["lan@example.com"]["subject"] == "Xin lỗi Lan"
    assert emails["lan@example.com"]["text"] == "Bạn chấm 2 điểm."
    assert emails["lan@example.com"]["language"] == "vi"
    assert emails["lan@example.com"]["purpose"] == "follow_up"
    assert emails["lan@example.com"]["contact_id"] == lan
    assert emails["hans@example.com"]["language"] == "en"
    assert emails["hans@example.com"]["subject"] == "Sorry, Hans"
    skipped = [r for r in shop.runs(rule["id"]) if r.subject_id == third]
    assert skipped[0].outcome == "matched"
    assert skipped[0].actions[0]["skipped"] == "the contact has no email address"


def test_webhook_and_slack_actions_queue_deliveries_once(shop: Shop) -> None:
    from cxloop.notifications import service as notifications
    from cxloop.notifications.schemas import EndpointCreate

    hook = notifications.create_endpoint(
        shop.db, shop.ws, EndpointCreate(name="CRM", url="https://crm.example.com/hook")
    )
    slack = notifications.create_endpoint(
        shop.db,
        shop.ws,
        EndpointCreate(name="Slack", url="https://hooks.slack.example.com/x", kind="slack"),
    )
    shop.db.commit()
    wrong = shop.api(
        "POST",
        "/api/v1/rules",
        {
            "name": "w",
            "conditions": DETRACTOR,
            "actions": [{"type": "slack", "endpoint_id": hook.id}],
        },
    )
    assert wrong.status_code == 422 and "is not a Slack endpoint" in wrong.text
    missing = shop.api(
        "POST",
        "/api/v1/rules",
        {
            "name": "w",
            "conditions": DETRACTOR,
            "actions": [{"type": "webhook", "endpoint_id": "nope"}],
        },
    )
    assert missing.status_code == 422
    assert "actions[0].endpoint_id: endpoint 'nope' does not exist" in missing.text

    shop.rule(
        DETRACTOR,
        [{"type": "webhook", "endpoint_id": hook.id}, {"type": "slack", "endpoint_id": slack.id}],
    )
    response_id = shop.say(1, "Broken")
    shop.evaluate(times=2)
    deliveries = shop.jobs("webhook.deliver")
    assert sorted(d.payload["endpoint_id"] for d in deliveries) == sorted([hook.id, slack.id])
    data = deliveries[0].payload["data"]
    assert data["subject_id"] == response_id and "Detractors" in data["text"]
    assert deliveries[0].payload["event_type"] == "rule.matched"


def test_add_to_segment_makes_the_contact_a_member(shop: Shop) -> None:
    segment = shop.api(
        "POST",
        "/api/v1/segments",
        {
            "name": "Call back",
            "definition": {"conditions": [{"field": "language", "op": "eq", "value": "zz"}]},
        },
    ).json()
    assert segment["members"] == 0
    shop.rule(DETRACTOR, [{"type": "add_to_segment", "segment_id": segment["id"]}])
    contact = shop.contact(email="sad@example.com")
    shop.say(0, contact={"id": contact})
    shop.say(9, contact={"email": "glad@example.com"})
    shop.evaluate(times=2)
    after = shop.api("GET", f"/api/v1/segments/{segment['id']}").json()
    assert after["members"] == 1
    in_segment = {"field": "segment", "op": "eq", "value": segment["id"]}
    preview = shop.api("POST", "/api/v1/rules/preview", {"conditions": {"all": [in_segment]}})
    assert preview.json()["matched"] == 1

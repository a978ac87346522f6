"""The condition language on real responses (through the preview, which runs no action):
and / or / not, keywords in Vietnamese, segments, contact attributes, answers."""

from __future__ import annotations

import unicodedata
from typing import Any

from tests.rules.conftest import Shop


def matched(
    shop: Shop, conditions: dict[str, Any], trigger: str = "response.submitted"
) -> set[str]:
    resp = shop.api("POST", "/api/v1/rules/preview", {"trigger": trigger, "conditions": conditions})
    assert resp.status_code == 200, resp.text
    return {m["id"] for m in resp.json()["matches"]}


def test_and_or_not(shop: Shop) -> None:
    low_late = shop.say(2, "The parcel was late")
    low = shop.say(4, "Rude driver")
    mid = shop.say(7, "Late but fine")
    high = shop.say(10)
    late = {"field": "comment", "op": "contains", "value": "late"}
    assert matched(shop, {"all": [{"field": "nps", "op": "lte", "value": 6}, late]}) == {low_late}
    assert matched(shop, {"any": [{"field": "nps", "op": "lt", "value": 3}, late]}) == {
        low_late,
        mid,
    }
    assert matched(shop, {"not": {"any": [late, {"field": "nps", "op": "gte", "value": 9}]}}) == {
        low
    }
    assert matched(shop, {"all": [{"field": "comment", "op": "exists", "value": False}]}) == {high}
    assert matched(shop, {"all": [{"field": "nps", "op": "in", "value": [2, 10]}]}) == {
        low_late,
        high,
    }
    assert matched(shop, {"all": [{"field": "comment", "op": "matches", "value": "^R\\w+ d"}]}) == {
        low
    }
    assert matched(
        shop, {"all": [{"field": "answer.comment", "op": "contains", "value": "RUDE"}]}
    ) == {low}
    everything = {low_late, low, mid, high}
    touchpoint = {"field": "touchpoint", "op": "eq", "value": shop.touchpoint["name"]}
    assert (
        matched(shop, {"all": [touchpoint, {"field": "channel", "op": "eq", "value": "web"}]})
        == everything
    )
    assert (
        matched(shop, {"all": [{"field": "survey", "op": "eq", "value": shop.survey["id"]}]})
        == everything
    )


def test_keywords_match_vietnamese_text_whatever_its_case_and_unicode_form(shop: Shop) -> None:
    slow = shop.say(3, "GIAO HÀNG CHẬM quá, tôi rất thất vọng", language="vi")
    decomposed = shop.say(4, unicodedata.normalize("NFD", "Nhân viên giao hàng chậm"), "vi")
    refund = shop.say(5, "Tôi muốn hoàn tiền", language="vi")
    shop.say(6, "Giao hàng nhanh, cảm ơn", language="vi")
    shop.say(5, "I love chocolate")
    words = {"field": "keyword", "op": "contains", "value": ["giao hàng chậm", "hoàn tiền"]}
    assert matched(shop, {"all": [words]}) == {slow, decomposed, refund}
    # whole words where words are separated by spaces: "late" is not in "chocolate"
    assert (
        matched(shop, {"all": [{"field": "keyword", "op": "contains", "value": "late"}]}) == set()
    )
    vi = {"field": "language", "op": "eq", "value": "vi"}
    assert len(matched(shop, {"all": [vi]})) == 4


def test_segment_and_contact_attribute_conditions(shop: Shop) -> None:
    pro = shop.contact(
        email="pro@example.com", name="Pro", attributes={"plan": "pro", "orders": 12}
    )
    free = shop.contact(email="free@example.com", attributes={"plan": "free", "orders": 1})
    segment = shop.api(
        "POST",
        "/api/v1/segments",
        {
            "name": "Pro plan",
            "definition": {
                "conditions": [{"field": "attribute", "key": "plan", "op": "eq", "value": "pro"}]
            },
        },
    )
    assert segment.status_code == 201, segment.text
    from_pro = shop.say(3, contact={"id": pro})
    from_free = shop.say(3, contact={"id": free})
    anonymous = shop.say(3)
    in_segment = {"field": "segment", "op": "eq", "value": segment.json()["id"]}
    assert matched(shop, {"all": [in_segment]}) == {from_pro}
    assert matched(shop, {"all": [{"not": in_segment}]}) == {from_free, anonymous}
    assert matched(shop, {"all": [{"field": "contact.orders", "op": "gte", "value": 10}]}) == {
        from_pro
    }
    assert matched(
        shop, {"all": [{"field": "contact.plan", "op": "in", "value": ["free", "trial"]}]}
    ) == {from_free}

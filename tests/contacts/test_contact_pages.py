from __future__ import annotations

import re

import httpx
from sqlalchemy.orm import Session

from cxloop.contacts import service as contacts
from cxloop.interactions import service as interactions
from cxloop.interactions.schemas import InteractionCreate
from tests.contacts.web import login
from tests.interactions.shop import make_shop

EVIL_NAME = "<script>alert('x')</script> Mai"


def test_contact_page_shows_the_timeline_across_channels_escaped(
    db: Session, http: httpx.Client
) -> None:
    shop = make_shop(db)
    ws = shop.tenant.workspace.id
    contact = contacts.create_contact(
        db, ws, external_id="m-1", name=EVIL_NAME, language="vi", attributes={"plan": "<b>gold</b>"}
    )
    events = [
        ("order", "checkout", "2024-04-01T12:00:00Z", "first order"),
        ("chat", "help-chat", "2024-04-03T08:00:00Z", "<img src=x onerror=alert(1)> where is it?"),
        ("call", "support-call", "2024-04-02T16:30:00Z", "called about delivery"),
    ]
    for kind, key, at, text in events:
        item = InteractionCreate.model_validate(
            {
                "kind": kind,
                "touchpoint_key": key,
                "occurred_at": at,
                "text": text,
                "contact_id": contact.id,
            }
        )
        interactions.create_interaction(db, ws, item)
    db.commit()

    assert http.get(f"/app/contacts/{contact.id}").status_code == 303  # not logged in
    login(http, shop.tenant)
    page = http.get(f"/app/contacts/{contact.id}")
    assert page.status_code == 200
    html = page.text
    assert "&lt;script&gt;alert(" in html
    assert "<script>alert" not in html
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt; where is it?" in html
    assert "&lt;b&gt;gold&lt;/b&gt;" in html
    texts = re.findall(r'<p class="cx-event-text">([^<]*)</p>', html)
    assert texts == [
        "&lt;img src=x onerror=alert(1)&gt; where is it?",
        "called about delivery",
        "first order",
    ]
    for badge in ("cx-ch-web", "cx-ch-phone", "cx-ch-chat", "cx-kind-order", "cx-kind-call"):
        assert badge in html
    assert "Help chat" in html and "Online shop" in html


def test_contact_list_searches_and_pages(db: Session, http: httpx.Client) -> None:
    shop = make_shop(db)
    ws = shop.tenant.workspace.id
    for i in range(55):
        contacts.create_contact(db, ws, name=f"Customer {i:02d}", email=f"c{i}@shop.example")
    contacts.create_contact(db, ws, name=EVIL_NAME, email="mai@example.vn")
    db.commit()
    login(http, shop.tenant)
    first = http.get("/app/contacts")
    assert first.status_code == 200
    assert "56 contacts" in first.text
    assert first.text.count('href="/app/contacts/') == 50
    assert 'rel="next"' in first.text and 'rel="prev"' not in first.text
    second = http.get("/app/contacts", params={"offset": 50})
    assert second.text.count('href="/app/contacts/') == 6
    assert 'rel="prev"' in second.text and 'rel="next"' not in second.text
    found = http.get("/app/contacts", params={"q": "mai@"})
    assert "1 contact " in found.text
    assert "&lt;script&gt;" in found.text and "<script>alert" not in found.text

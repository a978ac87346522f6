from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy.orm import Session

from cxloop.accounts import service as accounts
from cxloop.core.security import Role
from tests.factories import Tenant, make_tenant


def _create(http: httpx.Client, tenant: Tenant, **body: Any) -> dict[str, Any]:
    resp = http.post("/api/v1/contacts", json=body, headers=tenant.headers())
    assert resp.status_code == 201, resp.text
    data: dict[str, Any] = resp.json()
    return data


def test_contact_is_created_with_normalised_language_and_email(
    db: Session, http: httpx.Client
) -> None:
    tenant = make_tenant(db)
    contact = _create(
        http,
        tenant,
        name="Ana Souza",
        email=" Ana@Example.COM ",
        language="pt-BR",
        attributes={"plan": "gold", "seats": 12, "vip": True},
    )
    assert contact["email"] == "ana@example.com"
    assert contact["language"] == "pt"
    fetched = http.get(f"/api/v1/contacts/{contact['id']}", headers=tenant.headers()).json()
    assert fetched["attributes"] == {"plan": "gold", "seats": 12, "vip": True}
    for tag, stored in (("vi", "vi"), ("TH", "th"), ("lt-LT", "lt"), ("en_GB", "en")):
        assert _create(http, tenant, language=tag)["language"] == stored


def test_bad_fields_are_refused_naming_the_field(db: Session, http: httpx.Client) -> None:
    tenant = make_tenant(db)
    h = tenant.headers()
    cases = [
        ({"language": "english please"}, "language"),
        ({"language": "1x"}, "language"),
        ({"email": "not-an-email"}, "email"),
        ({"attributes": {"address": {"city": "Hanoi"}}}, "attributes"),
        ({"attributes": {"tags": ["a", "b"]}}, "attributes"),
        ({"attributes": {"bad name!": 1}}, "attributes"),
    ]
    for body, field in cases:
        resp = http.post("/api/v1/contacts", json=body, headers=h)
        assert resp.status_code == 422, body
        assert resp.json()["error"]["details"][0]["field"] == field
        assert field in resp.json()["error"]["message"]
    assert http.get("/api/v1/contacts", headers=h).json()["total"] == 0
    malformed = http.post(
        "/api/v1/contacts",
        content=b'{"name": ',
        headers={**h, "Content-Type": "application/json"},
    )
    assert malformed.status_code == 422
    assert "JSON" in malformed.json()["error"]["message"]


def test_taken_external_id_or_email_is_a_conflict(db: Session, http: httpx.Client) -> None:
    tenant = make_tenant(db)
    _create(http, tenant, external_id="c-1", email="a@example.com")
    for body in ({"external_id": "c-1"}, {"email": "A@example.com"}):
        resp = http.post("/api/v1/contacts", json=body, headers=tenant.headers())
        assert resp.status_code == 409
        assert next(iter(body)) in resp.json()["error"]["message"]


def test_upsert_by_external_id_creates_then_merges(db: Session, http: httpx.Client) -> None:
    tenant = make_tenant(db)
    h = tenant.headers()
    url = "/api/v1/contacts/by-external-id/crm-42"
    first = http.put(
        url, json={"name": "Linh", "attributes": {"plan": "free", "city": "Hanoi"}}, headers=h
    )
    assert first.status_code == 201
    second = http.put(
        url, json={"language": "vi", "attributes": {"plan": "gold", "city": None}}, headers=h
    )
    assert second.status_code == 200
    body = second.json()
    assert body["id"] == first.json()["id"]
    assert (body["name"], body["language"], body["attributes"]) == ("Linh", "vi", {"plan": "gold"})
    assert http.get("/api/v1/contacts", headers=h).json()["total"] == 1
    found = http.get(url, headers=h)
    assert found.status_code == 200 and found.json()["id"] == body["id"]


def test_upsert_links_an_email_only_contact_and_upserts_by_email(
    db: Session, http: httpx.Client
) -> None:
    tenant = make_tenant(db)
    h = tenant.headers()
    known = _create(http, tenant, email="mai@example.com", name="Mai")
    linked = http.put(
        "/api/v1/contacts/by-external-id/shop-7", json={"email": "MAI@example.com"}, headers=h
    )
    assert linked.status_code == 200
    assert linked.json()["id"] == known["id"]
    assert linked.json()["external_id"] == "shop-7"
    by_email = http.put(
        "/api/v1/contacts/by-email/mai@example.com", json={"attributes": {"tier": 2}}, headers=h
    )
    assert by_email.status_code == 200
    assert by_email.json()["attributes"] == {"tier": 2}
    new = http.put("/api/v1/contacts/by-email/tuan@example.com", json={"name": "Tuan"}, headers=h)
    assert new.status_code == 201
    assert http.get("/api/v1/contacts", headers=h).json()["total"] == 2


def test_list_filters_by_attributes_fields_and_text(db: Session, http: httpx.Client) -> None:
    tenant = make_tenant(db)
    h = tenant.headers()
    _create(
        http,
        tenant,
        name="Gold Vip",
        email="g@x.io",
        language="en",
        attributes={"plan": "gold", "vip": True, "age": 42, "score": 1.5},
    )
    _create(
        http,
        tenant,
        name="Gold Plain",
        external_id="e-2",
        language="th",
        attributes={"plan": "gold", "vip": False, "age": 30},
    )
    _create(http, tenant, name="Free 42", attributes={"plan": "free", "age": "42"})

    def names(params: dict[str, str]) -> list[str]:
        resp = http.get("/api/v1/contacts", params=params, headers=h)
        assert resp.status_code == 200, resp.text
        return sorted(c["name"] for c in resp.json()["items"])

    assert names({"attr.plan": "gold"}) == ["Gold Plain", "Gold Vip"]
    assert names({"attr.plan": "gold", "attr.vip": "true"}) == ["Gold Vip"]
    assert names({"attr.vip": "false"}) == ["Gold Plain"]
    assert names({"attr.age": "42"}) == ["Free 42", "Gold Vip"]
    assert names({"attr.score": "1.5"}) == ["Gold Vip"]
    assert names({"attr.plan": "platinum"}) == []
    assert names({"language": "TH"}) == ["Gold Plain"]
    assert names({"email": "G@X.io"}) == ["Gold Vip"]
    assert names({"external_id": "e-2"}) == ["Gold Plain"]
    assert names({"q": "gold"}) == ["Gold Plain", "Gold Vip"]
    assert names({"q": "x.io"}) == ["Gold Vip"]
    assert names({"q": "%"}) == []
    bad = http.get("/api/v1/contacts", params={"attr.no way": "1"}, headers=h)
    assert bad.status_code == 422
    assert "attr.no way" in bad.json()["error"]["message"]


def test_pagination_reports_total_and_pages_do_not_overlap(db: Session, http: httpx.Client) -> None:
    tenant = make_tenant(db)
    for i in range(7):
        _create(http, tenant, name=f"P{i}")
    seen: list[str] = []
    for offset in (0, 3, 6):
        page = http.get(
            "/api/v1/contacts", params={"limit": 3, "offset": offset}, headers=tenant.headers()
        ).json()
        assert page["total"] == 7
        seen += [c["id"] for c in page["items"]]
    assert len(seen) == len(set(seen)) == 7
    too_big = http.get("/api/v1/contacts", params={"limit": 5000}, headers=tenant.headers())
    assert too_big.status_code == 422
    assert "limit" in too_big.json()["error"]["message"]


def test_update_and_delete_need_analyst(db: Session, http: httpx.Client) -> None:
    tenant = make_tenant(db)
    contact = _create(http, tenant, name="Old", attributes={"a": 1, "b": 2})
    viewer = {
        "Authorization": f"Bearer {accounts.create_api_key(db, tenant.workspace, Role.viewer)}"
    }
    db.commit()
    url = f"/api/v1/contacts/{contact['id']}"
    assert http.patch(url, json={"name": "New"}, headers=viewer).status_code == 403
    assert http.get(url, headers=viewer).json()["name"] == "Old"
    patched = http.patch(
        url, json={"name": "New", "attributes": {"a": None, "c": "x"}}, headers=tenant.headers()
    )
    assert patched.status_code == 200
    assert patched.json()["attributes"] == {"b": 2, "c": "x"}
    assert http.delete(url, headers=viewer).status_code == 403
    assert http.delete(url, headers=tenant.headers()).status_code == 204
    assert http.get(url, headers=tenant.headers()).status_code == 404

"""Segment pages: create with the guided condition or JSON, preview, edit, delete, errors."""

from __future__ import annotations

import json
import re
from typing import Any

import httpx
from sqlalchemy.orm import Session

from cxloop.accounts import service as accounts
from cxloop.core.security import Role
from tests.contacts.web import csrf_of, login
from tests.factories import make_tenant
from tests.segments.test_segments_api import build

EVIL = "<img src=x onerror=alert(1)> VIPs"


def blank(csrf: str, **fields: Any) -> dict[str, Any]:
    form = {
        "csrf": csrf,
        "name": "",
        "kind": "segment",
        "description": "",
        "match": "all",
        "conditions": "",
        "attr_key": "",
        "attr_op": "eq",
        "attr_value": "",
    }
    return {**form, **fields}


def members_by_name(html: str) -> dict[str, int]:
    rows = re.findall(
        r'<a href="/app/segments/\w+">([^<]*)</a>.*?<td class="num" data-members>([\d,]+)</td>',
        html,
        re.S,
    )
    return {name: int(n) for name, n in rows}


def test_create_preview_edit_and_delete_a_segment(db: Session, http: httpx.Client) -> None:
    tenant = make_tenant(db, "Segment pages")
    build(http, tenant)
    login(http, tenant)
    csrf = csrf_of(http.get("/app/segments").text)

    preview = http.post(
        "/app/segments/preview", data=blank(csrf, attr_key="orders", attr_op="gte", attr_value="3")
    )
    assert preview.status_code == 200
    assert re.search(r"selects <strong>3</strong> contacts", preview.text)  # c1, c3, c5
    assert 'name="attr_value" value="3"' in preview.text  # the form keeps what was typed
    assert members_by_name(http.get("/app/segments").text) == {}  # nothing saved

    made = http.post(
        "/app/segments",
        data=blank(csrf, name="Pro plan", attr_key="plan", attr_op="in", attr_value="pro, free"),
    )
    assert made.status_code == 303, made.text
    detractors = json.dumps([{"field": "score", "metric": "nps", "op": "lte", "value": 6}])
    persona = blank(
        csrf,
        name=EVIL,
        kind="persona",
        description="Big spenders <b>or</b> unhappy",
        match="any",
        conditions=detractors,
        attr_key="vip",
        attr_value="true",
    )
    assert http.post("/app/segments", data=persona).status_code == 303
    listing = http.get("/app/segments").text
    # plan in (pro, free): c1, c2, c5; VIP (c1, c5) or detractor (c1, c4): c1, c4, c5
    assert members_by_name(listing) == {"Pro plan": 3, "&lt;img src=x onerror=alert(1)&gt; VIPs": 3}
    assert "<img src=x" not in listing and "&lt;b&gt;or&lt;/b&gt;" in listing

    segment_id = re.findall(r'<a href="/app/segments/(\w+)">Pro plan</a>', listing)[0]
    edit = http.get(f"/app/segments/{segment_id}")
    assert edit.status_code == 200
    assert '"key": "plan"' in edit.text.replace("&#34;", '"')  # the JSON box holds the definition
    narrowed = [{"field": "attribute", "key": "plan", "op": "eq", "value": "pro"}]
    saved = http.post(
        f"/app/segments/{segment_id}",
        data=blank(csrf, name="Pro plan", conditions=json.dumps(narrowed)),
    )
    assert saved.status_code == 303
    assert re.search(r'id="segment-members">2<', http.get(saved.headers["location"]).text)

    gone = http.post(f"/app/segments/{segment_id}/delete", data={"csrf": csrf})
    assert gone.status_code == 303
    assert "Pro plan" not in members_by_name(http.get("/app/segments").text)
    assert http.get(f"/app/segments/{segment_id}").status_code == 404


def test_form_errors_name_the_field_and_keep_what_was_typed(
    db: Session, http: httpx.Client
) -> None:
    tenant = make_tenant(db, "Segment errors")
    build(http, tenant)
    login(http, tenant)
    csrf = csrf_of(http.get("/app/segments").text)

    unknown = http.post(
        "/app/segments", data=blank(csrf, name="Colours", attr_key="colour", attr_value="red")
    )
    assert unknown.status_code == 422
    assert "no contact has the attribute &#39;colour&#39;" in unknown.text
    assert "known: orders, plan, vip" in unknown.text
    assert 'name="name" value="Colours"' in unknown.text
    assert 'name="attr_key" value="colour"' in unknown.text

    broken = http.post("/app/segments", data=blank(csrf, name="Broken", conditions='[{"field": '))
    assert broken.status_code == 422
    assert "Conditions (JSON): Expecting value at line 1, column 11" in broken.text
    assert "[{&#34;field&#34;: </textarea>" in broken.text

    wrong_op = json.dumps([{"field": "language", "op": "like", "value": "v%"}])
    bad_op = http.post("/app/segments", data=blank(csrf, name="Lang", conditions=wrong_op))
    assert bad_op.status_code == 422 and "conditions[0].language.op" in bad_op.text

    numbers = http.post(
        "/app/segments",
        data=blank(csrf, name="Many", attr_key="plan", attr_op="gt", attr_value="x"),
    )
    assert numbers.status_code == 422 and "&#39;gt&#39; compares numbers" in numbers.text

    nothing = http.post("/app/segments", data=blank(csrf, name="Empty"))
    assert nothing.status_code == 422 and "Conditions: add a condition" in nothing.text

    ok = blank(csrf, name="Pro", attr_key="plan", attr_value="pro")
    assert http.post("/app/segments", data=ok).status_code == 303
    twice = http.post("/app/segments", data=ok)
    assert (
        twice.status_code == 409 and "a segment called &#39;Pro&#39; already exists" in twice.text
    )

    no_name = http.post("/app/segments", data={**ok, "name": " "})
    assert (
        no_name.status_code == 422
        and "Name: String should have at least 1 character" in no_name.text
    )


def test_viewer_reads_segments_but_cannot_change_them(db: Session, http: httpx.Client) -> None:
    tenant = make_tenant(db, "Segment viewer")
    build(http, tenant)
    body = {
        "name": "Pro",
        "definition": {"conditions": [{"field": "language", "op": "eq", "value": "vi"}]},
    }
    made = http.post("/api/v1/segments", json=body, headers=tenant.headers())
    assert made.status_code == 201
    segment_id = made.json()["id"]
    email = f"viewer-{tenant.workspace.slug}@example.com"
    accounts.create_user(db, email, "viewer password", workspace=tenant.workspace, role=Role.viewer)
    db.commit()
    tenant.email, tenant.password = email, "viewer password"
    login(http, tenant)
    listing = http.get("/app/segments")
    assert listing.status_code == 200
    assert members_by_name(listing.text) == {"Pro": 2}
    assert 'id="segment-form"' not in listing.text
    page = http.get(f"/app/segments/{segment_id}")
    assert page.status_code == 200 and 'id="segment-form"' not in page.text
    csrf = csrf_of(page.text)
    form = blank(csrf, name="Hijacked", attr_key="plan", attr_value="pro")
    assert http.post("/app/segments", data=form).status_code == 403
    assert http.post(f"/app/segments/{segment_id}", data=form).status_code == 403
    assert http.post(f"/app/segments/{segment_id}/delete", data={"csrf": csrf}).status_code == 403
    assert members_by_name(http.get("/app/segments").text) == {"Pro": 2}

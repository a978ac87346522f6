from __future__ import annotations

import re

import httpx
from sqlalchemy.orm import Session

from cxloop.accounts import service as accounts
from cxloop.core.security import Role
from tests.contacts.web import csrf_of, login
from tests.factories import make_tenant


def _columns(html: str) -> list[str]:
    return re.findall(r'<section class="jr-stage" aria-label="Stage \d+: ([^"]+)">', html)


def test_admin_builds_a_journey_with_forms(db: Session, http: httpx.Client) -> None:
    tenant = make_tenant(db)
    login(http, tenant)
    listing = http.get("/app/journeys")
    assert listing.status_code == 200
    csrf = csrf_of(listing.text)
    created = http.post(
        "/app/journeys", data={"name": "Store visit", "template": "five_es", "csrf": csrf}
    )
    assert created.status_code == 303
    url = created.headers["location"]
    page = http.get(url)
    assert _columns(page.text) == ["Entice", "Enter", "Engage", "Exit", "Extend"]

    stage_ids = re.findall(r'<option value="([0-9a-f]{32})">', page.text)
    added = http.post(
        f"{url}/touchpoints",
        data={
            "stage_id": stage_ids[2],
            "name": "Fitting room <3",
            "channel": "store",
            "key": "fitting",
            "csrf": csrf,
        },
    )
    assert added.status_code == 303
    assert http.post(f"{url}/stages", data={"name": "Advocate", "csrf": csrf}).status_code == 303
    moved = http.post(
        f"{url}/stages/{stage_ids[0]}/move", data={"direction": "right", "csrf": csrf}
    )
    assert moved.status_code == 303
    page = http.get(url)
    assert _columns(page.text) == ["Enter", "Entice", "Engage", "Exit", "Extend", "Advocate"]
    assert "Fitting room &lt;3" in page.text
    assert "cx-ch-store" in page.text

    bad = http.post(
        f"{url}/touchpoints",
        data={"stage_id": stage_ids[1], "name": "X", "channel": "pigeon", "csrf": csrf},
    )
    assert bad.status_code == 422
    assert "channel" in bad.text
    forged = http.post(f"{url}/stages", data={"name": "Sneaky", "csrf": "forged"})
    assert forged.status_code == 403
    assert "Sneaky" not in http.get(url).text


def test_viewer_sees_journeys_without_edit_forms(db: Session, http: httpx.Client) -> None:
    tenant = make_tenant(db)
    viewer_email = f"viewer-{tenant.workspace.slug}@example.com"
    accounts.create_user(
        db, viewer_email, "viewer password", workspace=tenant.workspace, role=Role.viewer
    )
    db.commit()
    tenant.email, tenant.password = viewer_email, "viewer password"
    login(http, tenant)
    page = http.get("/app/journeys")
    assert page.status_code == 200
    assert 'action="/app/journeys"' not in page.text
    csrf = csrf_of(page.text)
    refused = http.post("/app/journeys", data={"name": "Nope", "csrf": csrf})
    assert refused.status_code == 403
    assert "Nope" not in http.get("/app/journeys").text

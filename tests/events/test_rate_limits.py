"""A flood of events from one client gets 429 with Retry-After; other clients are unaffected."""

from __future__ import annotations

import httpx
from sqlalchemy.orm import Session

from cxloop.core.settings import Settings
from tests.events.helpers import second_server
from tests.factories import make_tenant


def test_a_flood_of_events_from_one_api_key_is_rate_limited(
    db: Session, settings: Settings, http: httpx.Client
) -> None:
    tenant = make_tenant(db, "Flood")
    other = make_tenant(db, "Calm")
    body = {"contact": {"email": "flood@example.com"}, "event": "page_viewed"}
    with (
        second_server(settings, events_rate_limit="4/minute") as url,
        httpx.Client(base_url=url, timeout=30) as client,
    ):
        codes = [
            client.post("/api/v1/events", json=body, headers=tenant.headers()).status_code
            for _ in range(4)
        ]
        assert codes == [200, 200, 200, 200]
        limited = client.post("/api/v1/events", json=body, headers=tenant.headers())
        assert limited.status_code == 429
        retry = int(limited.headers["Retry-After"])
        assert 1 <= retry <= 60
        message = limited.json()["error"]["message"]
        assert "too many events" in message and "4 per 1 minute" in message
        calm = client.post("/api/v1/events", json=body, headers=other.headers())
        assert calm.status_code == 200  # another key has its own budget
        batch = client.post(
            "/api/v1/events/batch", json={"items": [body]}, headers=tenant.headers()
        )
        assert batch.status_code == 429
    listed = http.get("/api/v1/interactions", headers=tenant.headers()).json()
    assert listed["total"] == 4  # what was accepted stays accepted

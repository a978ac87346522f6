"""The security headers come with every answer: API successes, API errors and pages."""

from __future__ import annotations

import httpx
from sqlalchemy.orm import Session

from tests.factories import make_tenant


def _has_security_headers(resp: httpx.Response) -> bool:
    return (
        resp.headers.get("x-content-type-options") == "nosniff"
        and resp.headers.get("referrer-policy") == "same-origin"
    )


def test_api_answers_and_errors_carry_the_security_headers(db: Session, http: httpx.Client) -> None:
    tenant = make_tenant(db, "Headers")
    ok = http.get("/api/v1/me", headers=tenant.headers())
    assert ok.status_code == 200, ok.text
    unauthorized = http.post("/api/v1/responses", json={})
    assert unauthorized.status_code == 401
    missing = http.get("/api/v1/no-such-endpoint", headers=tenant.headers())
    assert missing.status_code == 404
    for resp in (ok, unauthorized, missing):
        assert _has_security_headers(resp), (resp.request.url, dict(resp.headers))


def test_pages_and_static_files_carry_the_security_headers(http: httpx.Client) -> None:
    login = http.get("/login")
    assert login.status_code == 200
    css = http.get("/static/app.css")
    assert css.status_code == 200
    assert _has_security_headers(login) and _has_security_headers(css)

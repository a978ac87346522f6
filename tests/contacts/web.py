"""Logging in to the web app over real HTTP, as a browser without JavaScript would."""

from __future__ import annotations

import re

import httpx

from tests.factories import Tenant

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def csrf_of(html: str) -> str:
    match = CSRF.search(html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def login(http: httpx.Client, tenant: Tenant) -> None:
    """Logs ``http`` in as the tenant's owner (the session cookie stays in the client)."""
    form = http.get("/login")
    assert form.status_code == 200
    resp = http.post(
        "/login",
        data={
            "email": tenant.email,
            "password": tenant.password,
            "csrf": csrf_of(form.text),
            "next": "/app",
        },
    )
    assert resp.status_code == 303, resp.text

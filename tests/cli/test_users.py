"""`cxloop users create`: a user created on the command line can log in to the web app."""

from __future__ import annotations

import re
import uuid

import httpx

from cxloop.accounts import repository, service
from cxloop.core.security import Role
from tests.cli.conftest import Cli, assert_clean_error

PASSWORD = "correct horse battery"


def slug() -> str:
    return f"cli-{uuid.uuid4().hex[:10]}"


def web_login(http: httpx.Client, email: str, password: str) -> httpx.Response:
    form = http.get("/login")
    match = re.search(r'name="csrf" value="([^"]+)"', form.text)
    assert match, form.text
    data = {"email": email, "password": password, "csrf": match.group(1), "next": "/app"}
    return http.post("/login", data=data)


def test_created_user_logs_in_on_the_web_with_the_role(cli: Cli, http: httpx.Client) -> None:
    workspace, email = slug(), f"{slug()}@example.com"
    result = cli.run(
        "users",
        "create",
        email,
        "--workspace",
        workspace,
        "--role",
        "analyst",
        "--password",
        PASSWORD,
    )
    assert result.returncode == 0, result.stderr
    assert f"user {email} is analyst of {workspace}" in result.stdout

    assert web_login(http, email, "wrong password").status_code == 401
    login = web_login(http, email, PASSWORD)
    assert login.status_code == 303
    assert login.headers["location"] == "/app"
    with cli.session() as db:
        user = service.authenticate(db, email, PASSWORD)
        roles = {ws.slug: role for ws, role in service.workspaces_of(db, user.id)}
    assert roles == {workspace: Role.analyst}


def test_existing_user_joins_a_second_workspace_with_another_role(cli: Cli) -> None:
    first, second, email = slug(), slug(), f"{slug()}@example.com"
    cli.run(
        "users", "create", email, "--workspace", first, "--role", "viewer", "--password", PASSWORD
    )
    added = cli.run(
        "users", "create", email, "--workspace", second, "--role", "admin", "--password", PASSWORD
    )
    assert added.returncode == 0, added.stderr
    with cli.session() as db:
        user = service.authenticate(db, email, PASSWORD)
        roles = {ws.slug: role for ws, role in service.workspaces_of(db, user.id)}
    assert roles == {first: Role.viewer, second: Role.admin}


def test_bad_input_is_refused_with_a_message_and_stores_nothing(cli: Cli) -> None:
    workspace, email = slug(), f"{slug()}@example.com"
    create = ("users", "create", "--workspace", workspace)
    assert_clean_error(
        cli.run(*create, "not-an-email", "--password", PASSWORD), 1, "email: not a valid address"
    )
    assert_clean_error(
        cli.run(*create, email, "--password", "short"), 1, "password: use at least 8 characters"
    )
    assert_clean_error(
        cli.run(*create, email, "--role", "boss", "--password", PASSWORD),
        2,
        "Invalid value for '--role'",
        "'boss' is not one of",
    )
    assert_clean_error(
        cli.run("users", "create", email, "--workspace", "Bad Slug!", "--password", PASSWORD),
        1,
        "slug: use 2-80 lowercase letters",
    )
    with cli.session() as db:
        assert repository.user_by_email(db, email) is None
        assert repository.workspace_by_slug(db, workspace) is None

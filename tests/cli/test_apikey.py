"""`cxloop apikey create`: prints a key once; the key authenticates with its role."""

from __future__ import annotations

import uuid

import httpx

from cxloop.accounts import repository, service
from cxloop.core.security import Role
from tests.cli.conftest import Cli, assert_clean_error


def make_workspace(cli: Cli) -> str:
    workspace = f"cli-{uuid.uuid4().hex[:10]}"
    email = f"owner-{workspace}@example.com"
    result = cli.run("users", "create", email, "--workspace", workspace, "--password", "a" * 12)
    assert result.returncode == 0, result.stderr
    return workspace


def test_printed_key_authenticates_with_its_workspace_and_role(
    cli: Cli, http: httpx.Client
) -> None:
    workspace = make_workspace(cli)
    result = cli.run(
        "apikey", "create", "--workspace", workspace, "--role", "admin", "--name", "ci"
    )
    assert result.returncode == 0, result.stderr
    assert "will not be shown again" in result.stderr
    key = result.stdout.strip()
    assert key.startswith("cxk_") and "\n" not in key

    me = http.get("/api/v1/me", headers={"Authorization": f"Bearer {key}"})
    assert me.status_code == 200, me.text
    assert me.json()["workspace"]["slug"] == workspace
    assert me.json()["role"] == "admin"
    with cli.session() as db:
        principal = service.principal_from_api_key(db, key)
        ws = repository.workspace_by_slug(db, workspace)
        assert ws is not None and principal.workspace_id == ws.id
        assert principal.role == Role.admin
        stored = service.list_api_keys(db, ws.id)
    assert [k.name for k in stored] == ["ci"]
    assert all(key not in (k.key_hash, k.prefix) for k in stored)


def test_each_call_prints_a_new_key_and_the_default_role_is_analyst(cli: Cli) -> None:
    workspace = make_workspace(cli)
    keys = [cli.run("apikey", "create", "--workspace", workspace).stdout.strip() for _ in range(2)]
    assert keys[0] != keys[1]
    with cli.session() as db:
        assert {service.principal_from_api_key(db, k).role for k in keys} == {Role.analyst}


def test_bad_input_is_refused_with_a_message_and_creates_no_key(cli: Cli) -> None:
    workspace = make_workspace(cli)
    missing = f"nope-{uuid.uuid4().hex[:8]}"
    assert_clean_error(
        cli.run("apikey", "create", "--workspace", missing),
        1,
        f"workspace '{missing}' does not exist",
    )
    assert_clean_error(cli.run("apikey", "create"), 2, "Missing option '--workspace'")
    assert_clean_error(
        cli.run("apikey", "create", "--workspace", workspace, "--role", "root"),
        2,
        "Invalid value for '--role'",
    )
    with cli.session() as db:
        ws = repository.workspace_by_slug(db, workspace)
        assert ws is not None
        assert service.list_api_keys(db, ws.id) == []

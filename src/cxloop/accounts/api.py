"""REST API of the accounts feature: the caller's workspace and API keys."""

from __future__ import annotations

from fastapi import APIRouter

from cxloop.accounts import service
from cxloop.accounts.schemas import (
    ApiKeyCreate,
    ApiKeyCreated,
    ApiKeyRead,
    Me,
    WorkspaceRead,
    WorkspaceUpdate,
)
from cxloop.core.deps import ApiAdmin, ApiViewer, DbSession
from cxloop.core.errors import Forbidden
from cxloop.core.security import Role, role_at_least

router = APIRouter(tags=["accounts"])


@router.get("/me", response_model=Me)
def me(caller: ApiViewer, db: DbSession) -> Me:
    workspace = service.get_workspace(db, caller.workspace_id)
    return Me(
        workspace=WorkspaceRead.model_validate(workspace),
        role=caller.role,
        api_key_id=caller.api_key_id,
    )


@router.get("/api-keys", response_model=list[ApiKeyRead])
def list_keys(caller: ApiAdmin, db: DbSession) -> list[ApiKeyRead]:
    return [ApiKeyRead.model_validate(k) for k in service.list_api_keys(db, caller.workspace_id)]


@router.post("/api-keys", response_model=ApiKeyCreated, status_code=201)
def create_key(body: ApiKeyCreate, caller: ApiAdmin, db: DbSession) -> ApiKeyCreated:
    if body.role == Role.owner or not role_at_least(caller.role, body.role):
        raise Forbidden(f"role: you cannot create a key with the {body.role} role")
    workspace = service.get_workspace(db, caller.workspace_id)
    key = service.create_api_key(db, workspace, body.role, body.name)
    db.commit()
    record = next(
        k for k in service.list_api_keys(db, caller.workspace_id) if key.split("_")[1] == k.prefix
    )
    return ApiKeyCreated(**ApiKeyRead.model_validate(record).model_dump(), key=key)


@router.delete("/api-keys/{key_id}", response_model=ApiKeyRead)
def revoke_key(key_id: str, caller: ApiAdmin, db: DbSession) -> ApiKeyRead:
    record = service.revoke_api_key(db, caller.workspace_id, key_id)
    db.commit()
    return ApiKeyRead.model_validate(record)


@router.get("/workspace", response_model=WorkspaceRead)
def read_workspace(caller: ApiViewer, db: DbSession) -> WorkspaceRead:
    """The caller's workspace and its settings."""
    return WorkspaceRead.model_validate(service.get_workspace(db, caller.workspace_id))


@router.patch("/workspace", response_model=WorkspaceRead)
def update_workspace(change: WorkspaceUpdate, caller: ApiAdmin, db: DbSession) -> WorkspaceRead:
    """Name, time zone (used for period buckets), default language and minimum sample."""
    workspace = service.update_workspace(db, caller.workspace_id, change)
    db.commit()
    return WorkspaceRead.model_validate(workspace)

"""Pydantic shapes of the accounts feature."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from cxloop.core.security import Role


class ApiKeyCreate(BaseModel):
    name: str = Field("", max_length=200)
    role: Role


class ApiKeyRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    name: str
    role: Role
    prefix: str
    created_at: datetime
    revoked_at: datetime | None


class ApiKeyCreated(ApiKeyRead):
    key: str = Field(description="The key itself; shown only once.")


class WorkspaceRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    name: str
    slug: str
    timezone: str
    default_language: str
    min_sample: int


class WorkspaceUpdate(BaseModel):
    """Fields left out are kept."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, min_length=1, max_length=200)
    timezone: str | None = Field(None, description="IANA time zone, e.g. Asia/Ho_Chi_Minh.")
    default_language: str | None = Field(None, min_length=2, max_length=16)
    min_sample: int | None = Field(
        None, ge=1, le=100_000, description="Below this n a metric shows 'not enough responses'."
    )


class Me(BaseModel):
    workspace: WorkspaceRead
    role: Role
    api_key_id: str | None

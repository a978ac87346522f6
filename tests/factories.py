"""Factories: each test builds its own workspace so tests never see each other's data."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import httpx
from sqlalchemy.orm import Session

from cxloop.accounts import service as accounts
from cxloop.accounts.models import Workspace
from cxloop.core.security import Role


@dataclass
class Tenant:
    workspace: Workspace
    key: str  # an admin API key
    password: str
    email: str

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"}

    def client(self, base_url: str) -> httpx.Client:
        return httpx.Client(base_url=base_url, headers=self.headers(), timeout=30)


def make_tenant(db: Session, name: str = "Acme", role: Role = Role.admin) -> Tenant:
    slug = f"t-{uuid.uuid4().hex[:12]}"
    workspace = accounts.create_workspace(db, f"{name} {slug}", slug)
    email = f"owner-{slug}@example.com"
    password = "correct horse battery"
    accounts.create_user(db, email, password, name="Owner", workspace=workspace, role=Role.owner)
    key = accounts.create_api_key(db, workspace, role, "test")
    db.commit()
    return Tenant(workspace=workspace, key=key, password=password, email=email)

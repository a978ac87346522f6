"""Every query of the accounts feature."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from cxloop.accounts.models import ApiKey, Membership, User, Workspace


def workspace_by_slug(db: Session, slug: str) -> Workspace | None:
    return db.scalar(select(Workspace).where(Workspace.slug == slug))


def workspace_by_id(db: Session, workspace_id: str) -> Workspace | None:
    return db.get(Workspace, workspace_id)


def user_by_email(db: Session, email: str) -> User | None:
    return db.scalar(select(User).where(User.email == email.lower()))


def membership(db: Session, user_id: str, workspace_id: str) -> Membership | None:
    return db.scalar(
        select(Membership).where(
            Membership.user_id == user_id, Membership.workspace_id == workspace_id
        )
    )


def memberships_of(db: Session, user_id: str) -> Sequence[tuple[Membership, Workspace]]:
    rows = db.execute(
        select(Membership, Workspace)
        .join(Workspace, Workspace.id == Membership.workspace_id)
        .where(Membership.user_id == user_id)
        .order_by(Workspace.name)
    )
    return [(m, w) for m, w in rows]


def api_key_by_prefix(db: Session, prefix: str) -> ApiKey | None:
    return db.scalar(select(ApiKey).where(ApiKey.prefix == prefix))


def api_keys_of(db: Session, workspace_id: str) -> Sequence[ApiKey]:
    return db.scalars(
        select(ApiKey).where(ApiKey.workspace_id == workspace_id).order_by(ApiKey.created_at)
    ).all()


def api_key(db: Session, workspace_id: str, key_id: str) -> ApiKey | None:
    return db.scalar(select(ApiKey).where(ApiKey.id == key_id, ApiKey.workspace_id == workspace_id))

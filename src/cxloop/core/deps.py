"""`Annotated` dependency aliases: database session, caller (principal) and role checks."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from cxloop.core.errors import Forbidden, Unauthorized
from cxloop.core.security import Role, role_at_least
from cxloop.core.settings import Settings


def get_db(request: Request) -> Iterator[Session]:
    session: Session = request.app.state.sessionmaker()
    try:
        yield session
    finally:
        session.rollback()
        session.close()


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


DbSession = Annotated[Session, Depends(get_db)]
AppSettings = Annotated[Settings, Depends(get_settings)]


@dataclass(frozen=True)
class Principal:
    """Who is calling: a user (pages) or an API key, always inside one workspace."""

    workspace_id: str
    role: Role
    user_id: str | None = None
    api_key_id: str | None = None

    def require(self, minimum: Role) -> None:
        if not role_at_least(self.role, minimum):
            raise Forbidden(f"this needs the {minimum.value} role or higher; you are {self.role}")


def api_principal(request: Request, db: DbSession) -> Principal:
    """The caller of an API route, from ``Authorization: Bearer <key>`` or ``X-API-Key``."""
    from cxloop.accounts.service import principal_from_api_key

    header = request.headers.get("authorization", "")
    key = header[7:].strip() if header.lower().startswith("bearer ") else ""
    key = key or request.headers.get("x-api-key", "").strip()
    if not key:
        raise Unauthorized("missing API key: send 'Authorization: Bearer <key>'")
    return principal_from_api_key(db, key)


def _page_principal(request: Request, db: DbSession) -> Principal:
    from cxloop.accounts.service import principal_from_session

    return principal_from_session(db, request.session)


ApiCaller = Annotated[Principal, Depends(api_principal)]
PageCaller = Annotated[Principal, Depends(_page_principal)]


def api_role(minimum: Role) -> Callable[[Principal], Principal]:
    """Dependency: an API caller with at least ``minimum`` role."""

    def check(caller: ApiCaller) -> Principal:
        caller.require(minimum)
        return caller

    return check


def page_role(minimum: Role) -> Callable[[Principal], Principal]:
    """Dependency: a logged-in user with at least ``minimum`` role in the current workspace."""

    def check(caller: PageCaller) -> Principal:
        caller.require(minimum)
        return caller

    return check


ApiViewer = Annotated[Principal, Depends(api_role(Role.viewer))]
ApiAgent = Annotated[Principal, Depends(api_role(Role.agent))]
ApiAnalyst = Annotated[Principal, Depends(api_role(Role.analyst))]
ApiAdmin = Annotated[Principal, Depends(api_role(Role.admin))]
PageViewer = Annotated[Principal, Depends(page_role(Role.viewer))]
PageAnalyst = Annotated[Principal, Depends(page_role(Role.analyst))]
PageAdmin = Annotated[Principal, Depends(page_role(Role.admin))]

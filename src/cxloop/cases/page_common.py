"""Shared pieces of the case pages: the agent role, names for ids, and reading forms."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from pydantic import ValidationError
from sqlalchemy.orm import Session

from cxloop.cases import board, teams
from cxloop.core.deps import Principal, page_role
from cxloop.core.security import Role
from cxloop.core.web import check_csrf
from cxloop.journeys import service as journeys

PageAgent = Annotated[Principal, Depends(page_role(Role.agent))]


def labels(db: Session, workspace_id: str) -> dict[str, dict[str, str]]:
    """Names for the ids a case carries: people, teams, touchpoints and root causes."""
    return {
        "people": {p.id: p.label for p in board.people(db, workspace_id)},
        "teams": {t.id: t.name for t in teams.list_teams(db, workspace_id)},
        "touchpoints": {t.id: t.name for t in journeys.list_touchpoints(db, workspace_id)},
        "causes": {r.id: r.name for r in teams.list_root_causes(db, workspace_id)},
    }


async def posted(request: Request, *names: str) -> dict[str, str]:
    """The form's fields (checked against the session's CSRF token)."""
    data = await request.form()
    check_csrf(request, str(data.get("csrf") or ""))
    return {name: str(data.get(name) or "")[:20000] for name in names}


def readable(exc: ValidationError) -> str:
    err = exc.errors()[0]
    field = ".".join(str(p) for p in err["loc"]) or "form"
    return f"{field}: {str(err['msg']).removeprefix('Value error, ')}"

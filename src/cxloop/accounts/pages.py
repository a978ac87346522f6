"""Login, logout and workspace switching."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from cxloop.accounts import service
from cxloop.core.deps import DbSession, PageViewer
from cxloop.core.errors import Forbidden, Unauthorized
from cxloop.core.web import check_csrf, render

router = APIRouter()


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return "/app"


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> Response:
    return RedirectResponse("/app" if request.session.get("user_id") else "/login", 303)


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str | None = None) -> Response:
    return render(request, "accounts/login.html", {"next": _safe_next(next), "error": None})


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    db: DbSession,
    email: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/app",
) -> Response:
    check_csrf(request, csrf)
    try:
        user = service.authenticate(db, email, password)
    except Unauthorized as exc:
        context = {"next": _safe_next(next), "error": exc.message, "email": email}
        return render(request, "accounts/login.html", context, status_code=401)
    workspaces = service.workspaces_of(db, user.id)
    if not workspaces:
        context = {"next": "/app", "error": "your account has no workspace yet", "email": email}
        return render(request, "accounts/login.html", context, status_code=403)
    request.session.clear()
    workspace, _role = workspaces[0]
    request.session.update(
        user_id=user.id,
        user_email=user.email,
        workspace_id=workspace.id,
        workspace_name=workspace.name,
    )
    return RedirectResponse(_safe_next(next), status_code=303)


@router.post("/logout")
def logout(request: Request, csrf: Annotated[str, Form()] = "") -> Response:
    check_csrf(request, csrf)
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


@router.post("/app/workspace")
def switch_workspace(
    request: Request,
    caller: PageViewer,
    db: DbSession,
    workspace_id: Annotated[str, Form()],
    csrf: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(request, csrf)
    assert caller.user_id is not None
    for workspace, _role in service.workspaces_of(db, caller.user_id):
        if workspace.id == workspace_id:
            request.session.update(workspace_id=workspace.id, workspace_name=workspace.name)
            return RedirectResponse("/app", status_code=303)
    raise Forbidden("you are not a member of that workspace")

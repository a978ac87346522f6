"""Rule pages: the list (last run, matches), the editor (conditions and actions as JSON, errors
shown next to the box they concern, "Test on the last 100"), and a rule's run log."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from cxloop.core.deps import DbSession, PageAdmin, PageAnalyst, Principal
from cxloop.core.errors import CxError, Invalid
from cxloop.core.security import Role, role_at_least
from cxloop.core.web import check_csrf, render
from cxloop.rules import repository as repo
from cxloop.rules import service
from cxloop.rules.events import TRIGGERS
from cxloop.rules.schemas import PreviewRead, RuleCreate, RuleRead, RuleUpdate

router = APIRouter()
NOTICES = {"created": "Rule saved (version 1).", "updated": "Saved.", "deleted": "Rule deleted."}
EXAMPLE_CONDITIONS = {"all": [{"field": "nps", "op": "lte", "value": 6}]}
EXAMPLE_ACTIONS = [
    {"type": "open_case", "priority": "high", "title": "Call back {contact.name} (NPS {nps})"},
    {"type": "tag", "tag": "detractor"},
]


def _dump(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False)


def _form_of(rule: RuleRead | None) -> dict[str, str]:
    if rule is None:
        return {
            "name": "",
            "trigger": "response.submitted",
            "active": "on",
            "conditions": _dump(EXAMPLE_CONDITIONS),
            "actions": _dump(EXAMPLE_ACTIONS),
        }
    return {
        "name": rule.name,
        "trigger": rule.trigger,
        "active": "on" if rule.active else "",
        "conditions": _dump(rule.conditions),
        "actions": _dump(rule.actions),
    }


def _json(form: dict[str, str], key: str) -> Any:
    try:
        return json.loads(form[key] or "null")
    except json.JSONDecodeError as exc:
        raise Invalid(
            f"{key}: not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"
        ) from None


def _readable(exc: ValidationError) -> str:
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err["loc"]) or "rule"
    return f"{where}: {str(err['msg']).removeprefix('Value error, ')}"


def _render(
    request: Request,
    caller: Principal,
    rule: RuleRead | None,
    form: dict[str, str] | None = None,
    *,
    error: str | None = None,
    preview: PreviewRead | None = None,
    notice: str = "",
    versions: list[Any] | None = None,
    status: int = 200,
) -> HTMLResponse:
    where = (error or "").split(".", 1)[0].split("[", 1)[0].split(":", 1)[0]
    context = {
        "rule": rule,
        "form": form or _form_of(rule),
        "triggers": TRIGGERS,
        "error": error,
        "error_at": where if where in ("conditions", "actions", "name", "trigger") else "",
        "preview": preview,
        "notice": NOTICES.get(notice),
        "versions": versions or [],
        "can_edit": role_at_least(caller.role, Role.admin),
    }
    return render(request, "rules/edit.html", context, status_code=status)


async def _posted(request: Request) -> dict[str, str]:
    data = await request.form()
    check_csrf(request, str(data.get("csrf") or ""))
    keys = ("name", "trigger", "active", "conditions", "actions", "rule_id")
    return {k: str(data.get(k) or "")[:50000] for k in keys}


@router.get("/app/rules", response_class=HTMLResponse)
def rules_page(request: Request, caller: PageAnalyst, db: DbSession, notice: str = "") -> Response:
    context = {
        "rules": service.list_rules(db, caller.workspace_id),
        "notice": NOTICES.get(notice),
        "can_edit": role_at_least(caller.role, Role.admin),
    }
    return render(request, "rules/list.html", context)


@router.get("/app/rules/new", response_class=HTMLResponse)
def new_rule_page(request: Request, caller: PageAdmin) -> Response:
    return _render(request, caller, None)


@router.post("/app/rules/preview", response_class=HTMLResponse)
async def preview_page(request: Request, caller: PageAnalyst, db: DbSession) -> Response:
    """Tests the form's conditions on the last 100 records; saves nothing."""
    form = await _posted(request)
    rule = service.get(db, caller.workspace_id, form["rule_id"]) if form["rule_id"] else None
    versions = service.versions(db, caller.workspace_id, rule.id) if rule else None
    try:
        tree = _json(form, "conditions")
        if not isinstance(tree, dict):
            raise Invalid('conditions: expected an object like {"all": [...]}')
        trigger = form["trigger"] if form["trigger"] in TRIGGERS else "response.submitted"
        found = service.preview(db, caller.workspace_id, trigger, tree)
    except CxError as exc:
        return _render(
            request,
            caller,
            rule,
            form,
            error=exc.message,
            versions=versions,
            status=exc.status_code,
        )
    return _render(request, caller, rule, form, preview=found, versions=versions)


@router.post("/app/rules")
async def create_rule(request: Request, caller: PageAdmin, db: DbSession) -> Response:
    form = await _posted(request)
    try:
        data = RuleCreate.model_validate(
            {
                "name": form["name"].strip(),
                "trigger": form["trigger"],
                "active": bool(form["active"]),
                "conditions": _json(form, "conditions"),
                "actions": _json(form, "actions"),
            }
        )
        rule = service.create(db, caller.workspace_id, data, caller.user_id)
    except ValidationError as exc:
        return _render(request, caller, None, form, error=_readable(exc), status=422)
    except CxError as exc:
        db.rollback()
        return _render(request, caller, None, form, error=exc.message, status=exc.status_code)
    db.commit()
    return RedirectResponse(f"/app/rules/{rule.id}?notice=created", status_code=303)


@router.get("/app/rules/{rule_id}", response_class=HTMLResponse)
def rule_page(
    rule_id: str, request: Request, caller: PageAnalyst, db: DbSession, notice: str = ""
) -> Response:
    rule = service.get(db, caller.workspace_id, rule_id)
    versions = service.versions(db, caller.workspace_id, rule_id)
    return _render(request, caller, rule, notice=notice, versions=versions)


@router.post("/app/rules/{rule_id}")
async def update_rule(rule_id: str, request: Request, caller: PageAdmin, db: DbSession) -> Response:
    rule = service.get(db, caller.workspace_id, rule_id)
    form = await _posted(request)
    try:
        change = RuleUpdate.model_validate(
            {
                "name": form["name"].strip(),
                "trigger": form["trigger"],
                "active": bool(form["active"]),
                "conditions": _json(form, "conditions"),
                "actions": _json(form, "actions"),
            }
        )
        service.update(db, caller.workspace_id, rule_id, change, caller.user_id)
    except ValidationError as exc:
        error, status = _readable(exc), 422
    except CxError as exc:
        error, status = exc.message, exc.status_code
    else:
        db.commit()
        return RedirectResponse(f"/app/rules/{rule_id}?notice=updated", status_code=303)
    db.rollback()
    versions = service.versions(db, caller.workspace_id, rule_id)
    return _render(request, caller, rule, form, error=error, versions=versions, status=status)


@router.post("/app/rules/{rule_id}/delete")
async def delete_rule(rule_id: str, request: Request, caller: PageAdmin, db: DbSession) -> Response:
    await _posted(request)
    service.delete(db, caller.workspace_id, rule_id)
    db.commit()
    return RedirectResponse("/app/rules?notice=deleted", status_code=303)


@router.get("/app/rules/{rule_id}/runs", response_class=HTMLResponse)
def runs_page(
    rule_id: str,
    request: Request,
    caller: PageAnalyst,
    db: DbSession,
    outcome: str | None = None,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Response:
    rule = service.get(db, caller.workspace_id, rule_id)
    page = service.runs(
        db,
        caller.workspace_id,
        repo.RunFilter(rule_id=rule_id, outcome=outcome or None),
        50,
        offset,
    )
    subjects = [r.subject_id for r in page.items]
    tags: dict[str, list[str]] = {}
    for t in service.tags(db, caller.workspace_id, subjects, None):
        if t.rule_id == rule_id:
            tags.setdefault(t.subject_id, []).append(t.tag)
    context = {"rule": rule, "page": page, "outcome": outcome or "", "tags": tags}
    return render(request, "rules/runs.html", context)

"""REST API of rules: CRUD (admin to write, analyst to read), versions, the run log, preview,
and the tags rules put on records."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query

from cxloop.core.deps import ApiAdmin, ApiAnalyst, ApiViewer, DbSession
from cxloop.rules import repository as repo
from cxloop.rules import service
from cxloop.rules.schemas import (
    PreviewRead,
    PreviewRequest,
    RuleCreate,
    RuleRead,
    RuleRunPage,
    RuleUpdate,
    RuleVersionRead,
    TagRead,
)

router = APIRouter(tags=["rules"])
Limit = Annotated[int, Query(ge=1, le=500)]
Offset = Annotated[int, Query(ge=0)]


@router.get("/rules", response_model=list[RuleRead])
def list_rules(caller: ApiAnalyst, db: DbSession) -> list[RuleRead]:
    """Rules with their current version, how often they matched and when they last ran."""
    return service.list_rules(db, caller.workspace_id)


@router.post("/rules", response_model=RuleRead, status_code=201)
def create_rule(data: RuleCreate, caller: ApiAdmin, db: DbSession) -> RuleRead:
    """A rule: when `trigger` happens and `conditions` hold, run `actions` (422 names the part
    that is wrong, e.g. `conditions.all[1].value`)."""
    result = service.create(db, caller.workspace_id, data, caller.user_id)
    db.commit()
    return result


@router.post("/rules/preview", response_model=PreviewRead)
def preview_conditions(data: PreviewRequest, caller: ApiAnalyst, db: DbSession) -> PreviewRead:
    """Tests conditions on the trigger's last 100 records; runs no action."""
    return service.preview(db, caller.workspace_id, data.trigger, data.conditions)


@router.get("/rules/{rule_id}", response_model=RuleRead)
def read_rule(rule_id: str, caller: ApiAnalyst, db: DbSession) -> RuleRead:
    return service.get(db, caller.workspace_id, rule_id)


@router.patch("/rules/{rule_id}", response_model=RuleRead)
def update_rule(rule_id: str, data: RuleUpdate, caller: ApiAdmin, db: DbSession) -> RuleRead:
    """Editing name, trigger, conditions or actions writes a new version."""
    result = service.update(db, caller.workspace_id, rule_id, data, caller.user_id)
    db.commit()
    return result


@router.delete("/rules/{rule_id}", status_code=204)
def delete_rule(rule_id: str, caller: ApiAdmin, db: DbSession) -> None:
    service.delete(db, caller.workspace_id, rule_id)
    db.commit()


@router.get("/rules/{rule_id}/versions", response_model=list[RuleVersionRead])
def rule_versions(rule_id: str, caller: ApiAnalyst, db: DbSession) -> list[RuleVersionRead]:
    """Every version of the rule, newest first."""
    return service.versions(db, caller.workspace_id, rule_id)


@router.post("/rules/{rule_id}/preview", response_model=PreviewRead)
def preview_rule(rule_id: str, caller: ApiAnalyst, db: DbSession) -> PreviewRead:
    """Tests the rule's current conditions on its trigger's last 100 records."""
    return service.preview_rule(db, caller.workspace_id, rule_id)


@router.get("/rules/{rule_id}/runs", response_model=RuleRunPage)
def rule_runs(
    rule_id: str,
    caller: ApiAnalyst,
    db: DbSession,
    outcome: str | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> RuleRunPage:
    """The rule's run log, newest first."""
    f = repo.RunFilter(rule_id=rule_id, outcome=outcome)
    return service.runs(db, caller.workspace_id, f, limit, offset)


@router.get("/rule-runs", response_model=RuleRunPage)
def all_runs(
    caller: ApiAnalyst,
    db: DbSession,
    rule_id: str | None = None,
    outcome: str | None = None,
    trigger: str | None = None,
    subject_id: str | None = None,
    since: Annotated[datetime | None, Query(alias="from")] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> RuleRunPage:
    """Every rule's runs: which rule, which version, which record, outcome, actions queued."""
    f = repo.RunFilter(rule_id, outcome, trigger, subject_id, since)
    return service.runs(db, caller.workspace_id, f, limit, offset)


@router.get("/tags", response_model=list[TagRead])
def list_tags(
    caller: ApiViewer,
    db: DbSession,
    subject: Annotated[list[str], Query(min_length=1, max_length=100)],
    kind: str | None = Query(None, pattern="^(response|interaction|comment)$"),
) -> list[TagRead]:
    """Tags on records (`subject` = response, interaction or comment ids; repeatable)."""
    return service.tags(db, caller.workspace_id, subject, kind)

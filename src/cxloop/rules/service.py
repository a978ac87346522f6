"""Rules: create and edit (each edit a new immutable version), evaluate a trigger's subjects
(each rule once per version and subject, logged), preview on recent records, tags.
Flushes, never commits."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cxloop.core.database import utcnow
from cxloop.core.errors import CxError, Invalid, NotFound
from cxloop.core.settings import Settings
from cxloop.rules import actions, conditions, context
from cxloop.rules import repository as repo
from cxloop.rules.models import Rule, RuleVersion
from cxloop.rules.schemas import (
    PreviewMatch,
    PreviewRead,
    RuleCreate,
    RuleRead,
    RuleRunPage,
    RuleRunRead,
    RuleUpdate,
    RuleVersionRead,
    TagRead,
)
from cxloop.segments import service as segments

log = logging.getLogger("cxloop.rules")


def check_conditions(db: Session, workspace_id: str, trigger: str, tree: Any) -> None:
    """Invalid (naming the path) unless the tree works for the trigger in this workspace."""
    for segment_id in sorted(conditions.check(tree, trigger)):
        try:
            segments.get(db, workspace_id, segment_id)
        except NotFound:
            raise Invalid(f"conditions: segment '{segment_id}' does not exist") from None


def _read(rule: Rule, version: RuleVersion, stats: tuple[int, Any] = (0, None)) -> RuleRead:
    return RuleRead(
        id=rule.id,
        name=rule.name,
        trigger=rule.trigger,
        active=rule.active,
        version=rule.version,
        conditions=version.conditions,
        actions=version.actions,
        created_by=rule.created_by,
        created_at=rule.created_at,
        updated_at=rule.updated_at,
        matches=stats[0],
        last_run_at=stats[1],
    )


def _get(db: Session, workspace_id: str, rule_id: str) -> Rule:
    rule = repo.get(db, workspace_id, rule_id)
    if rule is None:
        raise NotFound(f"rule '{rule_id}' does not exist")
    return rule


def _current(db: Session, rule: Rule) -> RuleVersion:
    version = repo.version(db, rule.id, rule.version)
    if version is None:  # pragma: no cover - written with the rule
        raise NotFound(f"rule '{rule.id}' has no version {rule.version}")
    return version


def _write_version(
    db: Session,
    rule: Rule,
    number: int,
    tree: dict[str, Any],
    acts: list[dict[str, Any]],
    user_id: str | None,
) -> RuleVersion:
    version = RuleVersion(
        rule_id=rule.id,
        number=number,
        name=rule.name,
        trigger=rule.trigger,
        conditions=tree,
        actions=acts,
        created_by=user_id,
    )
    db.add(version)
    rule.version = number
    rule.updated_at = utcnow()
    db.flush()
    return version


def create(db: Session, workspace_id: str, data: RuleCreate, user_id: str | None) -> RuleRead:
    check_conditions(db, workspace_id, data.trigger, data.conditions)
    acts = actions.check(db, workspace_id, data.trigger, data.actions)
    rule = Rule(
        workspace_id=workspace_id,
        name=data.name.strip(),
        trigger=data.trigger,
        active=data.active,
        version=1,
        created_by=user_id,
    )
    db.add(rule)
    db.flush()
    version = _write_version(db, rule, 1, data.conditions, acts, user_id)
    return _read(rule, version)


def update(
    db: Session, workspace_id: str, rule_id: str, change: RuleUpdate, user_id: str | None
) -> RuleRead:
    rule = _get(db, workspace_id, rule_id)
    current = _current(db, rule)
    trigger = change.trigger or rule.trigger
    tree = change.conditions if change.conditions is not None else current.conditions
    raw = change.actions if change.actions is not None else current.actions
    check_conditions(db, workspace_id, trigger, tree)
    acts = actions.check(db, workspace_id, trigger, raw)
    name = change.name.strip() if change.name is not None else rule.name
    if change.active is not None:
        rule.active = change.active
        rule.updated_at = utcnow()
    edited = (name, trigger, tree, acts) != (
        rule.name,
        rule.trigger,
        current.conditions,
        current.actions,
    )
    if edited:
        rule.name, rule.trigger = name, trigger
        current = _write_version(db, rule, rule.version + 1, tree, acts, user_id)
    db.flush()
    return _read(rule, current)


def delete(db: Session, workspace_id: str, rule_id: str) -> None:
    db.delete(_get(db, workspace_id, rule_id))
    db.flush()


def get(db: Session, workspace_id: str, rule_id: str) -> RuleRead:
    rule = _get(db, workspace_id, rule_id)
    stats = repo.run_stats(db, workspace_id).get(rule.id, (0, None))
    return _read(rule, _current(db, rule), stats)


def list_rules(db: Session, workspace_id: str) -> list[RuleRead]:
    stats = repo.run_stats(db, workspace_id)
    return [
        _read(r, _current(db, r), stats.get(r.id, (0, None))) for r in repo.all_of(db, workspace_id)
    ]


def versions(db: Session, workspace_id: str, rule_id: str) -> list[RuleVersionRead]:
    rule = _get(db, workspace_id, rule_id)
    return [RuleVersionRead.model_validate(v) for v in repo.versions(db, rule.id)]


def runs(db: Session, workspace_id: str, f: repo.RunFilter, limit: int, offset: int) -> RuleRunPage:
    if f.rule_id is not None:
        _get(db, workspace_id, f.rule_id)
    if f.outcome is not None and f.outcome not in ("matched", "not_matched", "error"):
        raise Invalid(f"outcome: unknown value '{f.outcome}'; use matched, not_matched or error")
    items, total = repo.runs(db, workspace_id, f, limit, offset)
    return RuleRunPage(
        items=[RuleRunRead.model_validate(r) for r in items],
        total=total,
        limit=limit,
        offset=offset,
    )


def tags(db: Session, workspace_id: str, subject_ids: list[str], kind: str | None) -> list[TagRead]:
    return [TagRead.model_validate(t) for t in repo.tags(db, workspace_id, subject_ids, kind)]


# --- evaluation -------------------------------------------------------------------------------


def evaluate(
    db: Session,
    settings: Settings | None,
    workspace_id: str,
    trigger: str,
    subject_ids: list[str],
    data: dict[str, Any],
    job_id: int | None = None,
) -> int:
    """Runs every active rule of the trigger on each subject, once per version and subject;
    one rule's error is logged on its run and does not stop the others. Returns runs logged."""
    rules = repo.active_with_versions(db, workspace_id, trigger)
    logged = 0
    for subject_id in subject_ids:
        pending = [(r, v) for r, v in rules if not repo.run_exists(db, v.id, trigger, subject_id)]
        if not pending:
            continue
        try:
            subject: context.Subject | None = context.build(
                db, workspace_id, trigger, subject_id, data
            )
            problem = None
        except CxError as exc:
            subject, problem = None, exc.message
        for rule, version in pending:
            logged += _run_one(
                db,
                settings,
                workspace_id,
                trigger,
                rule,
                version,
                subject_id,
                subject,
                problem,
                job_id,
            )
    return logged


def _run_one(
    db: Session,
    settings: Settings | None,
    ws: str,
    trigger: str,
    rule: Rule,
    version: RuleVersion,
    subject_id: str,
    subject: context.Subject | None,
    problem: str | None,
    job_id: int | None,
) -> int:
    values: dict[str, Any] = {
        "workspace_id": ws,
        "rule_id": rule.id,
        "version_id": version.id,
        "version": version.number,
        "trigger": trigger,
        "subject_id": subject_id,
        "job_id": job_id,
        "actions": [],
        "error": None,
    }
    try:
        with db.begin_nested():
            if subject is None:
                raise LookupError(problem or f"{trigger} subject '{subject_id}' not found")
            matched = conditions.matches(version.conditions, subject.facts(db, ws))
            if matched:
                runner = actions.Runner(db, settings, ws, rule, version)
                values["actions"] = runner.run(subject)
            values["outcome"] = "matched" if matched else "not_matched"
            repo.add_run(db, values)
        return 1
    except IntegrityError:  # another worker logged this run first: its effects stand
        if repo.run_exists(db, version.id, trigger, subject_id):
            return 0
        raise
    except Exception as exc:  # one rule's failure must not stop the others
        message = exc.message if isinstance(exc, CxError) else f"{type(exc).__name__}: {exc}"
        log.warning("rule %s v%s on %s failed: %s", rule.id, version.number, subject_id, message)
        with db.begin_nested():
            repo.add_run(db, {**values, "outcome": "error", "actions": [], "error": message[:2000]})
        return 1


def preview(db: Session, workspace_id: str, trigger: str, tree: dict[str, Any]) -> PreviewRead:
    """How many of the trigger's last 100 subjects the conditions match (no action runs)."""
    check_conditions(db, workspace_id, trigger, tree)
    subjects = context.recent(db, workspace_id, trigger)
    found: list[PreviewMatch] = []
    errors = 0
    for subject in subjects:
        try:
            if conditions.matches(tree, subject.facts(db, workspace_id)):
                found.append(PreviewMatch(id=subject.id, summary=subject.summary[:200]))
        except CxError:
            errors += 1
    return PreviewRead(
        trigger=trigger, evaluated=len(subjects), matched=len(found), matches=found, errors=errors
    )


def preview_rule(db: Session, workspace_id: str, rule_id: str) -> PreviewRead:
    rule = _get(db, workspace_id, rule_id)
    return preview(db, workspace_id, rule.trigger, _current(db, rule).conditions)

"""Every query of rules: rules and versions, the run log, record tags, recipients."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, exists, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from cxloop.accounts.models import Membership, User
from cxloop.rules.models import RecordTag, Rule, RuleRun, RuleVersion


def has_active(db: Session, workspace_id: str, trigger: str) -> bool:
    """Whether an active rule listens to the trigger (index ix_rules_active_trigger)."""
    stmt = select(
        exists().where(
            Rule.workspace_id == workspace_id, Rule.trigger == trigger, Rule.active.is_(True)
        )
    )
    return bool(db.scalar(stmt))


def get(db: Session, workspace_id: str, rule_id: str) -> Rule | None:
    stmt = select(Rule).where(Rule.workspace_id == workspace_id, Rule.id == rule_id)
    return db.scalars(stmt).first()


def all_of(db: Session, workspace_id: str) -> Sequence[Rule]:
    stmt = select(Rule).where(Rule.workspace_id == workspace_id).order_by(Rule.name, Rule.id)
    return db.scalars(stmt).all()


def version(db: Session, rule_id: str, number: int) -> RuleVersion | None:
    stmt = select(RuleVersion).where(RuleVersion.rule_id == rule_id, RuleVersion.number == number)
    return db.scalars(stmt).first()


def versions(db: Session, rule_id: str) -> Sequence[RuleVersion]:
    stmt = select(RuleVersion).where(RuleVersion.rule_id == rule_id)
    return db.scalars(stmt.order_by(RuleVersion.number.desc())).all()


def active_with_versions(
    db: Session, workspace_id: str, trigger: str
) -> Sequence[tuple[Rule, RuleVersion]]:
    stmt = (
        select(Rule, RuleVersion)
        .join(RuleVersion, and_(RuleVersion.rule_id == Rule.id, RuleVersion.number == Rule.version))
        .where(Rule.workspace_id == workspace_id, Rule.trigger == trigger, Rule.active.is_(True))
        .order_by(Rule.created_at, Rule.id)
    )
    return [(r, v) for r, v in db.execute(stmt).all()]


def run_exists(db: Session, version_id: str, trigger: str, subject_id: str) -> bool:
    stmt = select(
        exists().where(
            RuleRun.version_id == version_id,
            RuleRun.trigger == trigger,
            RuleRun.subject_id == subject_id,
        )
    )
    return bool(db.scalar(stmt))


def add_run(db: Session, values: dict[str, Any]) -> None:
    db.add(RuleRun(**values))
    db.flush()


@dataclass(frozen=True)
class RunFilter:
    rule_id: str | None = None
    outcome: str | None = None
    trigger: str | None = None
    subject_id: str | None = None
    since: datetime | None = None


def runs(
    db: Session, workspace_id: str, f: RunFilter, limit: int, offset: int
) -> tuple[Sequence[RuleRun], int]:
    query = select(RuleRun).where(RuleRun.workspace_id == workspace_id)
    for column, value in (
        (RuleRun.rule_id, f.rule_id),
        (RuleRun.outcome, f.outcome),
        (RuleRun.trigger, f.trigger),
        (RuleRun.subject_id, f.subject_id),
    ):
        if value is not None:
            query = query.where(column == value)
    if f.since is not None:
        query = query.where(RuleRun.created_at >= f.since)
    total = int(db.scalar(select(func.count()).select_from(query.subquery())) or 0)
    page = db.scalars(
        query.order_by(RuleRun.created_at.desc(), RuleRun.id.desc()).limit(limit).offset(offset)
    ).all()
    return page, total


def run_stats(db: Session, workspace_id: str) -> dict[str, tuple[int, datetime | None]]:
    """Per rule: how many runs matched, and when it last ran."""
    matched = func.sum(case((RuleRun.outcome == "matched", 1), else_=0))
    stmt = (
        select(RuleRun.rule_id, matched, func.max(RuleRun.created_at))
        .where(RuleRun.workspace_id == workspace_id)
        .group_by(RuleRun.rule_id)
    )
    out: dict[str, tuple[int, datetime | None]] = {}
    for rule_id, count, last in db.execute(stmt).all():
        out[str(rule_id)] = (int(count or 0), last)
    return out


def add_tag(
    db: Session, workspace_id: str, kind: str, subject_id: str, tag: str, rule_id: str
) -> bool:
    """Tags a record once; False when it already had the tag."""
    dialect = db.get_bind().dialect.name
    builder = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = (
        builder(RecordTag)
        .values(
            workspace_id=workspace_id,
            subject_kind=kind,
            subject_id=subject_id,
            tag=tag,
            rule_id=rule_id,
        )
        .on_conflict_do_nothing(
            index_elements=["workspace_id", "subject_kind", "subject_id", "tag"]
        )
        .returning(RecordTag.id)
    )
    return db.execute(stmt).scalar_one_or_none() is not None


def tags(
    db: Session, workspace_id: str, subject_ids: list[str], kind: str | None = None
) -> Sequence[RecordTag]:
    if not subject_ids:
        return []
    stmt = select(RecordTag).where(
        RecordTag.workspace_id == workspace_id, RecordTag.subject_id.in_(subject_ids)
    )
    if kind is not None:
        stmt = stmt.where(RecordTag.subject_kind == kind)
    return db.scalars(stmt.order_by(RecordTag.created_at, RecordTag.id)).all()


def member_emails(db: Session, workspace_id: str, user_ids: list[str]) -> dict[str, str]:
    """The email of each user id that is a member of the workspace."""
    if not user_ids:
        return {}
    stmt = (
        select(User.id, User.email)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.workspace_id == workspace_id, User.id.in_(user_ids))
    )
    return {str(i): str(e) for i, e in db.execute(stmt).all()}

"""What rules listen to: other features emit triggers here, in their own transaction.

`emit` stores one `rules.evaluate` job (durable with the change that caused it); the rules
feature's handler evaluates the workspace's active rules for the trigger on each subject.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from cxloop.jobs import service as jobs
from cxloop.rules import repository

EVALUATE = "rules.evaluate"

TRIGGERS = (
    "response.submitted",  # subject: response id
    "interaction.created",  # subject: interaction id
    "comment.analyzed",  # subject: comment id
    "alert.fired",  # subject: alert firing id
    "case.status_changed",  # subject: case id; data: from, to
    "case.sla_breached",  # subject: case id; data: clock
)


def emit(
    db: Session,
    workspace_id: str,
    trigger: str,
    subject_ids: Sequence[str | int],
    data: dict[str, Any] | None = None,
    *,
    dedupe_key: str | None = None,
) -> int | None:
    """Queues the evaluation of `trigger` for the subjects (one job for a whole batch)."""
    if trigger not in TRIGGERS:
        raise ValueError(f"unknown trigger '{trigger}'")
    if not subject_ids:
        return None
    payload = {"trigger": trigger, "subjects": [str(s) for s in subject_ids], "data": data or {}}
    return jobs.enqueue(
        db, EVALUATE, payload, workspace_id=workspace_id, dedupe_key=dedupe_key, max_attempts=8
    )


def watched(db: Session, workspace_id: str, trigger: str) -> bool:
    """Whether the workspace has an active rule for the trigger (one indexed EXISTS query)."""
    return repository.has_active(db, workspace_id, trigger)


def emit_watched(
    db: Session,
    workspace_id: str,
    trigger: str,
    subject_ids: Sequence[str | int],
    data: dict[str, Any] | None = None,
    *,
    dedupe_key: str | None = None,
) -> int | None:
    """As `emit`, but only when an active rule listens (the ingestion hot paths use this)."""
    if not subject_ids or not watched(db, workspace_id, trigger):
        return None
    return emit(db, workspace_id, trigger, subject_ids, data, dedupe_key=dedupe_key)

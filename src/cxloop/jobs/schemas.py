"""Job shapes for the delivery log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict


class AttemptRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    attempt: int
    worker: str
    started_at: datetime
    finished_at: datetime
    outcome: str
    error: str | None


class JobRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    status: str
    attempts: int
    max_attempts: int
    payload: dict[str, Any]
    run_after: datetime
    created_at: datetime
    finished_at: datetime | None
    last_error: str | None
    attempt_log: list[AttemptRead] = []

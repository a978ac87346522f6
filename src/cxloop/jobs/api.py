"""REST API of jobs: the workspace's delivery log with every attempt."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from cxloop.core.deps import ApiAdmin, DbSession
from cxloop.jobs import service
from cxloop.jobs.schemas import JobRead

router = APIRouter(tags=["jobs"])


@router.get("/jobs", response_model=list[JobRead])
def list_jobs(
    caller: ApiAdmin,
    db: DbSession,
    status: Annotated[str | None, Query(description="queued, running, done or failed")] = None,
    kind: Annotated[str | None, Query(max_length=64)] = None,
    before_id: Annotated[int | None, Query(ge=1)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> list[JobRead]:
    """Background jobs of the workspace, newest first, with their attempts and errors."""
    return service.list_jobs(
        db, caller.workspace_id, status=status, kind=kind, before_id=before_id, limit=limit
    )


@router.get("/jobs/{job_id}", response_model=JobRead)
def read_job(job_id: int, caller: ApiAdmin, db: DbSession) -> JobRead:
    return service.get_job(db, caller.workspace_id, job_id)

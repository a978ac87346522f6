"""REST API of key driver analysis."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from cxloop.core.deps import ApiViewer, DbSession
from cxloop.drivers import service
from cxloop.drivers.schemas import KeyDriversRead

router = APIRouter(tags=["key drivers"])


@router.get("/key-drivers", response_model=KeyDriversRead)
def read_key_drivers(
    caller: ApiViewer,
    db: DbSession,
    survey_id: Annotated[str, Query(max_length=32)],
    outcome: Annotated[
        str | None, Query(max_length=64, description="Outcome question key.")
    ] = None,
    drivers: Annotated[
        str | None, Query(max_length=800, description="Driver question keys, comma-separated.")
    ] = None,
    date_from: Annotated[date | None, Query(alias="from")] = None,
    date_to: Annotated[date | None, Query(alias="to")] = None,
    bootstrap: Annotated[int, Query(ge=0, le=2000)] = 200,
) -> KeyDriversRead:
    """Which rating questions explain the outcome: relative weights (Johnson) and Shapley/LMG
    shares of R² with 95% bootstrap intervals, and each driver's mean and quadrant."""
    keys = [k.strip() for k in drivers.split(",") if k.strip()] if drivers else None
    return service.analyse(
        db,
        caller.workspace_id,
        survey_id,
        outcome=outcome,
        drivers=keys,
        date_from=date_from,
        date_to=date_to,
        bootstrap=bootstrap,
    )

"""REST API of customer lifecycle metrics: churn, retention and CLV."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from cxloop.core.deps import ApiAdmin, ApiViewer, DbSession
from cxloop.lifecycle import service
from cxloop.lifecycle.schemas import CustomerMetrics, CustomerSettings

router = APIRouter(tags=["customer metrics"])


@router.get("/customer-metrics", response_model=CustomerMetrics)
def read_customer_metrics(
    caller: ApiViewer,
    db: DbSession,
    date_from: Annotated[date, Query(alias="from", description="First day (workspace zone).")],
    date_to: Annotated[date, Query(alias="to", description="Last day, included.")],
) -> CustomerMetrics:
    """Churn, retention and CLV of all customers, and of those who contacted support versus
    those who did not, with a two-proportion test on the churn difference."""
    return service.customer_metrics(db, caller.workspace_id, date_from, date_to)


@router.get("/customer-metrics/settings", response_model=CustomerSettings)
def read_settings(caller: ApiViewer, db: DbSession) -> CustomerSettings:
    return service.settings_of(db, caller.workspace_id)


@router.put("/customer-metrics/settings", response_model=CustomerSettings)
def update_settings(change: CustomerSettings, caller: ApiAdmin, db: DbSession) -> CustomerSettings:
    """What makes a customer active, the churn window, and the CLV inputs."""
    result = service.update_settings(db, caller.workspace_id, change)
    db.commit()
    return result

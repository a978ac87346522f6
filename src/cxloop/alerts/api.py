"""REST API of alerts: CRUD (analysts and up write, viewers read), check now, firings."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from cxloop.alerts import service
from cxloop.alerts.schemas import AlertCreate, AlertRead, AlertUpdate, Check, FiringRead
from cxloop.core.deps import ApiAnalyst, ApiViewer, AppSettings, DbSession
from cxloop.core.security import Role

router = APIRouter(tags=["alerts"])
Limit = Annotated[int, Query(ge=1, le=500)]


@router.get("/alerts", response_model=list[AlertRead])
def list_alerts(caller: ApiViewer, db: DbSession) -> list[AlertRead]:
    """The workspace's alerts with their last check and last firing."""
    return service.list_alerts(db, caller.workspace_id)


@router.post("/alerts", response_model=AlertRead, status_code=201)
def create_alert(data: AlertCreate, caller: ApiAnalyst, db: DbSession) -> AlertRead:
    """Watches a metric on a slice per day, week or month; fires on a threshold or on a
    significant drop or rise against the previous period, once per period."""
    result = service.create(db, caller.workspace_id, data, caller.user_id)
    db.commit()
    return result


@router.get("/alerts/{alert_id}", response_model=AlertRead)
def read_alert(alert_id: str, caller: ApiViewer, db: DbSession) -> AlertRead:
    return service.get(db, caller.workspace_id, alert_id)


@router.patch("/alerts/{alert_id}", response_model=AlertRead)
def update_alert(alert_id: str, data: AlertUpdate, caller: ApiAnalyst, db: DbSession) -> AlertRead:
    result = service.update(db, caller.workspace_id, alert_id, data)
    db.commit()
    return result


@router.delete("/alerts/{alert_id}", status_code=204)
def delete_alert(alert_id: str, caller: ApiAnalyst, db: DbSession) -> None:
    service.delete(db, caller.workspace_id, alert_id)
    db.commit()


@router.post("/alerts/{alert_id}/check", response_model=Check)
def check_alert(
    alert_id: str,
    caller: ApiViewer,
    db: DbSession,
    settings: AppSettings,
    fire: Annotated[bool, Query(description="Fire (and notify) if the condition holds.")] = False,
) -> Check:
    """Evaluates the alert now and says what it saw and why it would fire or not. Without
    ``fire`` nothing is stored or sent; ``fire=true`` needs the analyst role."""
    if fire:
        caller.require(Role.analyst)
    result = service.evaluate(db, caller.workspace_id, alert_id, fire=fire, settings=settings)
    if fire:
        db.commit()
    return result


@router.get("/alerts/{alert_id}/firings", response_model=list[FiringRead])
def alert_firings(
    alert_id: str, caller: ApiViewer, db: DbSession, limit: Limit = 50
) -> list[FiringRead]:
    """The alert's firings, newest first."""
    return service.firings(db, caller.workspace_id, alert_id, limit)


@router.get("/alert-firings", response_model=list[FiringRead])
def all_firings(caller: ApiViewer, db: DbSession, limit: Limit = 50) -> list[FiringRead]:
    """Every alert's firings in the workspace, newest first."""
    return service.firings(db, caller.workspace_id, None, limit)

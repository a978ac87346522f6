"""REST API of webhook endpoints (admins) and of the delivery log of emails and webhooks."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from cxloop.core.deps import ApiAdmin, ApiAnalyst, DbSession
from cxloop.notifications import service
from cxloop.notifications.schemas import (
    DeliveryPage,
    DeliveryRead,
    EndpointCreate,
    EndpointRead,
    EndpointUpdate,
    EndpointWithSecret,
    TestQueued,
)

router = APIRouter(tags=["notifications"])


@router.post("/webhook-endpoints", response_model=EndpointWithSecret, status_code=201)
def create_endpoint(data: EndpointCreate, caller: ApiAdmin, db: DbSession) -> EndpointWithSecret:
    """A webhook endpoint; the response carries its signing secret, shown only this once."""
    result = service.create_endpoint(db, caller.workspace_id, data)
    db.commit()
    return result


@router.get("/webhook-endpoints", response_model=list[EndpointRead])
def list_endpoints(caller: ApiAdmin, db: DbSession) -> list[EndpointRead]:
    return service.list_endpoints(db, caller.workspace_id)


@router.get("/webhook-endpoints/{endpoint_id}", response_model=EndpointRead)
def read_endpoint(endpoint_id: str, caller: ApiAdmin, db: DbSession) -> EndpointRead:
    return service.get_endpoint(db, caller.workspace_id, endpoint_id)


@router.patch("/webhook-endpoints/{endpoint_id}", response_model=EndpointRead)
def update_endpoint(
    endpoint_id: str, data: EndpointUpdate, caller: ApiAdmin, db: DbSession
) -> EndpointRead:
    result = service.update_endpoint(db, caller.workspace_id, endpoint_id, data)
    db.commit()
    return result


@router.delete("/webhook-endpoints/{endpoint_id}", status_code=204)
def delete_endpoint(endpoint_id: str, caller: ApiAdmin, db: DbSession) -> None:
    service.delete_endpoint(db, caller.workspace_id, endpoint_id)
    db.commit()


@router.post("/webhook-endpoints/{endpoint_id}/rotate-secret", response_model=EndpointWithSecret)
def rotate_secret(endpoint_id: str, caller: ApiAdmin, db: DbSession) -> EndpointWithSecret:
    """A new signing secret (shown once); the previous one also signs for 24 hours."""
    result = service.rotate_secret(db, caller.workspace_id, endpoint_id)
    db.commit()
    return result


@router.post("/webhook-endpoints/{endpoint_id}/test", response_model=TestQueued, status_code=202)
def test_endpoint(endpoint_id: str, caller: ApiAdmin, db: DbSession) -> TestQueued:
    """Queues a `webhook.test` event to the endpoint; follow it in the delivery log."""
    result = service.send_test(db, caller.workspace_id, endpoint_id)
    db.commit()
    return result


@router.get("/deliveries", response_model=DeliveryPage)
def list_deliveries(
    caller: ApiAnalyst,
    db: DbSession,
    channel: Annotated[str | None, Query(description="email or webhook")] = None,
    status: Annotated[
        str | None, Query(description="queued, retrying, sent, failed or skipped")
    ] = None,
    reference: Annotated[str | None, Query(max_length=200, description="e.g. case:<id>")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> DeliveryPage:
    """Emails and webhooks of the workspace, newest first, each with its attempts."""
    return service.list_deliveries(
        db,
        caller.workspace_id,
        channel=channel,
        status=status,
        reference=reference,
        limit=limit,
        offset=offset,
    )


@router.get("/deliveries/{delivery_id}", response_model=DeliveryRead)
def read_delivery(delivery_id: str, caller: ApiAnalyst, db: DbSession) -> DeliveryRead:
    return service.get_delivery(db, caller.workspace_id, delivery_id)

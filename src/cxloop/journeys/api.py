"""REST API of the journeys feature: journeys, ordered stages and touchpoints."""

from __future__ import annotations

from fastapi import APIRouter, Response

from cxloop.core.deps import ApiAdmin, ApiViewer, DbSession
from cxloop.journeys import service
from cxloop.journeys.models import Channel
from cxloop.journeys.schemas import (
    JourneyCreate,
    JourneyDetail,
    JourneyRead,
    JourneyUpdate,
    StageCreate,
    StageOrder,
    StageRead,
    StageUpdate,
    TouchpointCreate,
    TouchpointDetail,
    TouchpointUpdate,
)

router = APIRouter(tags=["journeys"])


def _detail(db: DbSession, workspace_id: str, journey_id: str) -> JourneyDetail:
    journey = service.get_journey(db, workspace_id, journey_id)
    stages = service.list_stages(db, workspace_id, journey_id)
    return JourneyDetail(
        **JourneyRead.model_validate(journey).model_dump(),
        stages=[StageRead.model_validate(s) for s in stages],
    )


def _touchpoint(db: DbSession, workspace_id: str, touchpoint_id: str) -> TouchpointDetail:
    info = service.touchpoint_info(db, workspace_id, touchpoint_id)
    return TouchpointDetail.model_validate(info, from_attributes=True)


@router.get("/journeys", response_model=list[JourneyDetail])
def list_journeys(caller: ApiViewer, db: DbSession) -> list[JourneyDetail]:
    stages = service.stages_by_journey(db, caller.workspace_id)
    return [
        JourneyDetail(
            **JourneyRead.model_validate(j).model_dump(),
            stages=[StageRead.model_validate(s) for s in stages.get(j.id, [])],
        )
        for j in service.list_journeys(db, caller.workspace_id)
    ]


@router.post("/journeys", response_model=JourneyDetail, status_code=201)
def create_journey(body: JourneyCreate, caller: ApiAdmin, db: DbSession) -> JourneyDetail:
    journey = service.create_journey(
        db, caller.workspace_id, body.name, description=body.description, template=body.template
    )
    db.commit()
    return _detail(db, caller.workspace_id, journey.id)


@router.get("/journeys/{journey_id}", response_model=JourneyDetail)
def get_journey(journey_id: str, caller: ApiViewer, db: DbSession) -> JourneyDetail:
    return _detail(db, caller.workspace_id, journey_id)


@router.patch("/journeys/{journey_id}", response_model=JourneyDetail)
def update_journey(
    journey_id: str, body: JourneyUpdate, caller: ApiAdmin, db: DbSession
) -> JourneyDetail:
    service.update_journey(
        db, caller.workspace_id, journey_id, name=body.name, description=body.description
    )
    db.commit()
    return _detail(db, caller.workspace_id, journey_id)


@router.delete("/journeys/{journey_id}", status_code=204)
def delete_journey(journey_id: str, caller: ApiAdmin, db: DbSession) -> Response:
    service.delete_journey(db, caller.workspace_id, journey_id)
    db.commit()
    return Response(status_code=204)


@router.get("/journeys/{journey_id}/stages", response_model=list[StageRead])
def list_stages(journey_id: str, caller: ApiViewer, db: DbSession) -> list[StageRead]:
    stages = service.list_stages(db, caller.workspace_id, journey_id)
    return [StageRead.model_validate(s) for s in stages]


@router.post("/journeys/{journey_id}/stages", response_model=StageRead, status_code=201)
def create_stage(journey_id: str, body: StageCreate, caller: ApiAdmin, db: DbSession) -> StageRead:
    stage = service.create_stage(
        db, caller.workspace_id, journey_id, body.name, position=body.position
    )
    db.commit()
    return StageRead.model_validate(stage)


@router.put("/journeys/{journey_id}/stages/order", response_model=list[StageRead])
def reorder_stages(
    journey_id: str, body: StageOrder, caller: ApiAdmin, db: DbSession
) -> list[StageRead]:
    stages = service.reorder_stages(db, caller.workspace_id, journey_id, body.stage_ids)
    db.commit()
    return [StageRead.model_validate(s) for s in stages]


@router.patch("/journeys/{journey_id}/stages/{stage_id}", response_model=StageRead)
def update_stage(
    journey_id: str, stage_id: str, body: StageUpdate, caller: ApiAdmin, db: DbSession
) -> StageRead:
    service.get_stage(db, caller.workspace_id, stage_id, journey_id=journey_id)
    stage = service.update_stage(
        db, caller.workspace_id, stage_id, name=body.name, position=body.position
    )
    db.commit()
    return StageRead.model_validate(stage)


@router.delete("/journeys/{journey_id}/stages/{stage_id}", status_code=204)
def delete_stage(journey_id: str, stage_id: str, caller: ApiAdmin, db: DbSession) -> Response:
    service.get_stage(db, caller.workspace_id, stage_id, journey_id=journey_id)
    service.delete_stage(db, caller.workspace_id, stage_id)
    db.commit()
    return Response(status_code=204)


@router.get("/touchpoints", response_model=list[TouchpointDetail])
def list_touchpoints(
    caller: ApiViewer,
    db: DbSession,
    journey_id: str | None = None,
    stage_id: str | None = None,
    channel: Channel | None = None,
) -> list[TouchpointDetail]:
    infos = service.list_touchpoints(
        db, caller.workspace_id, journey_id=journey_id, stage_id=stage_id, channel=channel
    )
    return [TouchpointDetail.model_validate(i, from_attributes=True) for i in infos]


@router.post("/touchpoints", response_model=TouchpointDetail, status_code=201)
def create_touchpoint(body: TouchpointCreate, caller: ApiAdmin, db: DbSession) -> TouchpointDetail:
    touchpoint = service.create_touchpoint(
        db,
        caller.workspace_id,
        body.stage_id,
        body.name,
        body.channel,
        key=body.key,
        description=body.description,
    )
    db.commit()
    return _touchpoint(db, caller.workspace_id, touchpoint.id)


@router.get("/touchpoints/{touchpoint_id}", response_model=TouchpointDetail)
def get_touchpoint(touchpoint_id: str, caller: ApiViewer, db: DbSession) -> TouchpointDetail:
    return _touchpoint(db, caller.workspace_id, touchpoint_id)


@router.patch("/touchpoints/{touchpoint_id}", response_model=TouchpointDetail)
def update_touchpoint(
    touchpoint_id: str, body: TouchpointUpdate, caller: ApiAdmin, db: DbSession
) -> TouchpointDetail:
    fields = body.model_dump(exclude_unset=True)
    if "key" in fields and fields["key"] is None:
        fields["key"] = ""  # null removes the key
    service.update_touchpoint(db, caller.workspace_id, touchpoint_id, **fields)
    db.commit()
    return _touchpoint(db, caller.workspace_id, touchpoint_id)


@router.delete("/touchpoints/{touchpoint_id}", status_code=204)
def delete_touchpoint(touchpoint_id: str, caller: ApiAdmin, db: DbSession) -> Response:
    service.delete_touchpoint(db, caller.workspace_id, touchpoint_id)
    db.commit()
    return Response(status_code=204)

"""REST API of governance: settings, eligibility ("why not surveyed?"), opt-outs, suppression."""

from __future__ import annotations

from fastapi import APIRouter, Query
from fastapi.responses import Response

from cxloop.core.deps import ApiAdmin, ApiViewer, DbSession
from cxloop.core.errors import Invalid
from cxloop.governance import service
from cxloop.governance.schemas import (
    CHANNELS,
    BounceCreate,
    ConsentRead,
    ConsentWrite,
    DecisionRead,
    Eligibility,
    OptOutWrite,
    SettingsRead,
    SettingsWrite,
    SuppressionCreate,
    SuppressionRead,
)

router = APIRouter(tags=["governance"])


@router.get("/governance/settings", response_model=SettingsRead)
def read_settings(caller: ApiViewer, db: DbSession) -> SettingsRead:
    """Frequency caps, quarantine and quiet hours of the workspace."""
    return service.get_settings(db, caller.workspace_id)


@router.put("/governance/settings", response_model=SettingsRead)
def write_settings(body: SettingsWrite, caller: ApiAdmin, db: DbSession) -> SettingsRead:
    saved = service.put_settings(db, caller.workspace_id, body)
    db.commit()
    return saved


@router.get("/contacts/{contact_id}/survey-eligibility", response_model=Eligibility)
def eligibility(
    contact_id: str,
    caller: ApiViewer,
    db: DbSession,
    survey_id: str | None = None,
    channel: str = Query("email"),
) -> Eligibility:
    """Would this contact be surveyed now, and if not, the rule that blocks it; with history."""
    if channel not in CHANNELS:
        raise Invalid(f"channel: must be one of {', '.join(CHANNELS)}")
    data = service.explain(db, caller.workspace_id, contact_id, survey_id, channel)
    return Eligibility(
        contact_id=str(data["contact_id"]),
        survey_id=survey_id,
        channel=channel,
        allowed=bool(data["allowed"]),
        rule=data["rule"] if isinstance(data["rule"], str) else None,
        reason=str(data["reason"]),
        opt_outs=list(data["opt_outs"]),  # type: ignore[call-overload]
        consents=[ConsentRead.model_validate(c) for c in data["consents"]],  # type: ignore[attr-defined]
        history=[DecisionRead.model_validate(d) for d in data["history"]],  # type: ignore[attr-defined]
    )


@router.post("/contacts/{contact_id}/opt-outs", status_code=204)
def opt_out(contact_id: str, body: OptOutWrite, caller: ApiAdmin, db: DbSession) -> Response:
    """Opts the contact out of one channel or of all ("all"); recorded as a consent record."""
    service.opt_out(db, caller.workspace_id, contact_id, body.channel, body.source)
    db.commit()
    return Response(status_code=204)


@router.post("/contacts/{contact_id}/consents", status_code=204)
def consent(contact_id: str, body: ConsentWrite, caller: ApiAdmin, db: DbSession) -> Response:
    """Records consent given (lifts that channel's opt-out) or withdrawn, with source and time."""
    service.record_consent(
        db, caller.workspace_id, contact_id, body.channel, body.granted, body.source
    )
    db.commit()
    return Response(status_code=204)


@router.get("/governance/suppressions", response_model=list[SuppressionRead])
def list_suppressions(caller: ApiViewer, db: DbSession) -> list[SuppressionRead]:
    return [
        SuppressionRead.model_validate(s)
        for s in service.list_suppressions(db, caller.workspace_id)
    ]


@router.post("/governance/suppressions", response_model=SuppressionRead, status_code=201)
def add_suppression(body: SuppressionCreate, caller: ApiAdmin, db: DbSession) -> SuppressionRead:
    """Never contact this email or phone in this workspace."""
    row = service.suppress(db, caller.workspace_id, body.email, body.phone, "manual", body.note)
    db.commit()
    return SuppressionRead.model_validate(row)


@router.delete("/governance/suppressions/{suppression_id}", status_code=204)
def remove_suppression(suppression_id: str, caller: ApiAdmin, db: DbSession) -> Response:
    service.unsuppress(db, caller.workspace_id, suppression_id)
    db.commit()
    return Response(status_code=204)


@router.post("/governance/bounces", response_model=SuppressionRead, status_code=201)
def record_bounce(body: BounceCreate, caller: ApiAdmin, db: DbSession) -> SuppressionRead:
    """Records a hard bounce: the address is not retried."""
    row = service.suppress(db, caller.workspace_id, body.email, body.phone, "bounce", body.note)
    db.commit()
    return SuppressionRead.model_validate(row)

"""REST API of invitations: offers, campaigns, funnel, delivery events, links and QR codes."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from cxloop.core.deps import ApiAdmin, ApiAnalyst, ApiViewer, AppSettings, DbSession
from cxloop.invitations import campaigns, links, qr, service
from cxloop.invitations.schemas import (
    CampaignCreate,
    CampaignRead,
    DeliveryEvent,
    Funnel,
    InvitationRead,
    OfferCreate,
    OfferRead,
)
from cxloop.surveys import service as surveys

router = APIRouter(tags=["invitations"])


@router.post("/invitations", response_model=OfferRead, status_code=201)
def create_invitation(
    body: OfferCreate, caller: ApiAnalyst, db: DbSession, settings: AppSettings
) -> OfferRead:
    """Offers a survey to one contact; governance may refuse (allowed=false, with the rule)."""
    made = service.offer(
        db,
        settings,
        caller.workspace_id,
        service.OfferRequest(
            contact_id=body.contact_id,
            survey_id=body.survey_id,
            channel=body.channel,
            touchpoint_id=body.touchpoint_id,
            hidden=body.hidden,
            source=f"api:{caller.api_key_id or caller.user_id}",
            send_after=body.send_after,
        ),
    )
    db.commit()
    url = links.invitation_url(settings, made.token) if made.token else None
    return OfferRead(
        invitation_id=made.invitation_id,
        allowed=made.allowed,
        rule=made.rule,
        reason=made.reason,
        url=url,
    )


@router.get("/invitations", response_model=list[InvitationRead])
def list_invitations(
    caller: ApiViewer,
    db: DbSession,
    contact_id: str | None = None,
    survey_id: str | None = None,
) -> list[InvitationRead]:
    rows = campaigns.list_invitations(db, caller.workspace_id, contact_id, survey_id)
    return [InvitationRead.model_validate(r) for r in rows]


@router.post("/invitations/campaigns", response_model=CampaignRead, status_code=201)
def create_campaign(body: CampaignCreate, caller: ApiAnalyst, db: DbSession) -> CampaignRead:
    """Queues one send job per contact (at send_at); governance decides for each at send time."""
    campaign = campaigns.create_campaign(db, caller.workspace_id, body)
    db.commit()
    return CampaignRead.model_validate(campaign)


@router.get("/invitations/campaigns", response_model=list[CampaignRead])
def list_campaigns(caller: ApiViewer, db: DbSession) -> list[CampaignRead]:
    return [
        CampaignRead.model_validate(c) for c in campaigns.list_campaigns(db, caller.workspace_id)
    ]


@router.get("/invitations/funnel", response_model=Funnel)
def funnel(
    caller: ApiViewer,
    db: DbSession,
    survey_id: str | None = None,
    channel: str | None = None,
    touchpoint: str | None = None,
    language: str | None = None,
    campaign_id: str | None = None,
) -> Funnel:
    """sent → delivered → opened → started → completed, with rates; response rate =
    responses ÷ invitations delivered."""
    filters = {
        "survey_id": survey_id,
        "channel": channel,
        "touchpoint_id": touchpoint,
        "language": language,
        "campaign_id": campaign_id,
    }
    return campaigns.funnel(db, caller.workspace_id, filters)


@router.post("/invitations/{invitation_id}/events", status_code=204)
def delivery_event(
    invitation_id: str, body: DeliveryEvent, caller: ApiAdmin, db: DbSession
) -> Response:
    """A sender reports delivered, bounced (the address is suppressed) or failed."""
    service.mark(db, caller.workspace_id, invitation_id, body.stage)
    db.commit()
    return Response(status_code=204)


def _hidden(request: Request) -> dict[str, str]:
    return {
        name[len("hidden.") :]: value
        for name, value in request.query_params.items()
        if name.startswith("hidden.")
    }


@router.get("/surveys/{survey_id}/general-link")
def general_link(
    survey_id: str,
    request: Request,
    caller: ApiViewer,
    db: DbSession,
    settings: AppSettings,
    touchpoint: str | None = Query(None, max_length=200),
) -> dict[str, str]:
    """The survey's general link for a touchpoint, with hidden fields (``hidden.store=12``)."""
    survey = surveys.get_survey(db, caller.workspace_id, survey_id)
    url = qr.general_url(settings.base_url, survey.public_token, touchpoint, _hidden(request))
    return {"url": url}


def _qr(
    kind: str,
    survey_id: str,
    request: Request,
    workspace_id: str,
    db: DbSession,
    settings: AppSettings,
    touchpoint: str | None,
    scale: int,
) -> Response:
    survey = surveys.get_survey(db, workspace_id, survey_id)
    url = qr.general_url(settings.base_url, survey.public_token, touchpoint, _hidden(request))
    body = qr.png(url, scale) if kind == "png" else qr.svg(url, scale)
    media = "image/png" if kind == "png" else "image/svg+xml"
    name = f"survey-{survey.id}{'-' + touchpoint if touchpoint else ''}.{kind}"
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in name)
    headers = {"content-disposition": f'inline; filename="{safe}"', "x-survey-url": url}
    return Response(body, media_type=media, headers=headers)


@router.get("/surveys/{survey_id}/qr.png", response_class=Response)
def qr_png(
    survey_id: str,
    request: Request,
    caller: ApiAnalyst,
    db: DbSession,
    settings: AppSettings,
    touchpoint: str | None = Query(None, max_length=200),
    scale: int = Query(8, ge=1, le=40),
) -> Response:
    """A PNG QR code of the general link (touchpoint, ``hidden.<name>=value`` fields)."""
    return _qr("png", survey_id, request, caller.workspace_id, db, settings, touchpoint, scale)


@router.get("/surveys/{survey_id}/qr.svg", response_class=Response)
def qr_svg(
    survey_id: str,
    request: Request,
    caller: ApiAnalyst,
    db: DbSession,
    settings: AppSettings,
    touchpoint: str | None = Query(None, max_length=200),
    scale: int = Query(8, ge=1, le=40),
) -> Response:
    """An SVG QR code of the general link (the URL is also the SVG's title)."""
    return _qr("svg", survey_id, request, caller.workspace_id, db, settings, touchpoint, scale)

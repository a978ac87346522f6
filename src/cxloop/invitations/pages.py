"""Pages: invitations (campaigns, funnel, links & QR), governance settings, why-not-surveyed."""

from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from cxloop.core.deps import AppSettings, DbSession, PageAdmin, PageAnalyst, PageViewer
from cxloop.core.errors import Invalid
from cxloop.core.web import check_csrf, render
from cxloop.governance import service as governance
from cxloop.governance.schemas import SettingsWrite
from cxloop.invitations import campaigns, qr
from cxloop.surveys import service as surveys

router = APIRouter()


@router.get("/app/invitations", response_class=HTMLResponse)
def invitations_page(
    request: Request,
    caller: PageViewer,
    db: DbSession,
    settings: AppSettings,
    survey_id: str | None = None,
) -> Response:
    ws = caller.workspace_id
    listed = surveys.list_surveys(db, ws)
    chosen = next((s for s in listed if s.id == survey_id), None)
    funnel = campaigns.funnel(db, ws, {"survey_id": chosen.id if chosen else None})
    general = qr.general_url(settings.base_url, chosen.public_token, None, {}) if chosen else None
    context = {
        "surveys": listed,
        "chosen": chosen,
        "funnel": funnel,
        "campaigns": campaigns.list_campaigns(db, ws),
        "general_url": general,
    }
    return render(request, "invitations/index.html", context)


@router.get("/app/invitations/qr/{survey_id}.{kind}")
def qr_download(
    survey_id: str,
    kind: str,
    request: Request,
    caller: PageAnalyst,
    db: DbSession,
    settings: AppSettings,
    touchpoint: str = "",
) -> Response:
    """The QR code of the general link (touchpoint and ``hidden.<name>`` fields) to download."""
    if kind not in ("png", "svg"):
        raise Invalid("format: use png or svg")
    survey = surveys.get_survey(db, caller.workspace_id, survey_id)
    hidden = {
        k[len("hidden.") :]: v
        for k, v in request.query_params.items()
        if k.startswith("hidden.") and v.strip()
    }
    url = qr.general_url(settings.base_url, survey.public_token, touchpoint.strip() or None, hidden)
    body = qr.png(url) if kind == "png" else qr.svg(url)
    media = "image/png" if kind == "png" else "image/svg+xml"
    headers = {"content-disposition": f'attachment; filename="survey-qr.{kind}"'}
    return Response(body, media_type=media, headers=headers)


@router.get("/app/governance", response_class=HTMLResponse)
def governance_page(request: Request, caller: PageViewer, db: DbSession) -> Response:
    rules = governance.get_settings(db, caller.workspace_id)
    context = {"rules": rules, "saved": request.query_params.get("saved") == "1", "error": None}
    return render(request, "governance/settings.html", context)


def _int(value: str) -> int | None:
    value = value.strip()
    if not value:
        return None
    if not value.isdigit():
        raise Invalid(f"{value!r} is not a whole number")
    return int(value)


@router.post("/app/governance", response_class=HTMLResponse)
def save_governance(
    request: Request,
    caller: PageAdmin,
    db: DbSession,
    csrf: str = Form(""),
    workspace_cap: str = Form(""),
    workspace_period_days: str = Form("30"),
    survey_cap: str = Form(""),
    survey_period_days: str = Form("90"),
    touchpoint_cap: str = Form(""),
    touchpoint_period_days: str = Form("30"),
    reminders_count: str = Form(""),
    quarantine_days: str = Form("0"),
    quiet_start: str = Form(""),
    quiet_end: str = Form(""),
) -> Response:
    check_csrf(request, csrf)
    try:
        data = SettingsWrite(
            workspace_cap=_int(workspace_cap),
            workspace_period_days=_int(workspace_period_days) or 30,
            survey_cap=_int(survey_cap),
            survey_period_days=_int(survey_period_days) or 90,
            touchpoint_cap=_int(touchpoint_cap),
            touchpoint_period_days=_int(touchpoint_period_days) or 30,
            reminders_count=bool(reminders_count),
            quarantine_days=_int(quarantine_days) or 0,
            quiet_start=quiet_start.strip() or None,
            quiet_end=quiet_end.strip() or None,
        )
        governance.put_settings(db, caller.workspace_id, data)
    except (Invalid, ValidationError) as exc:
        db.rollback()
        message = exc.message if isinstance(exc, Invalid) else exc.errors()[0]["msg"]
        rules = governance.get_settings(db, caller.workspace_id)
        context = {"rules": rules, "saved": False, "error": message}
        return render(request, "governance/settings.html", context, status_code=422)
    db.commit()
    return RedirectResponse("/app/governance?saved=1", status_code=303)


@router.get("/app/contacts/{contact_id}/eligibility", response_class=HTMLResponse)
def eligibility_page(
    contact_id: str,
    request: Request,
    caller: PageViewer,
    db: DbSession,
    survey_id: str | None = None,
    channel: str = "email",
) -> Response:
    """Why was this contact (not) surveyed: the rule that blocks it now, and past decisions."""
    if channel not in ("email", "sms", "link", "widget"):
        raise Invalid("channel: must be email, sms, link or widget")
    data = governance.explain(db, caller.workspace_id, contact_id, survey_id or None, channel)
    context = {
        "data": data,
        "contact_id": contact_id,
        "surveys": surveys.list_surveys(db, caller.workspace_id),
        "survey_id": survey_id,
        "channel": channel,
    }
    return render(request, "governance/eligibility.html", context)

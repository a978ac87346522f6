"""Pages: invitations (campaigns, funnel, links & QR), governance settings, why-not-surveyed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from cxloop.accounts import service as accounts
from cxloop.core.deps import (
    AppSettings,
    DbSession,
    PageAdmin,
    PageAnalyst,
    PageViewer,
    Principal,
)
from cxloop.core.errors import Invalid, NotFound
from cxloop.core.security import Role, role_at_least
from cxloop.core.settings import Settings
from cxloop.core.web import check_csrf, render
from cxloop.governance import service as governance
from cxloop.governance.schemas import SettingsWrite
from cxloop.invitations import campaigns, qr
from cxloop.invitations.schemas import CampaignCreate
from cxloop.segments import service as segments
from cxloop.surveys import service as surveys

router = APIRouter()
NEW_CAMPAIGN = {
    "survey_id": "",
    "audience": "all",
    "channel": "email",
    "when": "now",
    "send_at": "",
    "reminder_after_days": "",
    "max_reminders": "1",
}


def _zone(db: DbSession, workspace_id: str) -> ZoneInfo:
    try:
        return ZoneInfo(accounts.get_workspace(db, workspace_id).timezone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _page(
    request: Request,
    db: DbSession,
    settings: Settings,
    caller: Principal,
    *,
    survey_id: str | None = None,
    form: dict[str, str] | None = None,
    error: str | None = None,
    created: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    ws = caller.workspace_id
    listed = surveys.list_surveys(db, ws)
    chosen = next((s for s in listed if s.id == survey_id), None)
    funnel = campaigns.funnel(db, ws, {"survey_id": chosen.id if chosen else None})
    general = qr.general_url(settings.base_url, chosen.public_token, None, {}) if chosen else None
    live = [s for s in listed if s.status == "live"]
    audiences = segments.list_segments(db, ws)
    rows = campaigns.campaign_rows(db, ws, {s.id: s.name for s in audiences})
    if form is None:
        preset = chosen.id if chosen is not None and chosen.status == "live" else ""
        form = {**NEW_CAMPAIGN, "survey_id": preset}
    context = {
        "surveys": listed,
        "chosen": chosen,
        "funnel": funnel,
        "campaigns": rows,
        "general_url": general,
        "can_create": role_at_least(caller.role, Role.analyst),
        "live_surveys": live,
        "segments": audiences,
        "sms_enabled": bool(settings.sms_gateway_url),
        "timezone": _zone(db, ws).key,
        "form": form,
        "error": error,
        "created": next((r for r in rows if r.campaign.id == created), None),
    }
    return render(request, "invitations/index.html", context, status_code=status)


@router.get("/app/invitations", response_class=HTMLResponse)
def invitations_page(
    request: Request,
    caller: PageViewer,
    db: DbSession,
    settings: AppSettings,
    survey_id: str | None = None,
    created: str | None = None,
) -> Response:
    return _page(request, db, settings, caller, survey_id=survey_id, created=created)


def _whole(label: str, value: str, low: int, high: int, hint: str) -> int | None:
    if not value:
        return None
    if not (value.isascii() and value.isdigit()) or not low <= int(value) <= high:
        raise Invalid(f"{label}: give a whole number from {low} to {high}{hint}")
    return int(value)


def _send_at(value: str, zone: ZoneInfo) -> datetime:
    try:
        local = datetime.fromisoformat(value)
    except ValueError:
        raise Invalid("Send at: pick a date and time, or choose to send now") from None
    moment = (local if local.tzinfo else local.replace(tzinfo=zone)).astimezone(UTC)
    if moment < datetime.now(UTC) - timedelta(minutes=1):
        raise Invalid("Send at: that time has passed; pick a later one or send now")
    return moment


def _campaign(db: DbSession, settings: Settings, ws: str, form: dict[str, str]) -> CampaignCreate:
    """The form as the campaign service's input; Invalid names the field that is wrong."""
    if not form["survey_id"]:
        raise Invalid("Survey: choose a live survey")
    channel = form["channel"] or "email"
    if channel not in ("email", "sms"):
        raise Invalid("Channel: choose email or SMS")
    if channel == "sms" and not settings.sms_gateway_url:
        raise Invalid("Channel: SMS is not configured (CXLOOP_SMS_GATEWAY_URL); send by email")
    send_at = _send_at(form["send_at"], _zone(db, ws)) if form["when"] == "later" else None
    days = _whole("Reminder after", form["reminder_after_days"], 1, 60, " days, or leave it empty")
    most = _whole("Max reminders", form["max_reminders"], 1, 5, "") if days else None
    if days and most is None:
        raise Invalid("Max reminders: give a whole number from 1 to 5")
    audience = form["audience"]
    if audience == "all":
        survey = surveys.get_survey(db, ws, form["survey_id"])  # its errors come first
        if survey.status != "live":
            raise Invalid("Survey: the survey is not live; publish it first")
        target: dict[str, object] = {"contact_ids": campaigns.reachable_audience(db, ws, channel)}
    elif audience.startswith("segment:") and len(audience) > len("segment:"):
        target = {"segment_id": audience[len("segment:") :]}
        segments.get(db, ws, str(target["segment_id"]))
    else:
        raise Invalid("Audience: choose a segment or all contacts")
    return CampaignCreate.model_validate(
        {
            "survey_id": form["survey_id"],
            "channel": channel,
            "send_at": send_at,
            "reminder_after_days": days,
            "max_reminders": most or 0,
            **target,
        }
    )


@router.post("/app/invitations/campaigns", response_class=HTMLResponse)
def create_campaign(
    request: Request,
    caller: PageAnalyst,
    db: DbSession,
    settings: AppSettings,
    csrf: str = Form(""),
    survey_id: str = Form(""),
    audience: str = Form(""),
    channel: str = Form("email"),
    when: str = Form("now"),
    send_at: str = Form(""),
    reminder_after_days: str = Form(""),
    max_reminders: str = Form(""),
) -> Response:
    """A new email (or SMS) campaign from the page: one send job per contact of the audience."""
    check_csrf(request, csrf)
    values = (survey_id, audience, channel, when, send_at, reminder_after_days, max_reminders)
    form = {k: v.strip()[:200] for k, v in zip(NEW_CAMPAIGN, values, strict=True)}
    try:
        made = campaigns.create_campaign(
            db, caller.workspace_id, _campaign(db, settings, caller.workspace_id, form)
        )
    except (Invalid, NotFound, ValidationError) as exc:
        db.rollback()
        message = exc.message if not isinstance(exc, ValidationError) else _readable(exc)
        return _page(request, db, settings, caller, form=form, error=message, status=422)
    db.commit()
    return RedirectResponse(f"/app/invitations?created={made.id}", status_code=303)


def _readable(exc: ValidationError) -> str:
    err = exc.errors()[0]
    field = ".".join(str(p) for p in err["loc"]) or "form"
    return f"{field}: {str(err['msg']).removeprefix('Value error, ')}"


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

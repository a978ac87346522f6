"""Pages: the delivery log (/app/deliveries) and webhook endpoints (/app/settings/webhooks).

A new or rotated signing secret is shown once, on the page that answers the form.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from cxloop.core.deps import AppSettings, DbSession, PageAdmin, PageAnalyst, Principal
from cxloop.core.errors import CxError
from cxloop.core.security import Role, role_at_least
from cxloop.core.web import check_csrf, render
from cxloop.notifications import outbox, service
from cxloop.notifications.schemas import (
    KNOWN_EVENTS,
    STATUSES,
    EndpointCreate,
    EndpointUpdate,
    EndpointWithSecret,
)

router = APIRouter()
WEBHOOKS = "/app/settings/webhooks"
FIELDS = ("name", "url", "kind", "event_types")
NOTICES = {
    "test": "Test event queued: it appears in the delivery log in a moment.",
    "activated": "Endpoint activated.",
    "deactivated": "Endpoint deactivated: no events are sent to it.",
    "deleted": "Endpoint deleted.",
}


@router.get("/app/deliveries", response_class=HTMLResponse)
def deliveries_page(
    request: Request,
    caller: PageAnalyst,
    db: DbSession,
    channel: str = "",
    status: str = "",
    reference: str = "",
) -> Response:
    """The latest emails and webhooks with their state, attempts and last error."""
    error = None
    try:
        page = service.list_deliveries(
            db,
            caller.workspace_id,
            channel=channel or None,
            status=status or None,
            reference=reference.strip() or None,
            limit=100,
        )
    except CxError as exc:
        page, error = service.list_deliveries(db, caller.workspace_id, limit=100), exc.message
    context = {
        "page": page,
        "filters": {"channel": channel, "status": status, "reference": reference},
        "statuses": STATUSES,
        "error": error,
        "can_manage": role_at_least(caller.role, Role.admin),
    }
    return render(request, "notifications/deliveries.html", context)


@router.get("/app/outbox", response_class=HTMLResponse)
def outbox_page(
    request: Request, caller: PageAnalyst, settings: AppSettings, email: str = ""
) -> Response:
    """The development outbox: emails written to CXLOOP_EMAIL_OUTBOX instead of being sent."""
    folder = settings.email_outbox
    found = outbox.emails(folder, caller.workspace_id) if folder else []
    shown = next((e for e in found if e.name == email), found[0] if found else None)
    context = {"enabled": folder is not None, "emails": found, "shown": shown}
    return render(request, "notifications/outbox.html", context)


def _render(
    request: Request,
    db: DbSession,
    caller: Principal,
    *,
    form: dict[str, str] | None = None,
    error: str | None = None,
    secret: EndpointWithSecret | None = None,
    notice: str = "",
    status: int = 200,
) -> HTMLResponse:
    context: dict[str, Any] = {
        "endpoints": service.list_endpoints(db, caller.workspace_id),
        "form": form or {"name": "", "url": "", "kind": "standard", "event_types": ""},
        "error": error,
        "secret": secret,
        "notice": NOTICES.get(notice),
        "known_events": KNOWN_EVENTS,
    }
    return render(request, "notifications/webhooks.html", context, status_code=status)


async def _posted(request: Request) -> dict[str, str]:
    data = await request.form()
    check_csrf(request, str(data.get("csrf") or ""))
    return {k: str(data.get(k) or "")[:4000] for k in (*FIELDS, "active")}


def _readable(exc: ValidationError) -> str:
    err = exc.errors()[0]
    field = ".".join(str(p) for p in err["loc"]) or "form"
    return f"{field}: {str(err['msg']).removeprefix('Value error, ')}"


@router.get(WEBHOOKS, response_class=HTMLResponse)
def webhooks_page(request: Request, caller: PageAdmin, db: DbSession, notice: str = "") -> Response:
    return _render(request, db, caller, notice=notice)


@router.post(WEBHOOKS)
async def create_endpoint(request: Request, caller: PageAdmin, db: DbSession) -> Response:
    form = await _posted(request)
    events = [e for e in form["event_types"].replace(",", " ").split() if e]
    try:
        data = EndpointCreate.model_validate(
            {
                "name": form["name"].strip(),
                "url": form["url"].strip(),
                "kind": form["kind"] or "standard",
                "event_types": events,
            }
        )
        created = service.create_endpoint(db, caller.workspace_id, data)
    except ValidationError as exc:
        return _render(request, db, caller, form=form, error=_readable(exc), status=422)
    db.commit()
    return _render(request, db, caller, secret=created)


@router.post(WEBHOOKS + "/{endpoint_id}/test")
async def test_endpoint(
    endpoint_id: str, request: Request, caller: PageAdmin, db: DbSession
) -> Response:
    await _posted(request)
    service.send_test(db, caller.workspace_id, endpoint_id)
    db.commit()
    return RedirectResponse(f"{WEBHOOKS}?notice=test", status_code=303)


@router.post(WEBHOOKS + "/{endpoint_id}/active")
async def set_active(
    endpoint_id: str, request: Request, caller: PageAdmin, db: DbSession
) -> Response:
    service.get_endpoint(db, caller.workspace_id, endpoint_id)  # 404 before reading the form
    form = await _posted(request)
    active = form["active"] == "1"
    service.update_endpoint(db, caller.workspace_id, endpoint_id, EndpointUpdate(active=active))
    db.commit()
    notice = "activated" if active else "deactivated"
    return RedirectResponse(f"{WEBHOOKS}?notice={notice}", status_code=303)


@router.post(WEBHOOKS + "/{endpoint_id}/rotate")
async def rotate_secret(
    endpoint_id: str, request: Request, caller: PageAdmin, db: DbSession
) -> Response:
    service.get_endpoint(db, caller.workspace_id, endpoint_id)
    await _posted(request)
    rotated = service.rotate_secret(db, caller.workspace_id, endpoint_id)
    db.commit()
    return _render(request, db, caller, secret=rotated)


@router.post(WEBHOOKS + "/{endpoint_id}/delete")
async def delete_endpoint(
    endpoint_id: str, request: Request, caller: PageAdmin, db: DbSession
) -> Response:
    service.get_endpoint(db, caller.workspace_id, endpoint_id)
    await _posted(request)
    service.delete_endpoint(db, caller.workspace_id, endpoint_id)
    db.commit()
    return RedirectResponse(f"{WEBHOOKS}?notice=deleted", status_code=303)

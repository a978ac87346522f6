"""Alert pages: the list (state, last value, last fired) with a form for a new alert, and an
alert's page with the current check (why it would fire or not), its firings and its form.

Form errors re-render the form with what the user typed and the message naming the field.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from cxloop.alerts import notify, service
from cxloop.alerts.schemas import AlertCreate, AlertRead, AlertUpdate, Check
from cxloop.core.deps import DbSession, PageAnalyst, PageViewer, Principal
from cxloop.core.errors import CxError, Invalid
from cxloop.core.security import Role, role_at_least
from cxloop.core.web import check_csrf, render
from cxloop.metrics import service as metrics

router = APIRouter()
FIELDS = (
    "name", "metric", "measure", "theme_key", "grain", "compare", "kind", "value", "min_n",
    "touchpoint_id", "channel", "language", "segment_id", "attributes", "notify", "active",
)  # fmt: skip
METRICS = {
    "nps": "NPS",
    "csat": "CSAT (% satisfied)",
    "ces": "CES (% easy)",
    "response_count": "Number of responses",
    "theme_share": "Share of comments on a theme",
    "negative_share": "Share of negative comments",
}
KINDS = {
    "significant_drop": "drops significantly vs the previous period",
    "significant_rise": "rises significantly vs the previous period",
    "below": "is below",
    "above": "is above",
}
NOTICES = {"created": "Alert saved.", "updated": "Changes saved.", "deleted": "Alert deleted."}


def _attributes(text: str) -> dict[str, list[str]]:
    """'plan:pro,enterprise; region:eu' → {'plan': ['pro', 'enterprise'], 'region': ['eu']}."""
    parsed: dict[str, list[str]] = {}
    for item in (part.strip() for part in text.split(";")):
        if not item:
            continue
        name, sep, rest = item.partition(":")
        values = [v.strip() for v in rest.split(",") if v.strip()]
        if not sep or not name.strip() or not values:
            raise Invalid(f"Contact attributes: '{item}' is not name:value or name:value1,value2")
        parsed.setdefault(name.strip(), []).extend(values)
    return parsed


def _data(form: dict[str, str]) -> dict[str, Any]:
    def text(key: str) -> str | None:
        return form[key].strip() or None

    value = text("value")
    try:
        number = float(value) if value is not None else None
    except ValueError:
        raise Invalid(f"Value: '{value}' is not a number") from None
    min_n = text("min_n")
    if min_n is not None and not min_n.isdigit():
        raise Invalid(f"Minimum responses: '{min_n}' is not a whole number")
    return {
        "name": form["name"].strip(),
        "metric": form["metric"],
        "measure": form["measure"] or "share",
        "theme_key": text("theme_key") if form["metric"] == "theme_share" else None,
        "grain": form["grain"] or "week",
        "compare": form["compare"] or "current",
        "condition": {"kind": form["kind"], "value": number},
        "min_n": int(min_n) if min_n else None,
        "filters": {
            "touchpoint_id": text("touchpoint_id"),
            "channel": text("channel"),
            "language": text("language"),
            "segment_id": text("segment_id"),
            "attributes": _attributes(form["attributes"]),
        },
        "notify": [e.strip() for e in form["notify"].replace("\n", ",").split(",") if e.strip()],
        "active": form["active"] == "on",
    }


def _readable(exc: ValidationError) -> str:
    return service.readable(exc).message


def _form_of(alert: AlertRead | None) -> dict[str, str]:
    form = dict.fromkeys(FIELDS, "")
    form.update(
        metric="nps",
        measure="share",
        grain="week",
        compare="current",
        kind="significant_drop",
        active="on",
    )
    if alert is None:
        return form
    f = alert.filters
    form.update(
        name=alert.name,
        metric=alert.metric.value,
        measure=alert.measure.value,
        theme_key=alert.theme_key or "",
        grain=alert.grain.value,
        compare=alert.compare.value,
        kind=alert.condition.kind,
        value="" if alert.condition.value is None else f"{alert.condition.value:g}",
        min_n="" if alert.min_n is None else str(alert.min_n),
        touchpoint_id=f.touchpoint_id or "",
        channel=f.channel or "",
        language=f.language or "",
        segment_id=f.segment_id or "",
        attributes="; ".join(f"{k}:{','.join(v)}" for k, v in f.attributes.items()),
        notify=", ".join(alert.notify),
        active="on" if alert.active else "",
    )
    return form


def _render(
    request: Request,
    db: DbSession,
    caller: Principal,
    alert: AlertRead | None,
    form: dict[str, str] | None = None,
    *,
    error: str | None = None,
    notice: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    context: dict[str, Any] = {
        "alert": alert,
        "form": form or _form_of(alert),
        "metrics": METRICS,
        "kinds": KINDS,
        "touchpoints": metrics.touchpoint_options(db, caller.workspace_id),
        "error": error,
        "notice": NOTICES.get(notice or ""),
        "can_edit": role_at_least(caller.role, Role.analyst),
        "number": notify.number,
    }
    if alert is None:
        context["alerts"] = service.list_alerts(db, caller.workspace_id)
        return render(request, "alerts/list.html", context, status_code=status)
    check: Check | None = None
    try:
        check = service.evaluate(db, caller.workspace_id, alert.id)
    except CxError as exc:
        context["check_error"] = exc.message
    context.update(
        check=check,
        title=notify.title(db, service.row(db, caller.workspace_id, alert.id)),
        firings=service.firings(db, caller.workspace_id, alert.id, 100),
    )
    return render(request, "alerts/detail.html", context, status_code=status)


async def _posted(request: Request) -> dict[str, str]:
    data = await request.form()
    check_csrf(request, str(data.get("csrf") or ""))
    return {k: str(data.get(k) or "")[:5000] for k in FIELDS}


@router.get("/app/alerts", response_class=HTMLResponse)
def alerts_page(request: Request, caller: PageViewer, db: DbSession, notice: str = "") -> Response:
    return _render(request, db, caller, None, notice=notice)


@router.post("/app/alerts")
async def create_alert(request: Request, caller: PageAnalyst, db: DbSession) -> Response:
    form = await _posted(request)
    try:
        data = AlertCreate.model_validate(_data(form))
        created = service.create(db, caller.workspace_id, data, caller.user_id)
    except ValidationError as exc:
        return _render(request, db, caller, None, form, error=_readable(exc), status=422)
    except CxError as exc:
        db.rollback()
        return _render(request, db, caller, None, form, error=exc.message, status=exc.status_code)
    db.commit()
    return RedirectResponse(f"/app/alerts/{created.id}?notice=created", status_code=303)


@router.get("/app/alerts/{alert_id}", response_class=HTMLResponse)
def alert_page(
    alert_id: str, request: Request, caller: PageViewer, db: DbSession, notice: str = ""
) -> Response:
    alert = service.get(db, caller.workspace_id, alert_id)
    return _render(request, db, caller, alert, notice=notice)


@router.post("/app/alerts/{alert_id}")
async def update_alert(
    alert_id: str, request: Request, caller: PageAnalyst, db: DbSession
) -> Response:
    alert = service.get(db, caller.workspace_id, alert_id)  # 404 before reading the form
    form = await _posted(request)
    try:
        change = AlertUpdate.model_validate(_data(form))
        service.update(db, caller.workspace_id, alert_id, change)
    except ValidationError as exc:
        return _render(request, db, caller, alert, form, error=_readable(exc), status=422)
    except CxError as exc:
        db.rollback()
        return _render(request, db, caller, alert, form, error=exc.message, status=exc.status_code)
    db.commit()
    return RedirectResponse(f"/app/alerts/{alert_id}?notice=updated", status_code=303)


@router.post("/app/alerts/{alert_id}/delete")
async def delete_alert(
    alert_id: str, request: Request, caller: PageAnalyst, db: DbSession
) -> Response:
    data = await request.form()
    check_csrf(request, str(data.get("csrf") or ""))
    service.delete(db, caller.workspace_id, alert_id)
    db.commit()
    return RedirectResponse("/app/alerts?notice=deleted", status_code=303)

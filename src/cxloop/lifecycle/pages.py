"""The customers page (/app/customers): churn, retention and CLV for a period, for everyone and
for those who contacted support versus those who did not, and the workspace's definitions."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from cxloop.accounts import service as accounts
from cxloop.core.deps import DbSession, PageAdmin, PageViewer, Principal
from cxloop.core.errors import Invalid
from cxloop.core.security import Role, role_at_least
from cxloop.core.web import check_csrf, render
from cxloop.interactions.models import InteractionKind
from cxloop.lifecycle import service
from cxloop.lifecycle.schemas import CustomerSettings

router = APIRouter()
Text = Annotated[str, Form()]
Many = Annotated[list[str] | None, Form()]
PRESETS = (30, 90, 365)
DEFAULT_DAYS = 90
NUMBER_FIELDS = (
    "churn_window_days",
    "acquisition_cost",
    "margin_pct",
    "discount_rate",
    "horizon_years",
)
LABELS = {
    "activity_kinds": "Activity that makes a customer active",
    "support_kinds": "Activity that counts as contacting support",
    "churn_window_days": "Churn window (days)",
    "acquisition_cost": "Acquisition cost",
    "margin_pct": "Margin (%)",
    "discount_rate": "Discount rate per year",
    "horizon_years": "Horizon (years)",
}


def _presets(today: date) -> list[tuple[int, date, date]]:
    return [(d, today - timedelta(days=d - 1), today) for d in PRESETS]


def _period(
    db: DbSession, workspace_id: str, date_from: date | None, date_to: date | None
) -> tuple[date, date]:
    """The requested days, or the last DEFAULT_DAYS days up to today."""
    end = date_to or accounts.workspace_today(db, workspace_id)
    return date_from or end - timedelta(days=DEFAULT_DAYS - 1), end


def _form_of(settings: CustomerSettings) -> dict[str, Any]:
    values = settings.model_dump(mode="json")
    return {**{k: str(values[k]) for k in NUMBER_FIELDS}, **{k: values[k] for k in LABELS}}


def _page(
    request: Request,
    db: DbSession,
    caller: Principal,
    date_from: date | None,
    date_to: date | None,
    *,
    form: dict[str, Any] | None = None,
    errors: list[str] | None = None,
    saved: bool = False,
    status: int = 200,
) -> HTMLResponse:
    start, end = _period(db, caller.workspace_id, date_from, date_to)
    metrics, problem = None, None
    try:
        metrics = service.customer_metrics(db, caller.workspace_id, start, end)
    except Invalid as exc:
        problem = exc.message
    settings = service.settings_of(db, caller.workspace_id)
    context = {
        "metrics": metrics,
        "problem": problem,
        "date_from": start,
        "date_to": end,
        "presets": _presets(accounts.workspace_today(db, caller.workspace_id)),
        "form": form or _form_of(settings),
        "labels": LABELS,
        "kinds": [k.value for k in InteractionKind],
        "errors": errors or [],
        "saved": saved,
        "can_edit": role_at_least(caller.role, Role.admin),
        "min_sample": accounts.get_workspace(db, caller.workspace_id).min_sample,
    }
    return render(request, "lifecycle/index.html", context, status_code=status)


@router.get("/app/customers", response_class=HTMLResponse)
def customers_page(
    request: Request,
    caller: PageViewer,
    db: DbSession,
    date_from: Annotated[date | None, Query(alias="from")] = None,
    date_to: Annotated[date | None, Query(alias="to")] = None,
    saved: bool = False,
) -> Response:
    return _page(request, db, caller, date_from, date_to, saved=saved)


def _messages(exc: ValidationError) -> list[str]:
    found = []
    for err in exc.errors():
        field = str(err["loc"][0]) if err["loc"] else ""
        found.append(f"{LABELS.get(field, field)}: {err['msg']}")
    return found


@router.post("/app/customers/settings")
def save_settings(
    request: Request,
    caller: PageAdmin,
    db: DbSession,
    csrf: Text = "",
    activity_kinds: Many = None,
    support_kinds: Many = None,
    churn_window_days: Text = "",
    acquisition_cost: Text = "",
    margin_pct: Text = "",
    discount_rate: Text = "",
    horizon_years: Text = "",
    period_from: Text = "",
    period_to: Text = "",
) -> Response:
    check_csrf(request, csrf)
    form: dict[str, Any] = {
        "activity_kinds": activity_kinds or [],
        "support_kinds": support_kinds or [],
        "churn_window_days": churn_window_days.strip(),
        "acquisition_cost": acquisition_cost.strip(),
        "margin_pct": margin_pct.strip(),
        "discount_rate": discount_rate.strip(),
        "horizon_years": horizon_years.strip(),
    }
    period = {k: v for k, v in (("from", period_from), ("to", period_to)) if _is_date(v)}
    try:
        settings = CustomerSettings.model_validate(form)
    except ValidationError as exc:
        start = date.fromisoformat(period["from"]) if "from" in period else None
        end = date.fromisoformat(period["to"]) if "to" in period else None
        return _page(request, db, caller, start, end, form=form, errors=_messages(exc), status=422)
    service.update_settings(db, caller.workspace_id, settings)
    db.commit()
    return RedirectResponse(f"/app/customers?{urlencode({**period, 'saved': 1})}", 303)


def _is_date(value: str) -> bool:
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True

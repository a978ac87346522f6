"""The support page (/app/support): first response and resolution times (calendar and business
hours) and reopen rate, overall and per touchpoint or channel, and the business calendar."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from cxloop.accounts import service as accounts
from cxloop.core.calendar import WEEKDAYS, BusinessCalendar, CalendarSpec
from cxloop.core.deps import DbSession, PageAdmin, PageViewer, Principal
from cxloop.core.errors import Invalid
from cxloop.core.security import Role, role_at_least
from cxloop.core.web import check_csrf, render
from cxloop.support import service

router = APIRouter()
Text = Annotated[str, Form()]
PRESETS = (30, 90, 365)
DEFAULT_DAYS = 30
DAY_NAMES: dict[str, str] = {
    "mon": "Monday",
    "tue": "Tuesday",
    "wed": "Wednesday",
    "thu": "Thursday",
    "fri": "Friday",
    "sat": "Saturday",
    "sun": "Sunday",
}
INTERVAL = re.compile(r"^\s*(\d{1,2}:\d{2})\s*[-\u2013]\s*(\d{1,2}:\d{2})\s*$")


def _presets(today: date) -> list[tuple[int, date, date]]:
    return [(d, today - timedelta(days=d - 1), today) for d in PRESETS]


def _period(
    db: DbSession, workspace_id: str, date_from: date | None, date_to: date | None
) -> tuple[date, date]:
    """The requested days, or the last DEFAULT_DAYS days up to today."""
    end = date_to or accounts.workspace_today(db, workspace_id)
    return date_from or end - timedelta(days=DEFAULT_DAYS - 1), end


def calendar_form(spec: CalendarSpec) -> dict[str, str]:
    """The calendar as the form's text fields: '09:00-12:00, 13:00-17:00' per weekday."""
    form = {"timezone": spec.timezone, "holidays": "\n".join(d.isoformat() for d in spec.holidays)}
    for day in WEEKDAYS:
        form[day] = ", ".join(f"{i.start}-{i.end}" for i in spec.hours.get(day, []))
    return form


def parse_calendar(form: dict[str, str]) -> CalendarSpec:
    """Reads the form's text fields; Invalid names the weekday or holiday that is wrong."""
    hours: dict[str, list[dict[str, str]]] = {}
    for day in WEEKDAYS:
        parts = [p for p in re.split(r"[,;\n]", form.get(day, "")) if p.strip()]
        intervals = []
        for part in parts:
            match = INTERVAL.match(part)
            if not match:
                raise Invalid(f"{DAY_NAMES[day]}: '{part.strip()}' is not like 09:00-17:00")
            start, end = (t.zfill(5) for t in match.groups())
            intervals.append({"start": start, "end": end})
        hours[day] = intervals
    holidays = []
    for token in re.split(r"[\s,;]+", form.get("holidays", "")):
        if not token:
            continue
        try:
            holidays.append(date.fromisoformat(token).isoformat())
        except ValueError:
            raise Invalid(f"Holidays: '{token}' is not a date like 2026-12-25") from None
    data: dict[str, Any] = {
        "timezone": form.get("timezone", "").strip(),
        "hours": hours,
        "holidays": holidays,
    }
    try:
        return BusinessCalendar.from_json(data).spec
    except Invalid as exc:
        raise Invalid(_readable(exc.message)) from None


def _readable(message: str) -> str:
    """'hours.mon.0: end 09:00 must be after ...' -> 'Monday: end 09:00 must be after ...'."""
    head, _, rest = message.partition(": ")
    if head == "calendar" and rest:  # a whole-calendar rule names its field in the message
        return _readable(rest)
    parts = head.split(".")
    if parts[0] == "hours" and len(parts) > 1 and parts[1] in DAY_NAMES:
        return f"{DAY_NAMES[parts[1]]}: {rest}"
    names = {"timezone": "Time zone", "holidays": "Holidays", "hours": "Working hours"}
    return f"{names.get(parts[0], head)}: {rest}" if rest else message


def _page(
    request: Request,
    db: DbSession,
    caller: Principal,
    date_from: date | None,
    date_to: date | None,
    by: service.By | None,
    *,
    form: dict[str, str] | None = None,
    error: str | None = None,
    saved: bool = False,
    status: int = 200,
) -> HTMLResponse:
    start, end = _period(db, caller.workspace_id, date_from, date_to)
    metrics, problem = None, None
    try:
        metrics = service.metrics(db, caller.workspace_id, start, end, by)
    except Invalid as exc:
        problem = exc.message
    context = {
        "metrics": metrics,
        "problem": problem,
        "date_from": start,
        "date_to": end,
        "by": by or "",
        "presets": _presets(accounts.workspace_today(db, caller.workspace_id)),
        "form": form or calendar_form(service.read_calendar(db, caller.workspace_id)),
        "day_names": DAY_NAMES,
        "error": error,
        "saved": saved,
        "can_edit": role_at_least(caller.role, Role.admin),
    }
    return render(request, "support/index.html", context, status_code=status)


@router.get("/app/support", response_class=HTMLResponse)
def support_page(
    request: Request,
    caller: PageViewer,
    db: DbSession,
    date_from: Annotated[date | None, Query(alias="from")] = None,
    date_to: Annotated[date | None, Query(alias="to")] = None,
    by: Annotated[service.By | None, Query()] = None,
    saved: bool = False,
) -> Response:
    return _page(request, db, caller, date_from, date_to, by, saved=saved)


@router.post("/app/support/calendar")
async def save_calendar(request: Request, caller: PageAdmin, db: DbSession) -> Response:
    data = await request.form()
    check_csrf(request, str(data.get("csrf") or ""))
    fields = ("timezone", "holidays", *WEEKDAYS)
    form = {k: str(data.get(k) or "")[:2000] for k in fields}
    try:
        spec = parse_calendar(form)
    except Invalid as exc:
        return _page(
            request, db, caller, None, None, None, form=form, error=exc.message, status=422
        )
    service.update_calendar(db, caller.workspace_id, spec)
    db.commit()
    return RedirectResponse("/app/support?saved=1#calendar", status_code=303)

"""What a firing says and where it goes: the subject line, the slice's name, and the side
effects (emails, webhook events, the rules trigger), each with a key derived from the firing
so that none happens twice."""

from __future__ import annotations

import hashlib
from typing import Any
from urllib.parse import urlencode

from sqlalchemy.orm import Session

from cxloop.alerts import repository as repo
from cxloop.alerts.models import Alert, AlertFiring
from cxloop.alerts.schemas import AlertFilters, AlertMetric, Measure, unit_of
from cxloop.core.settings import Settings
from cxloop.notifications import service as notifications
from cxloop.rules import events

MINUS = "\u2212"
EVENT = "alert.fired"
LABELS = {
    AlertMetric.nps: "NPS",
    AlertMetric.csat: "CSAT",
    AlertMetric.ces: "CES",
    AlertMetric.response_count: "Responses",
    AlertMetric.negative_share: "Share of negative comments",
}


def number(unit: str, value: float | None, signed: bool = False) -> str:
    """12, -18 (with a real minus sign), 45.5%, 3.84 ... in the unit of ``unit_of``."""
    if value is None:
        return "n/a"
    digits = {"points": 0, "count": 0, "percent": 1, "mean": 2}.get(unit, 1)
    text = f"{value:+.{digits}f}" if signed else f"{value:.{digits}f}"
    if unit == "percent":
        text += " pts" if signed else "%"
    return text.replace("-", MINUS)


def unit(alert: Alert) -> str:
    return unit_of(AlertMetric(alert.metric), Measure(alert.measure))


def p_text(p_value: float) -> str:
    return "p<0.001" if p_value < 0.001 else f"p={p_value:.3f}".rstrip("0").rstrip(".")


def metric_label(alert: Alert) -> str:
    metric = AlertMetric(alert.metric)
    if metric == AlertMetric.theme_share:
        return f"Share of comments on “{alert.theme_key}”"
    if alert.measure == Measure.mean:
        return f"Mean {LABELS[metric]}"
    return LABELS[metric]


def slice_label(db: Session, workspace_id: str, filters: AlertFilters) -> str:
    """The slice in words: 'Delivery, phone, plan=pro'; '' for everything."""
    parts: list[str] = []
    for what in ("touchpoint", "stage", "journey", "survey", "segment"):
        ident = getattr(filters, f"{what}_id")
        if ident:
            parts.append(repo.name_of(db, what, workspace_id, ident) or f"(deleted {what})")
    parts += [v for v in (filters.channel, filters.language) if v]
    parts += [f"{k}={'|'.join(v)}" for k, v in sorted(filters.attributes.items())]
    return ", ".join(parts)


def title(db: Session, alert: Alert) -> str:
    """'NPS of Delivery' (or just 'NPS' for the whole workspace)."""
    where = slice_label(db, alert.workspace_id, AlertFilters.model_validate(alert.filters))
    return f"{metric_label(alert)} of {where}" if where else metric_label(alert)


def subject(db: Session, alert: Alert, firing: AlertFiring, period: str) -> str:
    """e.g. 'NPS of Delivery dropped to 12 this week (\u221218, p=0.01)'."""
    metric = unit(alert)
    head, value = title(db, alert), number(metric, firing.value)
    kind = str(alert.condition.get("kind"))
    if kind in ("significant_drop", "significant_rise"):
        verb = "dropped" if kind == "significant_drop" else "rose"
        change = number(metric, firing.delta, signed=True)
        p = p_text(firing.p_value if firing.p_value is not None else 1.0)
        return f"{head} {verb} to {value} {period} ({change}, {p})"
    side = "below" if kind == "below" else "above"
    verb = "was" if period.startswith(("last", "yesterday")) else "is"
    limit = number(metric, firing.threshold)
    return f"{head} {verb} {value} {period}, {side} {limit} (n={firing.n})"


def links(settings: Settings | None, alert: Alert) -> tuple[str, str]:
    """The alert's page and the dashboard on the alert's slice."""
    base = settings.base_url.rstrip("/") if settings else ""
    filters = AlertFilters.model_validate(alert.filters)
    query = {k: v for k, v in (("touchpoint_id", filters.touchpoint_id),
                               ("channel", filters.channel)) if v}  # fmt: skip
    dashboard = f"{base}/app" + (f"?{urlencode(query)}" if query else "")
    return f"{base}/app/alerts/{alert.id}", dashboard


def recipients(db: Session, alert: Alert) -> list[str]:
    """Email addresses as given, and the current email of each user id (members only)."""
    emails = {entry for entry in alert.notify if "@" in entry}
    users = repo.member_emails(db, alert.workspace_id, [e for e in alert.notify if "@" not in e])
    return sorted({e.lower() for e in emails | set(users.values())})


def _key(firing: AlertFiring, *parts: str) -> str:
    suffix = hashlib.sha256(":".join(parts).encode()).hexdigest()[:16] if parts else ""
    return f"alert-firing:{firing.id}" + (f":{suffix}" if suffix else "")


def announce(
    db: Session,
    settings: Settings | None,
    alert: Alert,
    firing: AlertFiring,
    period: str,
    reason: str,
) -> None:
    """Queues the emails, the webhook event and the rules trigger of a new firing."""
    line = subject(db, alert, firing, period)
    alert_url, dashboard_url = links(settings, alert)
    data: dict[str, Any] = {
        "alert_id": alert.id,
        "alert_name": alert.name,
        "firing_id": firing.id,
        "metric": alert.metric,
        "theme_key": alert.theme_key,
        "filters": alert.filters,
        "condition": alert.condition,
        "period": period,
        "period_start": firing.period_start.isoformat(),
        "period_end": firing.period_end.isoformat(),
        "value": firing.value,
        "previous_value": firing.previous_value,
        "delta": firing.delta,
        "n": firing.n,
        "previous_n": firing.previous_n,
        "p_value": firing.p_value,
        "threshold": firing.threshold,
        "text": line,
        "url": alert_url,
        "dashboard_url": dashboard_url,
    }
    text = (
        f"{line}\n\n{reason[:1].upper()}{reason[1:]}.\n"
        f"Alert: {alert.name}\nDashboard: {dashboard_url}\nWhy it fired: {alert_url}\n"
    )
    for email in recipients(db, alert):
        payload = {
            "to": email,
            "subject": line,
            "text": text,
            "html": None,
            "language": None,
            "contact_id": None,
            "unsubscribe_url": None,
            "purpose": "alert",
            "reference": f"alert_firing:{firing.id}",
        }
        notifications.queue_email(db, alert.workspace_id, payload, dedupe_key=_key(firing, email))
    notifications.queue_event(
        db, alert.workspace_id, EVENT, data, dedupe_key=_key(firing, "webhook")
    )
    events.emit(db, alert.workspace_id, EVENT, [firing.id], data, dedupe_key=_key(firing))

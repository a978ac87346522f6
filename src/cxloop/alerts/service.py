"""Alerts: create, change, list, and evaluate one against its period (fire when asked).

``evaluate`` computes the watched period's value and the previous period's in the database,
judges the condition (threshold, or the metrics engine's significance tests) and says why it
did or did not fire. With ``fire=True`` a met condition stores a firing (unique per alert,
period and condition) and queues its emails, webhook event and rules trigger in the same
transaction; a second evaluation in the same period finds the firing and does nothing more.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from cxloop.accounts import service as accounts
from cxloop.alerts import measure, notify, periods
from cxloop.alerts import repository as repo
from cxloop.alerts.models import Alert, AlertFiring
from cxloop.alerts.schemas import (
    AlertCreate,
    AlertMetric,
    AlertRead,
    AlertUpdate,
    Check,
    FiringRead,
    Measure,
    unit_of,
)
from cxloop.analytics.query import zone_or_utc
from cxloop.comments import service as comments
from cxloop.core.database import new_id, utcnow
from cxloop.core.email_address import normalised
from cxloop.core.errors import CxError, Invalid, NotFound
from cxloop.core.settings import Settings
from cxloop.metrics import service as metrics
from cxloop.metrics.schemas import MetricFilters

CHECK_EVERY = timedelta(minutes=5)  # how often the periodic job re-evaluates one alert
SIGNIFICANT = ("significant_drop", "significant_rise")


def _invalid(field: str, message: str) -> Invalid:
    return Invalid(f"{field}: {message}", details=[{"field": field, "message": message}])


def readable(exc: ValidationError) -> Invalid:
    err = exc.errors()[0]
    field = ".".join(str(p) for p in err["loc"]) or "alert"
    message = str(err["msg"]).removeprefix("Value error, ")
    if ":" in message.split(" ")[0]:  # the validator already names the field
        field, _, message = message.partition(": ")
    return _invalid(field, message)


def _check(db: Session, workspace_id: str, data: AlertCreate) -> None:
    """Ids of the workspace, a known theme, members or email addresses to notify."""
    try:
        metrics.check_filters(db, workspace_id, MetricFilters(**data.filters.model_dump()))
    except NotFound as exc:
        raise _invalid("filters", exc.message) from None
    except Invalid as exc:
        raise _invalid("filters", exc.message) from None
    segment = data.filters.segment_id
    if segment and repo.name_of(db, "segment", workspace_id, segment) is None:
        raise _invalid("filters", f"segment_id: segment '{segment}' does not exist")
    if data.metric == AlertMetric.theme_share:
        keys = {
            t.key
            for which in ("themes", "pillars")
            for t in comments.taxonomy(db, workspace_id, which).themes
        }
        if data.theme_key not in keys:
            raise _invalid("theme_key", f"'{data.theme_key}' is not a theme of this workspace")
    users = [e for e in data.notify if "@" not in e]
    members = repo.member_ids(db, workspace_id, users)
    for i, entry in enumerate(data.notify):
        if "@" in entry:
            try:
                normalised(entry)
            except ValueError as exc:
                raise _invalid(
                    f"notify[{i}]", f"'{entry}' is not an email address: {exc}"
                ) from None
        elif entry not in members:
            raise _invalid(f"notify[{i}]", f"'{entry}' is not a user of this workspace")
    if data.owner_id and data.owner_id not in repo.member_ids(db, workspace_id, [data.owner_id]):
        raise _invalid("owner_id", f"'{data.owner_id}' is not a user of this workspace")


def _get(db: Session, workspace_id: str, alert_id: str) -> Alert:
    alert = repo.get(db, workspace_id, alert_id)
    if alert is None:
        raise NotFound(f"alert '{alert_id}' does not exist")
    return alert


def _fields(data: AlertCreate) -> dict[str, Any]:
    fields = data.model_dump(mode="json")
    fields["theme_key"] = (data.theme_key or "").strip() or None
    return fields


def create(db: Session, workspace_id: str, data: AlertCreate, owner_id: str | None) -> AlertRead:
    if data.owner_id is None and owner_id is not None:
        data = data.model_copy(update={"owner_id": owner_id})
    _check(db, workspace_id, data)
    alert = Alert(workspace_id=workspace_id, **_fields(data))
    db.add(alert)
    db.flush()
    return AlertRead.model_validate(alert)


def update(db: Session, workspace_id: str, alert_id: str, change: AlertUpdate) -> AlertRead:
    alert = _get(db, workspace_id, alert_id)
    merged = {**spec(alert).model_dump(), **change.model_dump(exclude_unset=True)}
    moved_off_themes = change.metric is not None and change.metric != AlertMetric.theme_share
    if moved_off_themes and "theme_key" not in change.model_fields_set:
        merged["theme_key"] = None
    try:
        data = AlertCreate.model_validate(merged)
    except ValidationError as exc:
        raise readable(exc) from None
    _check(db, workspace_id, data)
    for key, value in _fields(data).items():
        setattr(alert, key, value)
    alert.updated_at = utcnow()
    alert.next_check_at = None  # check the new definition soon
    db.flush()
    return AlertRead.model_validate(alert)


def delete(db: Session, workspace_id: str, alert_id: str) -> None:
    db.delete(_get(db, workspace_id, alert_id))
    db.flush()


def row(db: Session, workspace_id: str, alert_id: str) -> Alert:
    """The stored alert (for texts that need the row); NotFound if not the workspace's."""
    return _get(db, workspace_id, alert_id)


def get(db: Session, workspace_id: str, alert_id: str) -> AlertRead:
    return AlertRead.model_validate(_get(db, workspace_id, alert_id))


def list_alerts(db: Session, workspace_id: str) -> list[AlertRead]:
    return [AlertRead.model_validate(a) for a in repo.all_of(db, workspace_id)]


def firings(
    db: Session, workspace_id: str, alert_id: str | None = None, limit: int = 50
) -> list[FiringRead]:
    if not 1 <= limit <= 500:
        raise _invalid("limit", "must be between 1 and 500")
    if alert_id is not None:
        _get(db, workspace_id, alert_id)
    return [FiringRead.model_validate(f) for f in repo.firings(db, workspace_id, alert_id, limit)]


def spec(alert: Alert) -> AlertCreate:
    """The stored alert as its (validated) definition."""
    return AlertCreate.model_validate(
        {
            "name": alert.name,
            "metric": alert.metric,
            "measure": alert.measure,
            "theme_key": alert.theme_key,
            "filters": alert.filters,
            "grain": alert.grain,
            "condition": alert.condition,
            "min_n": alert.min_n,
            "compare": alert.compare,
            "notify": alert.notify,
            "active": alert.active,
            "owner_id": alert.owner_id,
        }
    )


def fingerprint(data: AlertCreate) -> str:
    """What the alert watches and when it fires; a changed condition may fire again."""
    watched = {"metric", "measure", "theme_key", "filters", "grain", "condition", "compare"}
    keyed = data.model_dump(mode="json", include=watched)
    return hashlib.sha256(json.dumps(keyed, sort_keys=True).encode()).hexdigest()[:32]


def _judge(
    data: AlertCreate,
    cur: measure.Sample,
    prev: measure.Sample,
    min_n: int,
    elapsed: float,
    period: str,
) -> tuple[bool, str, Any]:
    """(condition met, reason, comparison or None)."""
    metric, condition = data.metric, data.condition
    unit = unit_of(metric, data.measure)
    noun = "comments" if metric in measure.SHARES else "responses"
    counts = metric == AlertMetric.response_count
    if cur.value is None or (not counts and cur.n < min_n):
        return False, f"not enough {noun} {period} (n={cur.n}, needs {min_n})", None
    shown = notify.number(unit, cur.value)
    if condition.kind in ("below", "above"):
        limit = condition.value if condition.value is not None else 0.0
        met = cur.value < limit if condition.kind == "below" else cur.value > limit
        word = condition.kind if met else f"not {condition.kind}"
        return met, f"{shown} {period} is {word} {notify.number(unit, limit)}", None
    if prev.value is None or (not counts and prev.n < min_n):
        return False, f"not enough {noun} in the previous period (n={prev.n}, needs {min_n})", None
    result = measure.compare(metric, prev, cur, elapsed, data.measure == Measure.mean)
    change = notify.number(unit, result.delta, signed=True)
    if not result.significant:
        why = f"; {result.reason}" if result.reason else ""
        return False, f"{change}: not significant ({notify.p_text(result.p_value)}){why}", result
    wanted = "down" if condition.kind == "significant_drop" else "up"
    moved = "dropped" if result.direction == "down" else "rose"
    reason = f"{moved} to {shown} {period} ({change}, {notify.p_text(result.p_value)})"
    if result.direction != wanted:
        return False, f"{reason}, not a {'drop' if wanted == 'down' else 'rise'}", result
    return True, reason, result


def evaluate(
    db: Session,
    workspace_id: str,
    alert_id: str,
    now: datetime | None = None,
    *,
    fire: bool = False,
    settings: Settings | None = None,
) -> Check:
    """What the alert sees at ``now``; with ``fire`` a met condition fires (once per period)."""
    now = (now or utcnow()).astimezone(UTC)
    alert = _get(db, workspace_id, alert_id)
    data = spec(alert)
    workspace = accounts.get_workspace(db, workspace_id)
    tz_name = workspace.timezone or "UTC"
    win = periods.window(now, zone_or_utc(tz_name), data.grain, data.compare)
    min_n = data.min_n or workspace.min_sample
    args = (db, workspace_id, data.metric, data.filters, data.theme_key)
    mean = data.measure == Measure.mean
    try:
        cur = measure.sample(*args, win.start, win.end, tz_name, now, workspace.min_sample, mean)
        prev = measure.sample(
            *args, win.previous_start, win.previous_end, tz_name, now, workspace.min_sample, mean
        )
    except CxError as exc:  # a touchpoint or segment deleted since
        raise _invalid("filters", exc.message) from None
    met, reason, result = _judge(data, cur, prev, min_n, win.elapsed, win.label)
    check = Check(
        alert_id=alert.id,
        evaluated_at=now,
        metric=data.metric,
        unit=unit_of(data.metric, data.measure),
        period=win.label,
        period_start=win.start,
        period_end=win.end,
        previous_start=win.previous_start,
        previous_end=win.previous_end,
        value=cur.value,
        n=cur.n,
        previous_value=prev.value,
        previous_n=prev.n,
        delta=None if result is None else round(result.delta, 2),
        p_value=None if result is None else result.p_value,
        significant=None if result is None else result.significant,
        threshold=data.condition.value,
        min_n=min_n,
        condition_met=met,
        fired=False,
        firing_id=None,
        reason=reason,
    )
    if met:
        check = _fire(db, settings, alert, data, check, fire)
    if fire:
        alert.last_checked_at, alert.last_value, alert.last_n = now, cur.value, cur.n
        alert.last_reason = check.reason[:300]
        db.flush()
    return check


def _fire(
    db: Session,
    settings: Settings | None,
    alert: Alert,
    data: AlertCreate,
    check: Check,
    fire: bool,
) -> Check:
    key = fingerprint(data)
    existing = repo.firing_for(db, alert.id, check.period_start, key)
    if existing is not None:
        reason = f"already fired for {check.period} ({check.reason})"
        return check.model_copy(update={"reason": reason, "firing_id": existing})
    if not fire:
        return check.model_copy(update={"reason": f"would fire: {check.reason}"})
    values = {
        "workspace_id": alert.workspace_id,
        "alert_id": alert.id,
        "period_start": check.period_start,
        "period_end": check.period_end,
        "fingerprint": key,
        "condition": data.condition.model_dump(mode="json"),
        "value": check.value,
        "previous_value": check.previous_value,
        "delta": check.delta,
        "n": check.n,
        "previous_n": check.previous_n,
        "p_value": check.p_value,
        "threshold": check.threshold,
        "created_at": check.evaluated_at,
    }
    firing_id = repo.insert_firing(db, {"id": new_id(), **values})
    if firing_id is None:  # another worker fired it a moment ago
        return check.model_copy(update={"reason": f"already fired for {check.period}"})
    firing = db.get(AlertFiring, firing_id)
    assert firing is not None
    firing.message = notify.subject(db, alert, firing, check.period)
    alert.last_fired_at = check.evaluated_at
    notify.announce(db, settings, alert, firing, check.period, check.reason)
    db.flush()
    return check.model_copy(
        update={"fired": True, "firing_id": firing_id, "reason": f"fired: {check.reason}"}
    )


def record_problem(db: Session, workspace_id: str, alert_id: str, now: datetime, why: str) -> None:
    """Notes on the alert why the periodic check could not evaluate it (shown on its page)."""
    alert = _get(db, workspace_id, alert_id)
    alert.last_checked_at, alert.last_value, alert.last_n = now, None, None
    alert.last_reason = f"cannot evaluate: {why}"[:300]
    db.flush()


def queue_due(db: Session, now: datetime) -> list[tuple[str, str, datetime]]:
    """Active alerts due a check: (workspace, alert, when); each next check moves on."""
    found = []
    for alert in repo.due(db, now):
        found.append((alert.workspace_id, alert.id, now))
        alert.next_check_at = now + CHECK_EVERY
    db.flush()
    return found

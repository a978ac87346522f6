"""Alerts evaluated against known responses: significance, thresholds per period, minimum
samples, theme spikes, the workspace's week, and the periodic job firing exactly once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker

from cxloop.accounts.models import Workspace
from cxloop.alerts import service
from cxloop.alerts.models import Alert
from cxloop.core.settings import Settings
from cxloop.segments.models import Segment
from tests.alerts.helpers import (
    add_comments,
    count_jobs,
    firings,
    jobs_of,
    make_alert,
    run_periodic_at,
)
from tests.cases.helpers import add_user
from tests.factories import make_tenant
from tests.metrics.factories import add_nps_mix, add_response, make_program

# Weeks start on Monday: 2-8 November 2026, then 9-15 November.
WEEK1_MON = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
WEEK2_MON = datetime(2026, 11, 9, 10, 0, tzinfo=UTC)
WEEK2_WED = datetime(2026, 11, 11, 12, 0, tzinfo=UTC)
WEEK3_WED = datetime(2026, 11, 18, 12, 0, tzinfo=UTC)


def test_a_clear_drop_fires_once_with_its_figures_and_notifies_once(
    db: Session,
    session_factory: sessionmaker[Session],
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    tenant = make_tenant(db, "Drop")
    ws = tenant.workspace.id
    manager = add_user(db, tenant, name="Mia")
    program = make_program(db, ws)
    # Delivery: NPS 40 (n=100) last week, -20 (n=100) this week; Checkout steady.
    add_nps_mix(db, program, promoters=60, passives=20, detractors=20, touchpoint="Delivery",
                at=WEEK1_MON)  # fmt: skip
    add_nps_mix(db, program, promoters=30, passives=20, detractors=50, touchpoint="Delivery",
                at=WEEK2_MON)  # fmt: skip
    add_nps_mix(db, program, promoters=60, passives=20, detractors=20, at=WEEK2_MON)
    db.commit()
    alert = make_alert(
        db,
        ws,
        filters={"touchpoint_id": program.touchpoints["Delivery"].id},
        notify=[manager.id, "cx-lead@example.com"],
    )

    run_periodic_at(monkeypatch, session_factory, settings, WEEK2_WED)

    (firing,) = firings(db, alert.id)
    assert (firing.value, firing.previous_value, firing.delta) == (-20.0, 40.0, -60.0)
    assert (firing.n, firing.previous_n) == (100, 100)
    assert firing.p_value is not None and firing.p_value < 0.001
    assert firing.period_start.isoformat() == "2026-11-09"
    assert firing.message == "NPS of Delivery dropped to \u221220 this week (\u221260, p<0.001)"
    emails = jobs_of(db, ws, "notify.email")
    assert sorted(j.payload["to"] for j in emails) == sorted([manager.email, "cx-lead@example.com"])
    assert {j.payload["purpose"] for j in emails} == {"alert"}
    assert emails[0].payload["subject"] == firing.message
    assert f"{settings.base_url}/app/alerts/{alert.id}" in emails[0].payload["text"]
    (rules_job,) = jobs_of(db, ws, "rules.evaluate")
    assert rules_job.payload["trigger"] == "alert.fired"
    assert rules_job.payload["subjects"] == [firing.id]
    assert rules_job.payload["data"]["value"] == -20.0

    # Later the same week: evaluated again, the condition still holds, nothing more happens.
    run_periodic_at(monkeypatch, session_factory, settings, WEEK2_WED + timedelta(minutes=10))
    assert len(firings(db, alert.id)) == 1
    assert count_jobs(db, ws, "notify.email") == 2
    assert count_jobs(db, ws, "rules.evaluate") == 1
    stored = db.get(Alert, alert.id)
    assert stored is not None and stored.last_reason.startswith("already fired for this week")
    assert stored.last_value == -20.0 and stored.last_n == 100


def test_a_small_change_is_not_significant_and_says_so(db: Session) -> None:
    tenant = make_tenant(db, "Small")
    ws = tenant.workspace.id
    program = make_program(db, ws)
    add_nps_mix(db, program, promoters=50, passives=30, detractors=20, at=WEEK1_MON)
    add_nps_mix(db, program, promoters=45, passives=33, detractors=22, at=WEEK2_MON)
    db.commit()
    alert = make_alert(db, ws)

    check = service.evaluate(db, ws, alert.id, WEEK2_WED, fire=True)
    assert (check.value, check.previous_value, check.delta) == (23.0, 30.0, -7.0)
    assert check.significant is False and not check.fired
    assert check.p_value is not None and 0.05 < check.p_value < 1
    assert f"not significant (p={check.p_value:.3f}".rstrip("0") in check.reason
    assert firings(db, alert.id) == []


def test_a_threshold_fires_once_per_period_and_again_the_next_period(db: Session) -> None:
    tenant = make_tenant(db, "Threshold")
    ws = tenant.workspace.id
    program = make_program(db, ws)
    for monday in (WEEK1_MON, WEEK2_MON):
        add_nps_mix(db, program, promoters=10, passives=10, detractors=20, at=monday)
    db.commit()
    alert = make_alert(db, ws, condition={"kind": "below", "value": 0})

    first = service.evaluate(db, ws, alert.id, WEEK1_MON + timedelta(days=2), fire=True)
    assert first.fired and first.value == -25.0
    assert first.reason == "fired: \u221225 this week is below 0"
    again = service.evaluate(db, ws, alert.id, WEEK1_MON + timedelta(days=5), fire=True)
    assert not again.fired and again.reason.startswith("already fired for this week")
    assert again.firing_id == first.firing_id
    nxt = service.evaluate(db, ws, alert.id, WEEK2_WED, fire=True)
    assert nxt.fired
    db.commit()
    got = firings(db, alert.id)
    assert [f.period_start.isoformat() for f in got] == ["2026-11-02", "2026-11-09"]
    assert got[0].message == "NPS is \u221225 this week, below 0 (n=40)"
    assert got[0].threshold == 0.0
    assert count_jobs(db, ws, "rules.evaluate") == 2
    # A changed condition is a new condition: it may fire in a period that already fired.
    service.update(db, ws, alert.id, service.AlertUpdate(condition={"kind": "below", "value": 10}))
    assert service.evaluate(db, ws, alert.id, WEEK2_WED, fire=True).fired


def test_a_preview_explains_without_firing(db: Session) -> None:
    tenant = make_tenant(db, "Preview")
    ws = tenant.workspace.id
    program = make_program(db, ws)
    add_nps_mix(db, program, promoters=10, passives=10, detractors=20, at=WEEK2_MON)
    db.commit()
    alert = make_alert(db, ws, condition={"kind": "below", "value": 0})
    check = service.evaluate(db, ws, alert.id, WEEK2_WED)
    assert check.condition_met and not check.fired
    assert check.reason == "would fire: \u221225 this week is below 0"
    assert firings(db, alert.id) == [] and count_jobs(db, ws, "rules.evaluate") == 0


def test_too_few_responses_do_not_fire(db: Session) -> None:
    tenant = make_tenant(db, "Few")
    ws = tenant.workspace.id
    program = make_program(db, ws)
    add_nps_mix(db, program, promoters=60, passives=20, detractors=20, at=WEEK1_MON)
    add_nps_mix(db, program, promoters=0, passives=0, detractors=10, at=WEEK2_MON)
    db.commit()
    alert = make_alert(db, ws)
    check = service.evaluate(db, ws, alert.id, WEEK2_WED, fire=True)
    assert not check.fired and check.n == 10 and check.min_n == 30
    assert check.reason == "not enough responses this week (n=10, needs 30)"
    # The alert's own minimum overrides the workspace's.
    service.update(db, ws, alert.id, service.AlertUpdate(min_n=10))
    assert service.evaluate(db, ws, alert.id, WEEK2_WED, fire=True).fired
    assert len(firings(db, alert.id)) == 1


def test_a_theme_spike_fires_on_the_share_of_comments(db: Session) -> None:
    tenant = make_tenant(db, "Theme")
    ws = tenant.workspace.id
    add_comments(db, ws, WEEK1_MON, 5, theme="delivery")
    add_comments(db, ws, WEEK1_MON, 95)
    add_comments(db, ws, WEEK2_MON, 40, theme="delivery", sentiment="negative")
    add_comments(db, ws, WEEK2_MON, 60)
    db.commit()
    alert = make_alert(
        db,
        ws,
        name="Delivery complaints",
        metric="theme_share",
        theme_key="delivery",
        condition={"kind": "significant_rise"},
    )
    check = service.evaluate(db, ws, alert.id, WEEK2_WED, fire=True)
    assert (check.value, check.previous_value, check.n, check.previous_n) == (40, 5, 100, 100)
    assert check.fired and check.delta == 35.0
    (firing,) = firings(db, alert.id)
    assert firing.message.startswith(
        "Share of comments on \u201cdelivery\u201d rose to 40.0% this week (+35.0 pts, p<0.001)"
    )
    negative = make_alert(db, ws, metric="negative_share", condition={"kind": "above", "value": 30})
    check = service.evaluate(db, ws, negative.id, WEEK2_WED)
    assert check.value == 40.0 and check.condition_met


def test_weeks_follow_the_workspace_time_zone(db: Session) -> None:
    tenant = make_tenant(db, "Zone")
    ws = tenant.workspace.id
    workspace = db.get(Workspace, ws)
    assert workspace is not None
    workspace.timezone = "America/New_York"
    program = make_program(db, ws)
    # Sunday 8 Nov 23:30 in New York is Monday 9 Nov 04:30 UTC: it belongs to the week of 2 Nov.
    add_nps_mix(db, program, promoters=0, passives=0, detractors=1,
                at=datetime(2026, 11, 9, 4, 30, tzinfo=UTC))  # fmt: skip
    # Monday 9 Nov 00:30 in New York (05:30 UTC) is the next week.
    add_nps_mix(db, program, promoters=2, passives=0, detractors=0,
                at=datetime(2026, 11, 9, 5, 30, tzinfo=UTC))  # fmt: skip
    db.commit()
    alert = make_alert(
        db, ws, compare="last_complete", min_n=1, condition={"kind": "below", "value": 0}
    )
    check = service.evaluate(db, ws, alert.id, WEEK2_WED, fire=True)
    assert (check.period, check.period_start.isoformat()) == ("last week", "2026-11-02")
    assert (check.value, check.n) == (-100.0, 1)
    assert check.fired
    counts = make_alert(db, ws, metric="response_count", condition={"kind": "above", "value": 1})
    check = service.evaluate(db, ws, counts.id, WEEK2_WED)
    assert (check.value, check.previous_value) == (2.0, 1.0) and check.condition_met


def test_a_count_collapse_is_a_significant_drop(db: Session) -> None:
    tenant = make_tenant(db, "Count")
    ws = tenant.workspace.id
    program = make_program(db, ws)
    add_nps_mix(db, program, promoters=70, passives=0, detractors=0, at=WEEK1_MON)
    add_nps_mix(db, program, promoters=10, passives=0, detractors=0, at=WEEK2_MON)
    db.commit()
    alert = make_alert(db, ws, metric="response_count", compare="last_complete")
    check = service.evaluate(db, ws, alert.id, WEEK3_WED, fire=True)
    assert (check.value, check.previous_value, check.delta) == (10.0, 70.0, -60.0)
    assert check.fired and check.p_value is not None and check.p_value < 0.001


def test_the_periodic_check_skips_paused_alerts_and_explains_broken_ones(
    db: Session,
    session_factory: sessionmaker[Session],
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    tenant = make_tenant(db, "Paused")
    ws = tenant.workspace.id
    program = make_program(db, ws)
    add_nps_mix(db, program, promoters=0, passives=0, detractors=40, at=WEEK2_MON)
    segment = Segment(workspace_id=ws, name="Everyone", definition={"conditions": []})
    db.add(segment)
    db.commit()
    below = {"kind": "below", "value": 0}
    paused = make_alert(db, ws, condition=below, active=False)
    broken = make_alert(db, ws, condition=below, filters={"segment_id": segment.id})
    db.delete(segment)
    db.commit()

    run_periodic_at(monkeypatch, session_factory, settings, WEEK2_WED)

    assert firings(db, paused.id) == [] and firings(db, broken.id) == []
    stored = db.get(Alert, broken.id)
    assert stored is not None and stored.last_checked_at is not None
    assert stored.last_reason.startswith("cannot evaluate: filters:")
    assert "does not exist" in stored.last_reason
    assert service.get(db, ws, paused.id).last_checked_at is None


def test_a_mean_csat_drop_uses_welchs_test(db: Session) -> None:
    tenant = make_tenant(db, "Mean")
    ws = tenant.workspace.id
    program = make_program(db, ws)
    for score, monday in ((5, WEEK1_MON), (4, WEEK1_MON), (4, WEEK2_MON), (2, WEEK2_MON)):
        for _ in range(20):
            add_response(db, program, csat=score, at=monday)
    db.commit()
    alert = make_alert(db, ws, name="CSAT mean", metric="csat", measure="mean")
    check = service.evaluate(db, ws, alert.id, WEEK2_WED, fire=True)
    assert (check.value, check.previous_value, check.unit) == (3.0, 4.5, "mean")
    assert check.fired and check.delta == -1.5
    assert check.reason == "fired: dropped to 3.00 this week (\u22121.50, p<0.001)"
    (firing,) = firings(db, alert.id)
    assert firing.message == "Mean CSAT dropped to 3.00 this week (\u22121.50, p<0.001)"
    share = make_alert(db, ws, metric="csat")  # top two boxes: 100% -> 50%
    check = service.evaluate(db, ws, share.id, WEEK2_WED)
    assert (check.value, check.previous_value, check.unit) == (50.0, 100.0, "percent")
    assert check.reason.startswith("would fire: dropped to 50.0% this week (\u221250.0 pts")

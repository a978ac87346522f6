"""Metrics computed in the database from known answers: counts, buckets, filters, tenancy."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy.orm import Session

from cxloop.core.errors import Invalid, NotFound
from cxloop.metrics import service
from cxloop.metrics.schemas import MetricFilters
from tests.factories import make_tenant
from tests.metrics.factories import (
    Program,
    add_nps_mix,
    add_response,
    add_stage,
    make_contact,
    make_program,
)

WED = datetime(2024, 3, 6, 12, 0, tzinfo=UTC)
SUN_LATE = datetime(2024, 3, 10, 23, 30, tzinfo=UTC)  # still the week of Monday 4 March
MON_EARLY = datetime(2024, 3, 11, 0, 30, tzinfo=UTC)  # first minutes of the next week


def seed_march(db: Session, workspace_id: str) -> Program:
    """Checkout/web 30P 10pass 10D on Wed; Delivery/phone 5P 5pass 20D late Sunday;
    Checkout via app 4P early the next Monday. Overall n=84, P=39, D=30."""
    program = make_program(db, workspace_id)
    add_nps_mix(db, program, promoters=30, passives=10, detractors=10, at=WED)
    add_nps_mix(
        db, program, promoters=5, passives=5, detractors=20, touchpoint="Delivery", at=SUN_LATE
    )
    add_nps_mix(db, program, promoters=4, passives=0, detractors=0, channel="app", at=MON_EARLY)
    db.commit()
    return program


def test_overall_nps_counts_every_answer_with_its_interval(db: Session) -> None:
    tenant = make_tenant(db)
    seed_march(db, tenant.workspace.id)
    summary = service.metric_summary(db, tenant.workspace.id, "nps")
    # (39 - 30) / 84 = 10.71 points; adjusted-Wald: n'=87, p'=0.45690, d'=0.35345
    assert (summary.n, summary.good, summary.bad) == (84, 39, 30)
    assert summary.value == pytest.approx(10.71)
    assert summary.ci_low == pytest.approx(-8.45, abs=0.01)
    assert summary.ci_high == pytest.approx(29.14, abs=0.01)
    assert summary.insufficient is False
    assert summary.mean is None


def test_breakdown_by_touchpoint_names_each_touchpoint(db: Session) -> None:
    tenant = make_tenant(db)
    seed_march(db, tenant.workspace.id)
    rows = service.metric_breakdown(db, tenant.workspace.id, "nps", "touchpoint").rows
    got = {r.label: (r.n, r.good, r.bad, r.value) for r in rows}
    assert got == {"Checkout": (54, 34, 10, pytest.approx(44.44)), "Delivery": (30, 5, 20, -50.0)}


def test_breakdown_by_channel_flags_small_groups(db: Session) -> None:
    tenant = make_tenant(db)
    seed_march(db, tenant.workspace.id)
    rows = service.metric_breakdown(db, tenant.workspace.id, "nps", "channel").rows
    assert [(r.key, r.n) for r in rows] == [("app", 4), ("phone", 30), ("web", 50)]
    assert [r.insufficient for r in rows] == [True, False, False]


@pytest.mark.parametrize(
    ("period", "expected"),
    [
        ("day", [("2024-03-06", 50), ("2024-03-10", 30), ("2024-03-11", 4)]),
        ("week", [("2024-03-04", 80), ("2024-03-11", 4)]),
        ("month", [("2024-03-01", 84)]),
    ],
)
def test_breakdown_by_period_buckets_in_utc_with_monday_weeks(
    db: Session, period: str, expected: list[tuple[str, int]]
) -> None:
    tenant = make_tenant(db)
    seed_march(db, tenant.workspace.id)
    result = service.metric_breakdown(db, tenant.workspace.id, "nps", "period", period)
    assert [(r.key, r.n) for r in result.rows] == expected
    if period == "month":
        assert result.rows[0].label == "2024-03"


def test_date_filters_include_both_days(db: Session) -> None:
    tenant = make_tenant(db)
    seed_march(db, tenant.workspace.id)
    ws = tenant.workspace.id
    up_to_sunday = MetricFilters(date_to=date(2024, 3, 10))
    assert service.metric_summary(db, ws, "nps", up_to_sunday).n == 80
    from_monday = MetricFilters(date_from=date(2024, 3, 11))
    assert service.metric_summary(db, ws, "nps", from_monday).n == 4
    one_day = MetricFilters(date_from=date(2024, 3, 6), date_to=date(2024, 3, 6))
    assert service.metric_summary(db, ws, "nps", one_day).n == 50


def test_filters_by_touchpoint_channel_survey_and_journey(db: Session) -> None:
    tenant = make_tenant(db)
    ws = tenant.workspace.id
    program = seed_march(db, ws)
    other = make_program(db, ws, {"Store visit": "store"}, journey_name="After purchase")
    add_nps_mix(db, other, promoters=0, passives=0, detractors=6, touchpoint="Store visit", at=WED)
    db.commit()
    checkout = program.touchpoints["Checkout"].id
    assert service.metric_summary(db, ws, "nps").n == 90
    assert service.metric_summary(db, ws, "nps", MetricFilters(touchpoint_id=checkout)).n == 54
    assert service.metric_summary(db, ws, "nps", MetricFilters(channel="phone")).n == 30
    by_survey = MetricFilters(survey_id=other.survey.id)
    assert service.metric_summary(db, ws, "nps", by_survey).n == 6
    on_journey = service.metric_summary(db, ws, "nps", MetricFilters(journey_id=program.journey.id))
    assert (on_journey.n, on_journey.bad) == (84, 30)


def test_csat_and_ces_give_top_box_share_and_mean(db: Session) -> None:
    tenant = make_tenant(db)
    program = make_program(db, tenant.workspace.id)
    # CSAT 1-5: 10x5, 14x4, 4x3, 2x1 → top-2-box 24/30 = 80 %, mean 120/30 = 4.0
    for score in [5] * 10 + [4] * 14 + [3] * 4 + [1] * 2:
        add_response(db, program, csat=score, at=WED)
    # CES 1-7 agreement: 6 and 7 are "easy": 3 of 4 easy, one 1 (bad); mean 21/4 = 5.25
    for score in (7, 7, 6, 1):
        add_response(db, program, ces=score, at=WED)
    db.commit()
    csat = service.metric_summary(db, tenant.workspace.id, "csat")
    assert (csat.n, csat.good, csat.bad, csat.value) == (30, 24, 2, 80.0)
    # Wilson 24/30 → [62.69, 90.50]; mean t-interval: s² = (512 - 480)/29, t₂₉ = 2.04523
    assert (csat.ci_low, csat.ci_high) == pytest.approx((62.69, 90.50))
    assert csat.mean == pytest.approx(4.0)
    assert (csat.mean_ci_low, csat.mean_ci_high) == pytest.approx((3.608, 4.392))
    ces = service.metric_summary(db, tenant.workspace.id, "ces")
    assert (ces.n, ces.good, ces.bad, ces.value, ces.mean) == (4, 3, 1, 75.0, 5.25)
    assert ces.insufficient is True


def test_min_sample_comes_from_the_workspace(db: Session) -> None:
    tenant = make_tenant(db)
    tenant.workspace.min_sample = 5
    seed_march(db, tenant.workspace.id)
    result = service.metric_breakdown(db, tenant.workspace.id, "nps", "channel")
    assert result.min_sample == 5
    assert [r.insufficient for r in result.rows] == [True, False, False]


def test_empty_workspace_gives_zero_n_and_no_value(db: Session) -> None:
    tenant = make_tenant(db)
    summary = service.metric_summary(db, tenant.workspace.id, "csat")
    assert (summary.n, summary.value, summary.ci_low, summary.insufficient) == (0, None, None, True)
    assert service.metric_breakdown(db, tenant.workspace.id, "nps", "touchpoint").rows == []


def test_another_workspace_is_never_counted_nor_filterable(db: Session) -> None:
    mine, theirs = make_tenant(db), make_tenant(db, name="Rival")
    seed_march(db, mine.workspace.id)
    their_program = seed_march(db, theirs.workspace.id)
    add_nps_mix(db, their_program, promoters=0, passives=0, detractors=50, at=WED)
    db.commit()
    assert service.metric_summary(db, mine.workspace.id, "nps").n == 84
    labels = [
        r.label for r in service.metric_breakdown(db, mine.workspace.id, "nps", "touchpoint").rows
    ]
    assert labels == ["Checkout", "Delivery"]
    foreign = their_program.touchpoints["Checkout"].id
    with pytest.raises(NotFound, match="touchpoint"):
        service.metric_summary(db, mine.workspace.id, "nps", MetricFilters(touchpoint_id=foreign))
    with pytest.raises(NotFound, match="journey"):
        service.metric_summary(
            db, mine.workspace.id, "nps", MetricFilters(journey_id=their_program.journey.id)
        )


def test_bad_arguments_name_the_parameter(db: Session) -> None:
    tenant = make_tenant(db)
    ws = tenant.workspace.id
    with pytest.raises(Invalid, match=r"^metric: "):
        service.metric_summary(db, ws, "churn")
    with pytest.raises(Invalid, match=r"^by: "):
        service.metric_breakdown(db, ws, "nps", "planet")
    with pytest.raises(Invalid, match=r"^period: "):
        service.metric_breakdown(db, ws, "nps", "period", "year")
    backwards = MetricFilters(date_from=date(2024, 4, 1), date_to=date(2024, 3, 1))
    with pytest.raises(Invalid, match=r"^from: "):
        service.metric_summary(db, ws, "nps", backwards)


def test_latest_comments_carry_language_touchpoint_and_score(db: Session) -> None:
    tenant = make_tenant(db)
    program = make_program(db, tenant.workspace.id)
    add_response(db, program, nps=2, csat=1, comment="Giao hàng quá chậm", language="vi", at=WED)
    add_response(db, program, csat=5, comment="Great", touchpoint="Delivery", at=SUN_LATE)
    add_response(
        db, program, comment="No score here", touchpoint=None, channel="email", at=MON_EARLY
    )
    add_response(db, program, nps=10, at=MON_EARLY)
    db.commit()
    comments = service.latest_comments(db, tenant.workspace.id)
    assert [c.text for c in comments] == ["No score here", "Great", "Giao hàng quá chậm"]
    assert [(c.score, c.score_kind) for c in comments] == [
        (None, None),
        (5.0, "csat"),
        (2.0, "nps"),
    ]
    assert [c.touchpoint_name for c in comments] == [None, "Delivery", "Checkout"]
    assert comments[2].language == "vi"
    assert len(service.latest_comments(db, tenant.workspace.id, limit=2)) == 2


def test_periods_and_dates_follow_the_workspace_time_zone(db: Session) -> None:
    tenant = make_tenant(db)
    tenant.workspace.timezone = "America/New_York"
    program = make_program(db, tenant.workspace.id)
    # 03:30 UTC on Monday 11 March is 23:30 EDT on Sunday 10 March: still the week of 4 March.
    add_nps_mix(db, program, promoters=2, passives=0, detractors=0, at=MON_EARLY.replace(hour=3))
    # 02:00 UTC on 1 April is 22:00 on 31 March in New York: March, first quarter.
    add_nps_mix(
        db, program, promoters=0, passives=0, detractors=3, at=datetime(2024, 4, 1, 2, tzinfo=UTC)
    )
    add_nps_mix(
        db, program, promoters=1, passives=0, detractors=0, at=datetime(2024, 4, 1, 5, tzinfo=UTC)
    )
    db.commit()
    ws = tenant.workspace.id
    weeks = service.metric_breakdown(db, ws, "nps", "period", "week")
    assert weeks.timezone == "America/New_York"
    assert [(r.key, r.n) for r in weeks.rows] == [
        ("2024-03-04", 2),
        ("2024-03-25", 3),
        ("2024-04-01", 1),
    ]
    months = service.metric_breakdown(db, ws, "nps", "period", "month").rows
    assert [(r.label, r.n) for r in months] == [("2024-03", 5), ("2024-04", 1)]
    quarters = service.metric_breakdown(db, ws, "nps", "period", "quarter").rows
    assert [(r.key, r.label, r.n) for r in quarters] == [
        ("2024-01-01", "2024-Q1", 5),
        ("2024-04-01", "2024-Q2", 1),
    ]
    sunday = MetricFilters(date_from=date(2024, 3, 10), date_to=date(2024, 3, 10))
    assert service.metric_summary(db, ws, "nps", sunday).n == 2
    march = MetricFilters(date_to=date(2024, 3, 31))
    assert service.metric_summary(db, ws, "nps", march).n == 5


def seed_segments(db: Session, workspace_id: str) -> Program:
    """Checkout (stage During): 4P by pro/eu contacts in English; Delivery (During): 3D by a
    free/us contact in Vietnamese; Returns (stage After): 2P 1D without contact, in English."""
    program = make_program(db, workspace_id)
    add_stage(db, program, "After", 2, {"Returns": "email"})
    pro = make_contact(db, workspace_id, plan="pro", region="eu", seats=12)
    free = make_contact(db, workspace_id, plan="free", region="us", trial=True)
    add_nps_mix(db, program, promoters=4, passives=0, detractors=0, at=WED, contact=pro)
    add_nps_mix(
        db, program, promoters=0, passives=0, detractors=3, touchpoint="Delivery", at=WED,
        language="vi", contact=free,
    )  # fmt: skip
    add_nps_mix(
        db, program, promoters=2, passives=0, detractors=1, touchpoint="Returns", at=MON_EARLY
    )
    db.commit()
    return program


def test_breakdowns_by_stage_journey_language_and_contact_attribute(db: Session) -> None:
    tenant = make_tenant(db)
    ws = tenant.workspace.id
    seed_segments(db, ws)
    stages = service.metric_breakdown(db, ws, "nps", "stage").rows
    assert [(r.label, r.n, r.good, r.bad) for r in stages] == [
        ("During", 7, 4, 3),
        ("After", 3, 2, 1),
    ]
    journeys = service.metric_breakdown(db, ws, "nps", "journey").rows
    assert [(r.label, r.n) for r in journeys] == [("Purchase", 10)]
    languages = service.metric_breakdown(db, ws, "nps", "language").rows
    assert [(r.key, r.n) for r in languages] == [("en", 7), ("vi", 3)]
    plans = service.metric_breakdown(db, ws, "nps", "attr:plan").rows
    assert [(r.label, r.n, r.value) for r in plans] == [
        ("free", 3, -100.0),
        ("pro", 4, 100.0),
        ("(not set)", 3, pytest.approx(33.33)),
    ]
    seats = service.metric_breakdown(db, ws, "nps", "attr:seats").rows
    assert [(r.key, r.n) for r in seats] == [("12", 4), (None, 6)]


def test_two_dimensional_breakdown_gives_one_row_per_pair(db: Session) -> None:
    tenant = make_tenant(db)
    ws = tenant.workspace.id
    seed_segments(db, ws)
    result = service.metric_breakdown(db, ws, "nps", "touchpoint,period", "week")
    assert result.dimensions == ["touchpoint", "period"]
    assert [(r.labels, r.n) for r in result.rows] == [
        (["Checkout", "2024-03-04"], 4),
        (["Delivery", "2024-03-04"], 3),
        (["Returns", "2024-03-11"], 3),
    ]
    assert result.rows[0].keys[0] == result.rows[0].key


def test_filters_by_stage_language_and_contact_attribute(db: Session) -> None:
    tenant = make_tenant(db)
    ws = tenant.workspace.id
    program = seed_segments(db, ws)
    after = program.touchpoints["Returns"].stage_id
    assert service.metric_summary(db, ws, "nps", MetricFilters(stage_id=after)).n == 3
    assert service.metric_summary(db, ws, "nps", MetricFilters(language="vi")).bad == 3
    pro = MetricFilters(attributes={"plan": ["pro"]})
    assert (
        service.metric_summary(db, ws, "nps", pro).n,
        service.metric_summary(db, ws, "nps", pro).good,
    ) == (4, 4)
    either = MetricFilters(attributes={"plan": ["pro", "free"], "region": ["us"]})
    assert service.metric_summary(db, ws, "nps", either).n == 3
    trial = MetricFilters(attributes={"trial": ["true"]})
    assert service.metric_summary(db, ws, "nps", trial).n == 3
    with pytest.raises(NotFound, match="stage_id"):
        service.metric_summary(db, ws, "nps", MetricFilters(stage_id="nope"))
    with pytest.raises(Invalid, match=r"^attr: "):
        service.metric_summary(db, ws, "nps", MetricFilters(attributes={"bad name": ["x"]}))
    with pytest.raises(Invalid, match=r"^by: "):
        service.metric_breakdown(db, ws, "nps", "channel,channel")

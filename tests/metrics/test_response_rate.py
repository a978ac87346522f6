"""Response rate = responses ÷ invitations delivered, through the metrics service and API.

Invitations are inserted through the model with known timestamps; blocked ones never went out and
never count, and one not yet delivered is not in ``n`` (as in the invitations funnel).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy.orm import Session

from cxloop.contacts.models import Contact
from cxloop.core.database import new_id
from cxloop.core.settings import Settings
from cxloop.invitations import campaigns
from cxloop.invitations.models import Invitation
from cxloop.metrics import service
from cxloop.metrics.schemas import MetricFilters
from cxloop.segments import service as segments
from cxloop.segments.schemas import SegmentCreate
from tests.factories import make_tenant
from tests.metrics.factories import Program, add_stage, make_contact, make_program

WED = datetime(2024, 3, 6, 12, 0, tzinfo=UTC)


def invite(
    db: Session,
    program: Program,
    contact: Contact,
    *,
    delivered: int,
    answered: int = 0,
    channel: str = "email",
    touchpoint: str | None = "Checkout",
    language: str = "en",
    at: datetime = WED,
    status: str | None = None,
) -> None:
    """``delivered`` invitations delivered at ``at``, of which the first ``answered`` got a
    response (status ``completed``); ``status='blocked'`` makes them blocked instead."""
    tp = program.touchpoints[touchpoint] if touchpoint else None
    for i in range(delivered):
        done = i < answered
        db.add(
            Invitation(
                workspace_id=program.workspace_id,
                survey_id=program.survey.id,
                contact_id=contact.id,
                channel=channel,
                touchpoint_id=tp.id if tp else None,
                language=language,
                status=status or ("completed" if done else "delivered"),
                sent_at=at - timedelta(minutes=5),
                delivered_at=at,
                completed_at=at + timedelta(minutes=5) if done else None,
                response_id=new_id() if done else None,
            )
        )
    db.flush()


def seed(db: Session, workspace_id: str) -> Program:
    """email/Checkout: 40 delivered, 10 answered; sms/Delivery: 5 delivered, 4 answered;
    noise that never counts: 7 blocked (even with timestamps and a response) and 6 sent but
    not delivered."""
    program = make_program(db, workspace_id)
    someone = make_contact(db, workspace_id, plan="pro")
    invite(db, program, someone, delivered=40, answered=10)
    invite(db, program, someone, delivered=5, answered=4, channel="sms", touchpoint="Delivery")
    invite(db, program, someone, delivered=7, answered=3, status="blocked")
    for _ in range(6):
        db.add(
            Invitation(
                workspace_id=workspace_id,
                survey_id=program.survey.id,
                contact_id=someone.id,
                channel="email",
                status="sent",
                sent_at=WED,
            )
        )
    db.commit()
    return program


def test_hand_computed_rate_with_its_wilson_interval(db: Session) -> None:
    tenant = make_tenant(db)
    ws = tenant.workspace.id
    program = seed(db, ws)
    email = MetricFilters(channel="email")
    rate = service.metric_summary(db, ws, "response_rate", email)
    # p = 10/40; Wilson 95%: (p + z²/2n ± z·√(p(1-p)/n + z²/4n²)) / (1 + z²/n), z = 1.96
    assert (rate.metric, rate.n, rate.good, rate.bad) == ("response_rate", 40, 10, 0)
    assert (rate.value, rate.ci_low, rate.ci_high) == (25.0, 14.19, 40.19)
    assert (rate.mean, rate.mean_ci_low, rate.mean_ci_high) == (None, None, None)
    assert rate.insufficient is False
    everything = service.metric_summary(db, ws, "response_rate")
    assert (everything.n, everything.good, everything.value) == (45, 14, pytest.approx(31.11))
    # The same numbers as the invitations funnel (blocked and undelivered excluded).
    funnel = campaigns.funnel(db, ws, {}).total
    assert (funnel.delivered, funnel.responses) == (45, 14)
    assert funnel.response_rate == pytest.approx(everything.good / everything.n, abs=1e-4)
    on_tp = MetricFilters(touchpoint_id=program.touchpoints["Delivery"].id)
    assert service.metric_summary(db, ws, "response_rate", on_tp).n == 5


def test_blocked_invitations_are_excluded(db: Session) -> None:
    tenant = make_tenant(db)
    ws = tenant.workspace.id
    program = make_program(db, ws)
    someone = make_contact(db, ws)
    invite(db, program, someone, delivered=3, answered=3, status="blocked")
    db.commit()
    blocked_only = service.metric_summary(db, ws, "response_rate")
    assert (blocked_only.n, blocked_only.good, blocked_only.value) == (0, 0, None)
    assert blocked_only.insufficient is True
    invite(db, program, someone, delivered=2, answered=1)
    db.commit()
    rate = service.metric_summary(db, ws, "response_rate")
    assert (rate.n, rate.good, rate.value) == (2, 1, 50.0)


def test_breakdown_by_channel_and_insufficient_groups(db: Session) -> None:
    tenant = make_tenant(db)
    ws = tenant.workspace.id
    seed(db, ws)
    result = service.metric_breakdown(db, ws, "response_rate", "channel")
    assert (result.metric, result.engine) == ("response_rate", "sql")
    assert [
        (r.key, r.n, r.good, r.value, r.ci_low, r.ci_high, r.insufficient) for r in result.rows
    ] == [
        ("email", 40, 10, 25.0, 14.19, 40.19, False),
        ("sms", 5, 4, 80.0, 37.55, 96.38, True),
    ]
    assert all(r.mean is None for r in result.rows)
    tenant.workspace.min_sample = 50
    db.commit()
    assert service.metric_summary(db, ws, "response_rate").insufficient is True


def test_the_duckdb_engine_falls_back_to_sql(
    db: Session, settings: Settings, tmp_path: Path
) -> None:
    tenant = make_tenant(db)
    ws = tenant.workspace.id
    seed(db, ws)
    duck = settings.model_copy(
        update={"analytics_engine": "duckdb", "analytics_path": str(tmp_path / "copy.duckdb")}
    )
    result = service.metric_breakdown(db, ws, "response_rate", "channel", settings=duck)
    assert result.engine == "sql"
    assert [(r.key, r.n, r.good) for r in result.rows] == [("email", 40, 10), ("sms", 5, 4)]
    assert service.metric_summary(db, ws, "response_rate", settings=duck).n == 45


def test_periods_and_dates_by_delivery_time_in_the_workspace_zone(db: Session) -> None:
    tenant = make_tenant(db)
    tenant.workspace.timezone = "America/New_York"
    ws = tenant.workspace.id
    program = make_program(db, ws)
    someone = make_contact(db, ws)
    # 03:30 UTC on Monday 11 March is 23:30 EDT on Sunday 10 March: the week of 4 March.
    invite(
        db, program, someone, delivered=2, answered=1, at=datetime(2024, 3, 11, 3, 30, tzinfo=UTC)
    )
    # 02:00 UTC on 1 April is 22:00 on 31 March in New York: March.
    invite(db, program, someone, delivered=4, answered=1, at=datetime(2024, 4, 1, 2, tzinfo=UTC))
    invite(db, program, someone, delivered=3, answered=3, at=datetime(2024, 4, 1, 5, tzinfo=UTC))
    db.commit()
    weeks = service.metric_breakdown(db, ws, "response_rate", "period", "week")
    assert weeks.timezone == "America/New_York"
    assert [(r.key, r.n, r.good) for r in weeks.rows] == [
        ("2024-03-04", 2, 1),
        ("2024-03-25", 4, 1),
        ("2024-04-01", 3, 3),
    ]
    months = service.metric_breakdown(db, ws, "response_rate", "period", "month").rows
    assert [(r.label, r.n, r.value) for r in months] == [
        ("2024-03", 6, 33.33),
        ("2024-04", 3, 100.0),
    ]
    sunday = MetricFilters(date_from=date(2024, 3, 10), date_to=date(2024, 3, 10))
    assert service.metric_summary(db, ws, "response_rate", sunday).n == 2
    march = MetricFilters(date_to=date(2024, 3, 31))
    assert service.metric_summary(db, ws, "response_rate", march).n == 6
    by_two = service.metric_breakdown(db, ws, "response_rate", "touchpoint,period", "quarter")
    assert [(r.labels, r.n) for r in by_two.rows] == [
        (["Checkout", "2024-Q1"], 6),
        (["Checkout", "2024-Q2"], 3),
    ]


def test_dimensions_and_filters_over_the_invitation(db: Session) -> None:
    tenant = make_tenant(db)
    ws = tenant.workspace.id
    program = make_program(db, ws)
    add_stage(db, program, "After", 2, {"Returns": "email"})
    pro = make_contact(db, ws, plan="pro")
    free = make_contact(db, ws, plan="free")
    invite(db, program, pro, delivered=4, answered=2)
    invite(db, program, free, delivered=3, answered=0, language="vi", touchpoint="Delivery")
    invite(db, program, free, delivered=2, answered=2, touchpoint="Returns", channel="sms")
    invite(db, program, pro, delivered=1, answered=1, touchpoint=None)
    db.commit()
    stages = service.metric_breakdown(db, ws, "response_rate", "stage").rows
    assert [(r.label, r.n, r.good) for r in stages] == [
        ("During", 7, 2),
        ("After", 2, 2),
        ("(no stage)", 1, 1),
    ]
    journeys = service.metric_breakdown(db, ws, "response_rate", "journey").rows
    assert [(r.label, r.n) for r in journeys] == [("Purchase", 9), ("(no journey)", 1)]
    languages = service.metric_breakdown(db, ws, "response_rate", "language").rows
    assert [(r.key, r.n) for r in languages] == [("en", 7), ("vi", 3)]
    surveys = service.metric_breakdown(db, ws, "response_rate", "survey").rows
    assert [(r.label, r.n, r.good) for r in surveys] == [("Relationship survey", 10, 5)]
    plans = service.metric_breakdown(db, ws, "response_rate", "attr:plan").rows
    assert [(r.label, r.n, r.good) for r in plans] == [("free", 5, 2), ("pro", 5, 3)]
    after = program.touchpoints["Returns"].stage_id
    assert service.metric_summary(db, ws, "response_rate", MetricFilters(stage_id=after)).n == 2
    on_journey = MetricFilters(journey_id=program.journey.id)
    assert service.metric_summary(db, ws, "response_rate", on_journey).n == 9
    assert service.metric_summary(db, ws, "response_rate", MetricFilters(language="vi")).n == 3
    free_only = MetricFilters(attributes={"plan": ["free"]})
    assert service.metric_summary(db, ws, "response_rate", free_only).good == 2
    made = segments.create(
        db,
        ws,
        SegmentCreate.model_validate(
            {
                "name": "Pro plan",
                "definition": {
                    "conditions": [
                        {"field": "attribute", "key": "plan", "op": "eq", "value": "pro"}
                    ]
                },
            }
        ),
    )
    db.commit()
    in_segment = service.metric_summary(db, ws, "response_rate", MetricFilters(segment_id=made.id))
    assert (in_segment.n, in_segment.good) == (5, 3)


def test_the_api_serves_response_rate_like_the_other_metrics(
    db: Session, http: httpx.Client
) -> None:
    tenant = make_tenant(db)
    seed(db, tenant.workspace.id)
    body = http.get(
        "/api/v1/metrics/response_rate", params={"channel": "email"}, headers=tenant.headers()
    ).json()
    assert (body["metric"], body["n"], body["good"], body["value"]) == (
        "response_rate",
        40,
        10,
        25.0,
    )
    assert (body["ci_low"], body["ci_high"], body["insufficient"]) == (14.19, 40.19, False)
    rows = http.get(
        "/api/v1/metrics/response_rate", params={"by": "channel"}, headers=tenant.headers()
    ).json()["rows"]
    assert [(r["key"], r["n"], r["value"], r["insufficient"]) for r in rows] == [
        ("email", 40, 25.0, False),
        ("sms", 5, 80.0, True),
    ]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"by": "planet"}, "by"),
        ({"by": "channel,channel"}, "by"),
        ({"region": "eu"}, "region"),
        ({"attr": "plan"}, "attr"),
        ({"from": "2024-04-01", "to": "2024-03-01"}, "from"),
    ],
)
def test_bad_parameters_get_the_same_422_as_nps(
    db: Session, http: httpx.Client, params: dict[str, str], field: str
) -> None:
    tenant = make_tenant(db)
    rate = http.get("/api/v1/metrics/response_rate", params=params, headers=tenant.headers())
    nps = http.get("/api/v1/metrics/nps", params=params, headers=tenant.headers())
    assert rate.status_code == nps.status_code == 422
    assert rate.json()["error"] == nps.json()["error"]
    assert rate.json()["error"]["message"].startswith(f"{field}: ")
    foreign = http.get(
        "/api/v1/metrics/response_rate", params={"survey_id": "nope"}, headers=tenant.headers()
    )
    assert foreign.status_code == 404

"""GET /api/v1/metrics/{metric} over real HTTP: values, breakdowns, bad params, tenancy, roles."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy.orm import Session

from cxloop.core.security import Role
from tests.factories import make_tenant
from tests.metrics.test_service import seed_march


def test_summary_has_value_n_and_interval(db: Session, http: httpx.Client) -> None:
    tenant = make_tenant(db, role=Role.viewer)
    seed_march(db, tenant.workspace.id)
    resp = http.get("/api/v1/metrics/nps", headers=tenant.headers())
    assert resp.status_code == 200
    body = resp.json()
    assert body["metric"] == "nps"
    assert (body["n"], body["good"], body["bad"], body["value"]) == (84, 39, 30, 10.71)
    assert (body["ci_low"], body["ci_high"]) == (pytest.approx(-8.45), pytest.approx(29.14))
    assert body["insufficient"] is False
    assert body["min_sample"] == 30


def test_breakdown_by_touchpoint_carries_names(db: Session, http: httpx.Client) -> None:
    tenant = make_tenant(db)
    program = seed_march(db, tenant.workspace.id)
    resp = http.get("/api/v1/metrics/nps", params={"by": "touchpoint"}, headers=tenant.headers())
    assert resp.status_code == 200
    rows = resp.json()["rows"]
    assert [(r["key"], r["label"], r["n"], r["value"]) for r in rows] == [
        (program.touchpoints["Checkout"].id, "Checkout", 54, 44.44),
        (program.touchpoints["Delivery"].id, "Delivery", 30, -50.0),
    ]


def test_breakdown_by_week_and_channel_with_filters(db: Session, http: httpx.Client) -> None:
    tenant = make_tenant(db)
    program = seed_march(db, tenant.workspace.id)
    weeks = http.get(
        "/api/v1/metrics/nps",
        params={"by": "period", "period": "week", "from": "2024-03-01", "to": "2024-03-31"},
        headers=tenant.headers(),
    ).json()
    assert weeks["period"] == "week"
    assert [(r["key"], r["n"]) for r in weeks["rows"]] == [("2024-03-04", 80), ("2024-03-11", 4)]
    channels = http.get(
        "/api/v1/metrics/nps",
        params={"by": "channel", "touchpoint_id": program.touchpoints["Checkout"].id},
        headers=tenant.headers(),
    ).json()
    assert [(r["key"], r["n"], r["insufficient"]) for r in channels["rows"]] == [
        ("app", 4, True),
        ("web", 50, False),
    ]
    on_journey = http.get(
        "/api/v1/metrics/nps",
        params={"journey_id": program.journey.id, "survey_id": program.survey.id},
        headers=tenant.headers(),
    ).json()
    assert on_journey["n"] == 84


def test_csat_reports_top_box_share_and_mean(db: Session, http: httpx.Client) -> None:
    from tests.metrics.factories import add_response, make_program

    tenant = make_tenant(db)
    program = make_program(db, tenant.workspace.id)
    for score in (5, 4, 4, 2):
        add_response(db, program, csat=score)
    db.commit()
    body = http.get("/api/v1/metrics/csat", headers=tenant.headers()).json()
    assert (body["n"], body["value"], body["mean"], body["insufficient"]) == (4, 75.0, 3.75, True)
    assert body["mean_ci_low"] < 3.75 < body["mean_ci_high"]


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/api/v1/metrics/churn", {}, "metric"),
        ("/api/v1/metrics/nps", {"by": "planet"}, "by"),
        ("/api/v1/metrics/nps", {"by": "touchpoint,period,channel"}, "by"),
        ("/api/v1/metrics/nps", {"by": "attr:bad name"}, "by"),
        ("/api/v1/metrics/nps", {"attr": "plan"}, "attr"),
        ("/api/v1/metrics/nps", {"region": "eu"}, "region"),
        ("/api/v1/metrics/nps", {"by": "period", "period": "year"}, "period"),
        ("/api/v1/metrics/nps", {"from": "2024-13-45"}, "from"),
        ("/api/v1/metrics/nps", {"from": "2024-04-01", "to": "2024-03-01"}, "from"),
    ],
)
def test_bad_parameters_are_422_naming_the_parameter(
    db: Session, http: httpx.Client, path: str, params: dict[str, str], field: str
) -> None:
    tenant = make_tenant(db)
    resp = http.get(path, params=params, headers=tenant.headers())
    assert resp.status_code == 422
    error = resp.json()["error"]
    assert error["message"].startswith(f"{field}: ")
    assert [d["field"] for d in error["details"]] == [field]


def test_another_workspace_is_invisible(db: Session, http: httpx.Client) -> None:
    mine, theirs = make_tenant(db), make_tenant(db, name="Rival")
    seed_march(db, mine.workspace.id)
    their_program = seed_march(db, theirs.workspace.id)
    ours = http.get("/api/v1/metrics/nps", params={"by": "touchpoint"}, headers=mine.headers())
    assert sum(r["n"] for r in ours.json()["rows"]) == 84
    for param, ident in (
        ("touchpoint_id", their_program.touchpoints["Checkout"].id),
        ("journey_id", their_program.journey.id),
        ("survey_id", their_program.survey.id),
    ):
        resp = http.get("/api/v1/metrics/nps", params={param: ident}, headers=mine.headers())
        assert resp.status_code == 404
        assert "does not exist" in resp.json()["error"]["message"]
    empty = http.get("/api/v1/metrics/ces", headers=make_tenant(db).headers()).json()
    assert (empty["n"], empty["value"], empty["insufficient"]) == (0, None, True)


def test_metrics_need_an_api_key(http: httpx.Client) -> None:
    assert http.get("/api/v1/metrics/nps").status_code == 401


def test_two_dimensions_and_attribute_filters_over_http(db: Session, http: httpx.Client) -> None:
    from tests.metrics.test_service import seed_segments

    tenant = make_tenant(db, role=Role.viewer)
    seed_segments(db, tenant.workspace.id)
    body = http.get(
        "/api/v1/metrics/nps",
        params={"by": "stage,language", "attr": ["plan:pro,free"]},
        headers=tenant.headers(),
    ).json()
    assert (body["by"], body["timezone"]) == ("stage,language", "UTC")
    assert [(r["labels"], r["n"]) for r in body["rows"]] == [
        (["During", "en"], 4),
        (["During", "vi"], 3),
    ]
    region = http.get(
        "/api/v1/metrics/nps",
        params={"attr": ["plan:pro,free", "region:us"], "language": "vi"},
        headers=tenant.headers(),
    ).json()
    assert (region["n"], region["bad"]) == (3, 3)

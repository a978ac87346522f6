"""The DuckDB copy gives exactly the numbers of the SQL path, stays caught up, and rebuilds
itself when answers disappear."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from cxloop.analytics import duck_sql, registry, source
from cxloop.analytics import store as analytics_store
from cxloop.analytics.query import parse_dimensions
from cxloop.contacts.models import Contact
from cxloop.core.database import make_engine
from cxloop.core.errors import NotFound
from cxloop.core.settings import Settings
from cxloop.metrics import service
from cxloop.metrics.schemas import MetricFilters, MetricRow, Period
from cxloop.responses.models import Response
from cxloop.segments import service as segments
from cxloop.segments.schemas import SegmentCreate, SegmentDefinition
from tests.factories import make_tenant
from tests.metrics.factories import Program, add_response, add_stage, make_contact, make_program

START = datetime(2023, 1, 2, 3, 0, tzinfo=UTC)


@pytest.fixture
def paths(settings: Settings, tmp_path: Path) -> tuple[Settings, Settings]:
    """(SQL settings, DuckDB settings) over the same database; a fresh DuckDB file per test."""
    duck = settings.model_copy(
        update={"analytics_engine": "duckdb", "analytics_path": str(tmp_path / "copy.duckdb")}
    )
    yield settings.model_copy(update={"analytics_engine": "sql"}), duck
    registry.forget(duck)


def seed(db: Session, workspace_id: str, responses: int = 300, seed: int = 7) -> list[Program]:
    """Two journeys, three stages, four touchpoints; contacts with text, number and boolean
    attributes; answers over two years (DST changes included), some without a touchpoint or a
    contact, in three languages."""
    rng = random.Random(seed)
    shop = make_program(db, workspace_id, {"Checkout": "web", "Delivery": "phone"})
    add_stage(db, shop, "After", 2, {"Returns": "email"})
    care = make_program(db, workspace_id, {"Support call": "phone"}, journey_name="Support")
    contacts = [
        make_contact(db, workspace_id, plan=plan, region=region, seats=seats, trial=trial)
        for plan, region, seats, trial in [
            ("pro", "eu", 12, False), ("free", "us", 1, True), ("pro", "us", 40, False),
            ("enterprise", "apac", 300, False),
        ]
    ]  # fmt: skip
    contacts.append(make_contact(db, workspace_id))  # no attributes at all
    for _ in range(responses):
        program = rng.choice([shop, shop, care])
        touchpoint = rng.choice([*program.touchpoints, None])
        add_response(
            db,
            program,
            nps=rng.choice([None, *range(11)]),
            csat=rng.choice([None, 1, 2, 3, 4, 5, 5]),
            ces=rng.choice([None, 1, 4, 6, 7]),
            touchpoint=touchpoint,
            channel=rng.choice([None, None, "sms"]) if touchpoint else "chat",
            at=START + timedelta(minutes=rng.randrange(0, 60 * 24 * 730)),
            language=rng.choice(["en", "vi", "fr"]),
            contact=rng.choice([*contacts, None]),
        )
    db.commit()
    return [shop, care]


def queries(programs: list[Program]) -> list[tuple[str, str | None, str, MetricFilters]]:
    """(metric, by, period, filters): every dimension, period and filter, alone and paired."""
    shop, care = programs
    returns = shop.touchpoints["Returns"]
    filters = [
        MetricFilters(),
        MetricFilters(date_from=date(2023, 3, 12), date_to=date(2024, 11, 3)),
        MetricFilters(journey_id=care.journey.id),
        MetricFilters(stage_id=returns.stage_id),
        MetricFilters(touchpoint_id=shop.touchpoints["Checkout"].id, channel="web"),
        MetricFilters(survey_id=shop.survey.id, language="vi"),
        MetricFilters(attributes={"plan": ["pro", "enterprise"]}),
        MetricFilters(attributes={"trial": ["true"], "seats": ["1"]}),
    ]
    dims = [
        None, "journey", "stage", "touchpoint", "channel", "language", "survey", "attr:plan",
        "attr:seats", "period", "touchpoint,period", "attr:region,stage", "period,language",
    ]  # fmt: skip
    found = []
    for i, by in enumerate(dims):
        for j, flt in enumerate(filters):
            metric = ("nps", "csat", "ces")[(i + j) % 3]
            period = ("day", "week", "month", "quarter")[(i + j) % 4]
            found.append((metric, by, period, flt))
    return found


# Kolkata (UTC+5:30): local midnights fall on half hours, so the hourly rollup is bypassed.
@pytest.mark.parametrize("timezone", ["America/New_York", "Asia/Ho_Chi_Minh", "Asia/Kolkata"])
def test_every_query_gives_identical_numbers_on_both_paths(
    db: Session, paths: tuple[Settings, Settings], timezone: str
) -> None:
    sql, duck = paths
    tenant = make_tenant(db)
    tenant.workspace.timezone = timezone
    programs = seed(db, tenant.workspace.id)
    ws = tenant.workspace.id
    compared = 0
    for metric, by, period, flt in queries(programs):
        if by is None:
            a = service.metric_summary(db, ws, metric, flt, settings=sql).model_dump()
            b = service.metric_summary(db, ws, metric, flt, settings=duck).model_dump()
        else:
            one = service.metric_breakdown(db, ws, metric, by, period, flt, settings=sql)
            two = service.metric_breakdown(db, ws, metric, by, period, flt, settings=duck)
            assert (one.engine, two.engine) == ("sql", "duckdb")
            a, b = one.model_dump(exclude={"engine"}), two.model_dump(exclude={"engine"})
            compared += len(one.rows)
        assert a == b, (metric, by, period, flt)
    assert compared > 1000  # the queries found many groups, so the comparison means something


def test_the_copy_catches_up_with_new_answers_and_rebuilds_after_deletes(
    db: Session, paths: tuple[Settings, Settings]
) -> None:
    sql, duck = paths
    tenant = make_tenant(db)
    ws = tenant.workspace.id
    (shop, _care) = seed(db, ws, responses=60)
    before = service.metric_breakdown(db, ws, "nps", "touchpoint", settings=duck)
    store = registry.get_store(db.get_bind(), duck)  # type: ignore[arg-type]
    assert store is not None
    add_response(db, shop, nps=10, touchpoint="Checkout", at=START)
    db.commit()
    after = service.metric_breakdown(db, ws, "nps", "touchpoint", settings=duck)
    assert sum(r.n for r in after.rows) == sum(r.n for r in before.rows) + 1
    gone = db.scalars(select_nps_response(ws)).first()
    db.execute(delete(Response).where(Response.id == gone))
    db.commit()
    assert store.catch_up(db.get_bind(), verify=True) >= 0  # type: ignore[arg-type]
    rebuilt = service.metric_breakdown(db, ws, "nps", "touchpoint", settings=duck)
    expected = service.metric_breakdown(db, ws, "nps", "touchpoint", settings=sql)
    assert sum(r.n for r in rebuilt.rows) == sum(r.n for r in after.rows) - 1
    assert rebuilt.model_dump(exclude={"engine"}) == expected.model_dump(exclude={"engine"})


def select_nps_response(workspace_id: str):  # type: ignore[no-untyped-def]
    from cxloop.responses.models import Answer

    return select(Answer.response_id).where(
        Answer.workspace_id == workspace_id, Answer.kind == "nps"
    )


def test_auto_uses_duckdb_only_for_large_workspaces(
    db: Session, paths: tuple[Settings, Settings]
) -> None:
    _sql, duck = paths
    auto = duck.model_copy(update={"analytics_engine": "auto", "analytics_auto_threshold": 100})
    big, small = make_tenant(db), make_tenant(db, name="Small")
    seed(db, big.workspace.id, responses=80)
    seed(db, small.workspace.id, responses=10)
    assert (
        service.metric_breakdown(db, big.workspace.id, "nps", "channel", settings=auto).engine
        == "duckdb"
    )
    assert (
        service.metric_breakdown(db, small.workspace.id, "nps", "channel", settings=auto).engine
        == "sql"
    )


def test_a_segment_filter_counts_the_same_answers_as_the_attributes_it_stands_for(
    db: Session, paths: tuple[Settings, Settings]
) -> None:
    sql, duck = paths
    tenant = make_tenant(db)
    ws = tenant.workspace.id
    seed(db, ws, responses=200)
    big = SegmentDefinition.model_validate(
        {"conditions": [{"field": "attribute", "key": "seats", "op": "gte", "value": 40}]}
    )
    segment = segments.create(db, ws, SegmentCreate(name="Big accounts", definition=big))
    db.commit()
    by_segment = MetricFilters(segment_id=segment.id)
    by_attribute = MetricFilters(attributes={"seats": ["40", "300"]})  # the same two contacts
    for settings in (sql, duck):
        for metric, by in (("nps", None), ("csat", "touchpoint"), ("nps", "period")):
            if by is None:
                a = service.metric_summary(db, ws, metric, by_segment, settings=settings)
                b = service.metric_summary(db, ws, metric, by_attribute, settings=settings)
                assert 0 < a.n < service.metric_summary(db, ws, metric, settings=settings).n
                assert a.model_dump(exclude={"filters"}) == b.model_dump(exclude={"filters"})
            else:
                one = service.metric_breakdown(
                    db, ws, metric, by, "month", by_segment, settings=settings
                )
                two = service.metric_breakdown(
                    db, ws, metric, by, "month", by_attribute, settings=settings
                )
                assert one.rows == two.rows and one.rows
    missing = MetricFilters(segment_id="nope")
    with pytest.raises(NotFound):
        service.metric_summary(db, ws, "nps", missing, settings=sql)


def test_the_daily_rollup_follows_a_change_of_the_workspace_time_zone(
    db: Session, paths: tuple[Settings, Settings]
) -> None:
    sql, duck = paths
    tenant = make_tenant(db)
    tenant.workspace.timezone = "America/New_York"
    ws = tenant.workspace.id
    seed(db, ws, responses=150)
    for timezone in ("America/New_York", "Asia/Tokyo"):
        tenant.workspace.timezone = timezone
        db.commit()
        one = service.metric_breakdown(db, ws, "nps", "period", "day", settings=sql)
        two = service.metric_breakdown(db, ws, "nps", "period", "day", settings=duck)
        assert one.model_dump(exclude={"engine"}) == two.model_dump(exclude={"engine"})
    store = registry.get_store(db.get_bind(), duck)  # type: ignore[arg-type]
    assert store is not None and store.zone_of(ws) == "Asia/Tokyo"


def test_breakdown_rows_are_valid_metric_rows(
    db: Session, paths: tuple[Settings, Settings]
) -> None:
    """Rows are built without validation: validating them again must change nothing."""
    _sql, duck = paths
    tenant = make_tenant(db)
    seed(db, tenant.workspace.id, responses=80)
    for metric in ("nps", "csat"):
        rows = service.metric_breakdown(
            db, tenant.workspace.id, metric, "touchpoint", settings=duck
        )
        assert rows.rows
        for row in rows.rows:
            assert MetricRow.model_validate(row.model_dump()) == row


def test_the_attribute_rollup_answers_attribute_queries_and_follows_attribute_changes(
    db: Session, paths: tuple[Settings, Settings]
) -> None:
    sql, duck = paths
    tenant = make_tenant(db)
    tenant.workspace.timezone = "Europe/Paris"
    ws = tenant.workspace.id
    shop, _care = seed(db, ws, responses=200)
    pro = MetricFilters(attributes={"plan": ["pro"]})

    def same() -> None:
        for by, flt in (("stage", pro), ("attr:plan,period", MetricFilters())):
            one = service.metric_breakdown(db, ws, "nps", by, "month", flt, settings=sql)
            two = service.metric_breakdown(db, ws, "nps", by, "month", flt, settings=duck)
            assert one.rows and one.model_dump(exclude={"engine"}) == two.model_dump(
                exclude={"engine"}
            )

    same()
    store = registry.get_store(db.get_bind(), duck)  # type: ignore[arg-type]
    assert store is not None
    q = service.build_query(
        db, ws, "nps", pro, parse_dimensions("stage"), Period.week, "Europe/Paris"
    )
    rollup = duck_sql.Rollup(store.zone_of(ws), frozenset({"plan", "region", "seats", "trial"}))
    assert " FROM attr_days " in duck_sql.aggregate_sql(q, rollup)[0]
    assert store.execute("SELECT count(*) FROM rolled_attrs WHERE workspace_id = ?", [ws]) == [(4,)]
    # A free contact upgrades and answers again: the copy takes it up when it verifies.
    contacts = db.scalars(select(Contact).where(Contact.workspace_id == ws))
    free = next(c for c in contacts if (c.attributes or {}).get("plan") == "free")
    free.attributes = {**free.attributes, "plan": "pro"}
    add_response(db, shop, nps=0, touchpoint="Checkout", at=START, contact=free)
    db.commit()
    store.catch_up(db.get_bind(), verify=True)  # type: ignore[arg-type]
    same()


@pytest.mark.parametrize("catch_up", ["large", "small"])
def test_every_reader_and_chunking_gives_the_copy_the_same_answers(
    db: Session, paths: tuple[Settings, Settings], monkeypatch: pytest.MonkeyPatch, catch_up: str
) -> None:
    """A large catch-up (SQLite: the reader process; PostgreSQL: ADBC) and a small one (SQLite:
    the DB-API cursor), read in chunks of 50 answers and settled every 120, then a second
    catch-up (SQLite: its spare reader process killed first): the copy holds the same numbers
    as SQL."""
    sql, duck = paths
    monkeypatch.setattr(source, "CHILD_MIN_ANSWERS", 0 if catch_up == "large" else 10**9)
    monkeypatch.setattr(analytics_store, "CHUNK_ROWS", 50)
    monkeypatch.setattr(analytics_store, "ROLL_ROWS", 120)
    tenant = make_tenant(db)
    ws = tenant.workspace.id
    (shop, _care) = seed(db, ws, responses=120)
    store = registry.get_store(db.get_bind(), duck)  # type: ignore[arg-type]
    assert store is not None
    assert store.catch_up(db.get_bind()) > 200  # type: ignore[arg-type]
    for spare in source._spare:  # a spare reader that died is replaced, not used
        spare.kill()
        spare.wait()
    for n in range(70):
        add_response(db, shop, csat=1 + n % 5, touchpoint="Returns", at=START, language="vi")
    db.commit()
    assert store.catch_up(db.get_bind()) == 70  # type: ignore[arg-type]
    for by in ("touchpoint", "attr:plan", "language", "period"):
        one = service.metric_breakdown(db, ws, "csat", by, settings=sql)
        two = service.metric_breakdown(db, ws, "csat", by, settings=duck)
        assert two.engine == "duckdb" and one.rows
        assert one.model_dump(exclude={"engine"}) == two.model_dump(exclude={"engine"})


def test_a_failing_reader_process_says_why(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A SQLite file the reader process cannot read (here: no answers table) gives a clear
    error, not a hang or a half-written copy."""
    monkeypatch.setattr(source, "CHILD_MIN_ANSWERS", 0)
    engine = make_engine(f"sqlite:///{tmp_path / 'other.sqlite3'}")
    try:
        with (
            pytest.raises(source.ReaderError, match="no such table: answers"),
            engine.connect() as conn,
            source.answer_chunks(engine, conn, after=0, limit=10, expected=10) as chunks,
        ):
            list(chunks)
    finally:
        engine.dispose()

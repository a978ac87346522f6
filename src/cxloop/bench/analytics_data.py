"""Synthetic survey data for the analytics benchmark, bulk-inserted into a fresh SQLite file.

Shape: 4 journeys, 14 stages, 48 touchpoints on 7 channels, one survey asking NPS, CSAT and
CES (1-7, agreement), contacts with plan/region/seats, five languages, 24 months. One latent
satisfaction per response (touchpoint, plan and a slow trend, plus noise) drives all three
scores, so they correlate as real answers do (r ≈ 0.6-0.7).
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import cycle, repeat

import numpy as np
from sqlalchemy.orm import Session

from cxloop.accounts import service as accounts
from cxloop.journeys.models import Journey, Stage, Touchpoint
from cxloop.surveys.models import Question, Survey, SurveyVersion

TIMEZONE = "Europe/Paris"
END = datetime(2026, 1, 1, tzinfo=UTC)
SPAN = timedelta(days=730)
CHANNELS = ["web", "app", "email", "sms", "phone", "chat", "store"]
LANGUAGES = (["en", "vi", "fr", "de", "es"], [0.6, 0.15, 0.1, 0.1, 0.05])
PLANS = (["free", "pro", "enterprise"], [0.5, 0.35, 0.15], [-0.3, 0.2, 0.4])
REGIONS = ["eu", "us", "apac", "latam"]
JOURNEYS = {
    "Purchase": ["Discover", "Compare", "Buy", "Receive"],
    "Onboarding": ["Sign up", "Set up", "First value"],
    "Support": ["Ask", "Wait", "Resolve", "Follow up"],
    "Renewal": ["Review", "Renew", "Expand"],
}
RESPONSE_SQL = (
    "INSERT INTO responses (id, workspace_id, survey_id, version_id, touchpoint_id, contact_id, "
    "channel, language, source, submitted_at, idempotency_key, hidden, created_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'bench', ?, NULL, '{}', ?)"
)
ANSWER_SQL = (
    "INSERT INTO answers (workspace_id, response_id, question_id, survey_id, touchpoint_id, "
    "channel, submitted_at, kind, value_number, good, bad) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
SCRATCH_PRAGMAS = (
    "PRAGMA journal_mode=OFF",
    "PRAGMA synchronous=OFF",
    "PRAGMA cache_size=-262144",
    "PRAGMA temp_store=FILE",
)


@dataclass
class Program:
    workspace_id: str
    survey_id: str
    version_id: str
    questions: dict[str, str]
    touchpoints: list[str]
    channels: list[str]
    effects: np.ndarray
    contacts: list[str] = field(default_factory=list)
    plan_effect: np.ndarray = field(default_factory=lambda: np.zeros(0))
    next_id: int = 0


def create_program(db: Session, rng: np.random.Generator) -> Program:
    """Workspace, journeys, stages, touchpoints and the survey, through the models."""
    workspace = accounts.create_workspace(db, "Bench", f"bench-{rng.integers(1 << 40):x}")
    workspace.timezone = TIMEZONE
    touchpoints, channels = [], []
    for j_name, stages in JOURNEYS.items():
        journey = Journey(workspace_id=workspace.id, name=j_name)
        db.add(journey)
        db.flush()
        for position, s_name in enumerate(stages):
            stage = Stage(
                workspace_id=workspace.id, journey_id=journey.id, name=s_name, position=position
            )
            db.add(stage)
            db.flush()
            for k in range(4 if position % 2 else 3):
                channel = CHANNELS[int(rng.integers(len(CHANNELS)))]
                tp = Touchpoint(
                    workspace_id=workspace.id,
                    stage_id=stage.id,
                    name=f"{s_name} {k + 1} ({channel})",
                    channel=channel,
                )
                db.add(tp)
                db.flush()
                touchpoints.append(tp.id)
                channels.append(channel)
    survey = Survey(
        workspace_id=workspace.id,
        name="Relationship",
        status="live",
        public_token=f"bench{rng.integers(1 << 40):x}",
        languages=["en"],
    )
    db.add(survey)
    db.flush()
    version = SurveyVersion(workspace_id=workspace.id, survey_id=survey.id, number=1)
    db.add(version)
    db.flush()
    survey.current_version_id = version.id
    questions = {}
    for position, (kind, low, high) in enumerate((("nps", 0, 10), ("csat", 1, 5), ("ces", 1, 7))):
        q = Question(
            workspace_id=workspace.id,
            version_id=version.id,
            key=kind,
            position=position,
            kind=kind,
            scale_min=low,
            scale_max=high,
            top_box=2,
            direction="agreement" if kind == "ces" else None,
        )
        db.add(q)
        db.flush()
        questions[kind] = q.id
    db.commit()
    effects = rng.normal(0, 0.45, len(touchpoints))
    return Program(workspace.id, survey.id, version.id, questions, touchpoints, channels, effects)


def add_contacts(
    con: sqlite3.Connection, program: Program, count: int, rng: np.random.Generator
) -> None:
    plans = rng.choice(len(PLANS[0]), count, p=PLANS[1])
    regions = rng.integers(len(REGIONS), size=count)
    seats = rng.integers(1, 500, size=count)
    start = len(program.contacts)
    ids = [f"c{start + i:031x}" for i in range(count)]
    now = END.strftime("%Y-%m-%d %H:%M:%S.000000")
    rows = [
        (
            cid,
            program.workspace_id,
            "",
            json.dumps({"plan": PLANS[0][p], "region": REGIONS[r], "seats": int(s)}),
            now,
        )
        for cid, p, r, s in zip(ids, plans.tolist(), regions.tolist(), seats.tolist(), strict=True)
    ]
    con.executemany(
        "INSERT INTO contacts (id, workspace_id, name, attributes, created_at) "
        "VALUES (?, ?, ?, ?, ?)",
        rows,
    )
    program.contacts.extend(ids)
    program.plan_effect = np.concatenate([program.plan_effect, np.array(PLANS[2])[plans]])


def _stamp(seconds: np.ndarray, start: datetime) -> list[str]:
    base = np.datetime64(start.replace(tzinfo=None), "us")
    moments = base + (seconds * 1_000_000).astype("timedelta64[us]")
    return [s.replace("T", " ") for s in np.datetime_as_string(moments, unit="us").tolist()]


def add_responses(
    con: sqlite3.Connection,
    program: Program,
    count: int,
    rng: np.random.Generator,
    start: datetime,
    span: timedelta,
) -> None:
    """``count`` responses (NPS, CSAT and CES answers each) between start and start + span."""
    tp = rng.integers(len(program.touchpoints), size=count)
    contact = rng.integers(len(program.contacts), size=count)
    offsets = np.sort(rng.uniform(0, span.total_seconds(), size=count))
    trend = 0.3 * (offsets / SPAN.total_seconds() + (start - (END - SPAN)) / SPAN)
    latent = program.effects[tp] + program.plan_effect[contact] + trend + rng.normal(0, 1, count)
    nps = np.clip(np.rint(7.2 + 2.0 * latent + rng.normal(0, 1.0, count)), 0, 10)
    csat = np.clip(np.rint(3.8 + 0.8 * latent + rng.normal(0, 0.6, count)), 1, 5)
    ces = np.clip(np.rint(5.0 + 1.1 * latent + rng.normal(0, 0.9, count)), 1, 7)
    other = rng.random(count) < 0.1
    channels = np.array(program.channels)[tp]
    channels[other] = np.array(CHANNELS)[rng.integers(len(CHANNELS), size=int(other.sum()))]
    languages = rng.choice(LANGUAGES[0], count, p=LANGUAGES[1])
    stamps = _stamp(offsets, start)
    ids = [f"r{program.next_id + i:031x}" for i in range(count)]
    program.next_id += count
    ws, survey = program.workspace_id, program.survey_id
    tps = np.array(program.touchpoints, dtype=object)[tp].tolist()
    contacts = np.array(program.contacts, dtype=object)[contact].tolist()
    con.executemany(
        RESPONSE_SQL,
        zip(ids, repeat(ws), repeat(survey), repeat(program.version_id), tps, contacts,
            channels.tolist(), languages.tolist(), stamps, stamps),
    )  # fmt: skip
    # Answers arrive in time order, as in production: NPS, CSAT, CES of each response in turn.
    scores = np.stack([nps, csat, ces], axis=1)
    low = np.array([6, 2, 2])
    high = np.array([9, 4, 6])
    kinds = ("nps", "csat", "ces")
    questions = [program.questions[k] for k in kinds]
    by_answer = [np.repeat(np.array(v, dtype=object), 3).tolist() for v in (ids, tps, stamps)]
    chans = np.repeat(channels.astype(object), 3).tolist()
    con.executemany(
        ANSWER_SQL,
        zip(repeat(ws), by_answer[0], cycle(questions), repeat(survey), by_answer[1], chans,
            by_answer[2], cycle(kinds), scores.ravel().tolist(),
            (scores >= high).astype(np.int64).ravel().tolist(),
            (scores <= low).astype(np.int64).ravel().tolist()),
    )  # fmt: skip


def bulk_load(
    path: str,
    program: Program,
    responses: int,
    rng: np.random.Generator,
    echo: object = None,
    chunk: int = 250_000,
) -> None:
    """Contacts (one per 8 responses) and ``responses`` responses over 24 months, indexes
    dropped during the load and rebuilt after."""
    con = sqlite3.connect(path)
    for pragma in SCRATCH_PRAGMAS:  # a benchmark's scratch file: no durability needed
        con.execute(pragma)
    indexes = [
        r[0]
        for r in con.execute(
            "SELECT sql FROM sqlite_master WHERE tbl_name IN ('answers', 'responses') "
            "AND type = 'index' AND sql IS NOT NULL"
        )
    ]
    for sql in indexes:
        con.execute(f"DROP INDEX {sql.split()[2]}")
    add_contacts(con, program, max(100, responses // 8), rng)
    step = SPAN / max(1, -(-responses // chunk))
    for n, begin in enumerate(range(0, responses, chunk)):
        count = min(chunk, responses - begin)
        add_responses(con, program, count, rng, END - SPAN + step * n, step)
        con.commit()
        if callable(echo) and n % 10 == 9:
            echo(f"  {begin + count:,} responses loaded")
    for sql in indexes:
        con.execute(sql)
    con.execute("PRAGMA analysis_limit=1000")  # sampled statistics: seconds, not minutes
    con.execute("ANALYZE")
    con.commit()
    con.close()


def append_recent(path: str, program: Program, responses: int, rng: np.random.Generator) -> None:
    """``responses`` new responses in the last week (indexes in place, as in production)."""
    con = sqlite3.connect(path)
    add_responses(con, program, responses, rng, END - timedelta(days=7), timedelta(days=7))
    con.commit()
    con.close()

"""Inserts surveys, touchpoints and answers straight through the models, with known values.

Classification (good/bad) follows the write-time rule of the responses feature: NPS promoters
9-10 / detractors 0-6; CSAT and agreement CES top/bottom ``top_box`` boxes; effort CES reversed.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from cxloop.contacts.models import Contact
from cxloop.core.database import new_id
from cxloop.journeys.models import Journey, Stage, Touchpoint
from cxloop.responses.models import Answer, Response
from cxloop.surveys.models import Question, Survey, SurveyVersion


@dataclass
class Program:
    """One journey with one stage, named touchpoints, and a survey with nps/csat/ces/comment."""

    workspace_id: str
    journey: Journey
    touchpoints: dict[str, Touchpoint]
    survey: Survey
    version: SurveyVersion
    questions: dict[str, Question] = field(default_factory=dict)


def make_program(
    db: Session,
    workspace_id: str,
    touchpoints: dict[str, str] | None = None,
    *,
    journey_name: str = "Purchase",
    ces_scale: tuple[int, int] = (1, 7),
    ces_direction: str = "agreement",
) -> Program:
    """``touchpoints`` maps a touchpoint name to its channel."""
    touchpoints = touchpoints or {"Checkout": "web", "Delivery": "phone"}
    journey = Journey(workspace_id=workspace_id, name=journey_name)
    db.add(journey)
    db.flush()
    stage = Stage(workspace_id=workspace_id, journey_id=journey.id, name="During", position=1)
    db.add(stage)
    db.flush()
    made = {}
    for name, channel in touchpoints.items():
        made[name] = Touchpoint(
            workspace_id=workspace_id, stage_id=stage.id, name=name, channel=channel
        )
        db.add(made[name])
    db.flush()
    survey = Survey(
        workspace_id=workspace_id,
        name="Relationship survey",
        status="live",
        public_token=uuid.uuid4().hex,
        languages=["en"],
    )
    db.add(survey)
    db.flush()
    version = SurveyVersion(workspace_id=workspace_id, survey_id=survey.id, number=1)
    db.add(version)
    db.flush()
    survey.current_version_id = version.id
    specs = {
        "nps": (0, 10, None),
        "csat": (1, 5, None),
        "ces": (*ces_scale, ces_direction),
        "open_text": (None, None, None),
    }
    program = Program(workspace_id, journey, made, survey, version)
    for position, (kind, (low, high, direction)) in enumerate(specs.items()):
        question = Question(
            workspace_id=workspace_id,
            version_id=version.id,
            key=kind,
            position=position,
            kind=kind,
            scale_min=low,
            scale_max=high,
            direction=direction,
            top_box=2,
        )
        db.add(question)
        program.questions[kind] = question
    db.flush()
    return program


def classify(question: Question, value: int) -> tuple[int, int]:
    if question.kind == "nps":
        return int(value >= 9), int(value <= 6)
    low, high, top = question.scale_min or 0, question.scale_max or 0, question.top_box
    if question.kind == "ces" and question.direction == "effort":
        return int(value < low + top), int(value > high - top)
    return int(value > high - top), int(value < low + top)


def add_response(
    db: Session,
    program: Program,
    *,
    nps: int | None = None,
    csat: int | None = None,
    ces: int | None = None,
    comment: str | None = None,
    touchpoint: str | None = "Checkout",
    channel: str | None = None,
    at: datetime | None = None,
    language: str = "en",
    contact: Contact | None = None,
) -> Response:
    """One response (answers for every non-None value); channel defaults to the touchpoint's."""
    scores = {"nps": nps, "csat": csat, "ces": ces}
    (response,) = _add(db, program, [scores], comment, touchpoint, channel, at, language, contact)
    return response


def make_contact(db: Session, workspace_id: str, **attributes: str | int | bool) -> Contact:
    contact = Contact(workspace_id=workspace_id, attributes=dict(attributes))
    db.add(contact)
    db.flush()
    return contact


def add_stage(
    db: Session, program: Program, name: str, position: int, touchpoints: dict[str, str]
) -> None:
    """Adds a stage to the program's journey with touchpoints (name → channel)."""
    stage = Stage(
        workspace_id=program.workspace_id,
        journey_id=program.journey.id,
        name=name,
        position=position,
    )
    db.add(stage)
    db.flush()
    for tp_name, channel in touchpoints.items():
        program.touchpoints[tp_name] = Touchpoint(
            workspace_id=program.workspace_id, stage_id=stage.id, name=tp_name, channel=channel
        )
        db.add(program.touchpoints[tp_name])
    db.flush()


def add_nps_mix(
    db: Session,
    program: Program,
    *,
    promoters: int,
    passives: int,
    detractors: int,
    touchpoint: str | None = "Checkout",
    channel: str | None = None,
    at: datetime | None = None,
    language: str = "en",
    contact: Contact | None = None,
) -> None:
    """Adds one NPS response per answer: promoters score 10, passives 8, detractors 3."""
    values = [10] * promoters + [8] * passives + [3] * detractors
    scores: list[dict[str, int | None]] = [{"nps": v} for v in values]
    _add(db, program, scores, None, touchpoint, channel, at, language, contact)


def _add(
    db: Session,
    program: Program,
    scores: list[dict[str, int | None]],
    comment: str | None,
    touchpoint: str | None,
    channel: str | None,
    at: datetime | None,
    language: str,
    contact: Contact | None = None,
) -> list[Response]:
    tp = program.touchpoints[touchpoint] if touchpoint else None
    channel = channel if channel is not None else (tp.channel if tp else None)
    at = at or datetime.now(UTC) - timedelta(days=1)
    common = {
        "workspace_id": program.workspace_id,
        "survey_id": program.survey.id,
        "touchpoint_id": tp.id if tp else None,
        "channel": channel,
        "submitted_at": at,
    }
    responses = [
        Response(
            id=new_id(),
            version_id=program.version.id,
            language=language,
            contact_id=contact.id if contact else None,
            **common,
        )
        for _ in scores
    ]
    db.add_all(responses)
    db.flush()  # no ORM relationship orders the inserts, so responses go first
    for response, values in zip(responses, scores, strict=True):
        for kind, value in values.items():
            if value is None:
                continue
            question = program.questions[kind]
            good, bad = classify(question, value)
            db.add(
                Answer(
                    response_id=response.id,
                    question_id=question.id,
                    kind=kind,
                    value_number=float(value),
                    good=good,
                    bad=bad,
                    **common,
                )
            )
        if comment is not None:
            db.add(
                Answer(
                    response_id=response.id,
                    question_id=program.questions["open_text"].id,
                    kind="open_text",
                    value_text=comment,
                    **common,
                )
            )
    db.flush()
    return responses

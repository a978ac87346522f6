"""Survey triggers: create, list, change and delete them. Flushes, never commits."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from cxloop.core.errors import Invalid, NotFound
from cxloop.events import repository as repo
from cxloop.events.models import SurveyTrigger, TriggerChannel
from cxloop.events.schemas import TriggerUpdate, TriggerWrite
from cxloop.journeys import service as journeys
from cxloop.surveys import service as surveys
from cxloop.surveys.models import QuestionKind

WIDGET_KINDS = (QuestionKind.nps, QuestionKind.open_text)


def get_trigger(db: Session, workspace_id: str, trigger_id: str) -> SurveyTrigger:
    found = repo.trigger(db, workspace_id, trigger_id)
    if found is None:
        raise NotFound(f"survey trigger '{trigger_id}' does not exist")
    return found


def list_triggers(db: Session, workspace_id: str) -> list[SurveyTrigger]:
    return list(repo.triggers(db, workspace_id))


def create_trigger(db: Session, workspace_id: str, data: TriggerWrite) -> SurveyTrigger:
    values = _checked(db, workspace_id, data.model_dump(exclude={"touchpoint_key"}), data)
    trigger = SurveyTrigger(workspace_id=workspace_id, **values)
    db.add(trigger)
    db.flush()
    return trigger


def update_trigger(
    db: Session, workspace_id: str, trigger_id: str, data: TriggerUpdate
) -> SurveyTrigger:
    trigger = get_trigger(db, workspace_id, trigger_id)
    current = {
        "name": trigger.name,
        "event": trigger.event,
        "touchpoint_id": trigger.touchpoint_id,
        "survey_id": trigger.survey_id,
        "channel": trigger.channel,
        "delay_seconds": trigger.delay_seconds,
        "sample_percent": trigger.sample_percent,
        "conditions": trigger.conditions,
        "active": trigger.active,
    }
    changes = data.model_dump(exclude_unset=True, exclude={"touchpoint_key"})
    wanted = {**current, **changes}
    if data.touchpoint_key:  # a new key replaces the current touchpoint
        wanted.update(
            touchpoint_id=changes.get("touchpoint_id"), touchpoint_key=data.touchpoint_key
        )
    try:
        merged = TriggerWrite.model_validate(wanted)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"]) or "body"
        raise Invalid(f"{where}: {str(err['msg']).removeprefix('Value error, ')}") from exc
    values = _checked(db, workspace_id, merged.model_dump(exclude={"touchpoint_key"}), merged)
    for name, value in values.items():
        setattr(trigger, name, value)
    db.flush()
    return trigger


def delete_trigger(db: Session, workspace_id: str, trigger_id: str) -> None:
    if not repo.delete_trigger(db, workspace_id, trigger_id):
        raise NotFound(f"survey trigger '{trigger_id}' does not exist")


def _checked(
    db: Session, workspace_id: str, values: dict[str, Any], data: TriggerWrite
) -> dict[str, Any]:
    """Resolves the touchpoint key, checks the survey (and its questions for the widget)."""
    if data.touchpoint_key:
        found = journeys.find_touchpoint_by_key(db, workspace_id, data.touchpoint_key)
        if found is None:
            raise Invalid(f"touchpoint_key: no touchpoint has the key '{data.touchpoint_key}'")
        if data.touchpoint_id and data.touchpoint_id != found.id:
            raise Invalid("touchpoint_key: names another touchpoint than touchpoint_id")
        values["touchpoint_id"] = found.id
    elif data.touchpoint_id:
        try:
            journeys.get_touchpoint(db, workspace_id, data.touchpoint_id)
        except NotFound as exc:
            raise Invalid(f"touchpoint_id: {exc.message}") from exc
    try:
        survey = surveys.get_survey(db, workspace_id, data.survey_id)
    except NotFound as exc:
        raise Invalid(f"survey_id: {exc.message}") from exc
    if data.channel == TriggerChannel.widget:
        check_widget_survey(db, survey.current_version_id or "")
    values["channel"] = data.channel.value
    values["conditions"] = [c.model_dump() for c in data.conditions]
    values["name"] = data.name.strip() or _default_name(data)
    return values


def check_widget_survey(db: Session, version_id: str) -> None:
    """The widget shows one NPS question and one optional comment: nothing else may be required."""
    spec = surveys.version_spec(db, version_id)
    if not any(q.kind == QuestionKind.nps for q in spec.questions):
        raise Invalid("survey_id: the widget shows an NPS question first; this survey has none")
    for question in spec.questions:
        if question.required and question.kind not in WIDGET_KINDS:
            raise Invalid(
                f"survey_id: the widget shows only the NPS question and a comment, but "
                f"question '{question.key}' ({question.kind.value}) is required"
            )


def _default_name(data: TriggerWrite) -> str:
    what = data.event or data.touchpoint_key or "touchpoint"
    return f"{what} → {data.channel.value}"

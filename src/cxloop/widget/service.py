"""The web widget: its public key and allowed origins, and what the embedded script does
(track an event, show the survey governance allowed, store the answer). Flushes, never commits.
"""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import urlsplit

from pydantic import ValidationError
from sqlalchemy.orm import Session

from cxloop.core.database import utcnow
from cxloop.core.errors import Gone, Invalid, NotFound
from cxloop.core.settings import Settings
from cxloop.events import offers
from cxloop.events import service as events
from cxloop.events.models import SurveyTrigger
from cxloop.events.schemas import EventContact, EventCreate
from cxloop.journeys.models import Channel
from cxloop.responses import service as responses
from cxloop.responses.schemas import ContactRef, ResponseCreate
from cxloop.surveys import service as surveys
from cxloop.surveys.i18n import chrome, match_language, text_direction
from cxloop.surveys.models import QuestionKind
from cxloop.surveys.public_view import in_language
from cxloop.widget import repository as repo
from cxloop.widget.models import WidgetConfig, WidgetPrompt
from cxloop.widget.schemas import AnswerBody, TrackBody, WidgetRead

KEY_PREFIX = "cxw_"
COMMENT_MAX = 5000


def new_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(18)


def config(db: Session, workspace_id: str) -> WidgetConfig:
    """The workspace's widget settings, made (with a fresh key) on first use."""
    found = repo.config_of(db, workspace_id)
    if found is None:
        found = WidgetConfig(workspace_id=workspace_id, key=new_key(), allowed_origins=[])
        db.add(found)
        db.flush()
    return found


def config_by_key(db: Session, key: str) -> WidgetConfig:
    found = repo.config_by_key(db, key) if 0 < len(key) <= 64 else None
    if found is None:
        raise NotFound("unknown widget key: copy the snippet again from Settings > Widget")
    return found


def rotate_key(db: Session, workspace_id: str) -> WidgetConfig:
    """A new key; pages still embedding the old one stop working at once."""
    found = config(db, workspace_id)
    found.key = new_key()
    found.rotated_at = utcnow()
    db.flush()
    return found


def set_origins(db: Session, workspace_id: str, origins: list[str]) -> WidgetConfig:
    found = config(db, workspace_id)
    clean: list[str] = []
    for index, origin in enumerate(origins):
        normal = normalise_origin(origin, f"allowed_origins.{index}")
        if normal not in clean:
            clean.append(normal)
    found.allowed_origins = clean
    db.flush()
    return found


def normalise_origin(value: str, field: str = "origin") -> str:
    """'https://Shop.example:443/' -> 'https://shop.example' (what browsers send as Origin)."""
    text = value.strip()
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise Invalid(f"{field}: '{value}' is not an origin like https://shop.example")
    if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username:
        raise Invalid(f"{field}: '{value}' has a path; give only scheme, host and port")
    try:
        port = parts.port
    except ValueError as exc:
        raise Invalid(f"{field}: '{value}' has a bad port") from exc
    default = 443 if parts.scheme == "https" else 80
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    return f"{parts.scheme}://{host}" + (f":{port}" if port and port != default else "")


def origin_allowed(found: WidgetConfig, origin: str | None) -> bool:
    if not origin:
        return False
    try:
        return normalise_origin(origin) in (found.allowed_origins or [])
    except Invalid:
        return False


def read(found: WidgetConfig, settings: Settings) -> WidgetRead:
    script = f"{settings.base_url.rstrip('/')}/w/cxloop.js"
    snippet = f'<script src="{script}" data-workspace="{found.key}" async></script>'
    return WidgetRead(
        key=found.key,
        allowed_origins=list(found.allowed_origins or []),
        script_url=script,
        snippet=snippet,
        rotated_at=found.rotated_at,
    )


def track(db: Session, settings: Settings, found: WidgetConfig, body: TrackBody) -> dict[str, Any]:
    """Records the page's event; returns the survey to show, if a widget trigger offered one."""
    visitor = body.visitor
    if not (visitor.email or visitor.external_id):
        raise Invalid("visitor: call cxloop('identify', {email or external_id}) before 'track'")
    try:
        data = EventCreate(
            contact=EventContact(
                email=visitor.email,
                external_id=visitor.external_id,
                language=_lang(visitor.language),
            ),
            event=body.event,
            properties=body.properties,
        )
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"]) or "event"
        raise Invalid(f"{where}: {str(err['msg']).removeprefix('Value error, ')}") from exc
    recorded = events.record_event(
        db,
        settings,
        found.workspace_id,
        data,
        channels={"widget"},
        default_channel=Channel.web,
    )
    answer: dict[str, Any] = {"interaction_id": recorded.result.interaction_id, "survey": None}
    if recorded.shown:
        trigger, made = recorded.shown[0]
        wanted = [visitor.language, *body.languages]
        hidden = {k: str(v) for k, v in body.properties.items() if v is not None}
        contact_id = recorded.result.contact_id
        answer["survey"] = _show(db, found, trigger, made, contact_id, wanted, hidden)
    return answer


def _lang(tag: str | None) -> str | None:
    from cxloop.contacts.validation import normalise_language

    try:
        return normalise_language(tag)
    except ValueError:
        return None


def _show(
    db: Session,
    found: WidgetConfig,
    trigger: SurveyTrigger,
    made: offers.OfferResult,
    contact_id: str,
    wanted: list[str | None],
    hidden: dict[str, str],
) -> dict[str, Any]:
    survey = surveys.get_survey(db, found.workspace_id, trigger.survey_id)
    language = survey.default_language
    for tag in wanted:
        match = match_language(tag, survey.languages)
        if match:
            language = match
            break
    version_id = survey.current_version_id or ""
    questions = surveys.questions_of_version(db, version_id)
    nps = next(q for q in questions if q.kind == QuestionKind.nps)
    comment = next((q for q in questions if q.kind == QuestionKind.open_text), None)
    words = chrome(language)
    nps_text = in_language(nps.texts, language, survey.default_language) or {}
    texts = in_language(surveys.version_texts(db, version_id), language, survey.default_language)
    prompt = WidgetPrompt(
        workspace_id=found.workspace_id,
        invitation_id=made.invitation_id,
        token=made.token,
        survey_id=survey.id,
        contact_id=contact_id,
        touchpoint_id=trigger.touchpoint_id or survey.touchpoint_id,
        language=language,
        hidden=dict(list(hidden.items())[:50]),
    )
    db.add(prompt)
    db.flush()
    comment_text = (
        in_language(comment.texts, language, survey.default_language) or {} if comment else {}
    )
    return {
        "prompt": prompt.id,
        "delay_seconds": trigger.delay_seconds,
        "language": language,
        "dir": text_direction(language),
        "title": (texts or {}).get("title", ""),
        "nps": {
            "key": nps.key,
            "prompt": nps_text.get("prompt", nps.key),
            "low": nps_text.get("low") or words["nps_low"],
            "high": nps_text.get("high") or words["nps_high"],
        },
        "comment": (
            {"key": comment.key, "prompt": comment_text.get("prompt", comment.key)}
            if comment
            else None
        ),
        "submit": words["submit"],
        "thanks": (texts or {}).get("thanks") or words["thanks_default"],
    }


def seen(db: Session, found: WidgetConfig, prompt_id: str) -> None:
    """The page showed the survey: the invitation counts as opened."""
    prompt = _prompt(db, found, prompt_id)
    if prompt.opened_at is None:
        prompt.opened_at = utcnow()
        if prompt.token:
            offers.track(db, found.workspace_id, prompt.token, "opened", None)
        db.flush()


def answer(db: Session, found: WidgetConfig, body: AnswerBody) -> dict[str, Any]:
    """Stores the visitor's answer once (a retry returns the stored response)."""
    prompt = _prompt(db, found, body.prompt)
    survey = surveys.get_survey(db, found.workspace_id, prompt.survey_id)
    questions = surveys.questions_of_version(db, survey.current_version_id or "")
    shown = {q.key for q in questions if q.kind in (QuestionKind.nps, QuestionKind.open_text)}
    answers = {k: v for k, v in body.answers.items() if k in shown and v not in (None, "")}
    for key, value in answers.items():
        if isinstance(value, str) and len(value) > COMMENT_MAX:
            raise Invalid(f"answers.{key}: at most {COMMENT_MAX} characters")
    data = ResponseCreate(
        survey_id=prompt.survey_id,
        answers=answers,
        contact=ContactRef(id=prompt.contact_id),
        language=prompt.language,
        channel=Channel.web,
        touchpoint_id=prompt.touchpoint_id,
        idempotency_key=f"widget:{prompt.id}",
        hidden=dict(prompt.hidden or {}),
    )
    try:
        stored = responses.submit(db, found.workspace_id, data, source="widget")
    except Gone as exc:
        raise Gone(f"survey: {exc.message}") from exc
    if prompt.response_id is None:
        prompt.response_id = stored.id
        if prompt.token:
            offers.track(db, found.workspace_id, prompt.token, "completed", stored.id)
        db.flush()
    return {"response_id": stored.id, "duplicate": stored.duplicate}


def _prompt(db: Session, found: WidgetConfig, prompt_id: str) -> WidgetPrompt:
    prompt = repo.prompt(db, found.workspace_id, prompt_id)
    if prompt is None:
        raise NotFound("prompt: this survey was not offered here (or the widget key changed)")
    return prompt

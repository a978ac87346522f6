"""What a rule sees of each subject, built from the other features' services: the facts its
conditions test, the contact its actions address, and the words its templates fill in."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from cxloop.alerts import service as alerts
from cxloop.cases import service as cases
from cxloop.cases.repository import CaseFilter
from cxloop.comments import service as comments
from cxloop.comments.schemas import CommentFilters, CommentRead
from cxloop.contacts import service as contacts
from cxloop.core.errors import CxError, NotFound
from cxloop.interactions import service as interactions
from cxloop.interactions.models import Interaction
from cxloop.interactions.repository import InteractionFilter
from cxloop.journeys import service as journeys
from cxloop.responses import service as responses
from cxloop.responses.schemas import AnswerRead, ResponseRead
from cxloop.rules.conditions import Facts, Names
from cxloop.segments import service as segments
from cxloop.surveys import service as surveys

SUBJECT_KINDS = {
    "response.submitted": "response",
    "interaction.created": "interaction",
    "comment.analyzed": "comment",
    "alert.fired": "alert_firing",
    "case.status_changed": "case",
    "case.sla_breached": "case",
}
PREVIEW_SIZE = 100


@dataclass
class ContactInfo:
    id: str
    name: str
    email: str | None
    language: str | None
    attributes: dict[str, Any]


@dataclass
class Subject:
    """One record a rule is evaluated on."""

    id: str
    kind: str
    values: dict[str, Any]
    summary: str
    contact: ContactInfo | None = None
    response_id: str | None = None
    comment_id: int | None = None
    touchpoint_id: str | None = None
    words: dict[str, str] = field(default_factory=dict)  # template placeholders

    def facts(self, db: Session, workspace_id: str) -> Facts:
        contact_id = self.contact.id if self.contact else None
        return Facts(self.values, _membership(db, workspace_id, contact_id))


def _membership(db: Session, workspace_id: str, contact_id: str | None) -> Callable[[str], bool]:
    known: dict[str, bool] = {}

    def inside(segment_id: str) -> bool:
        if contact_id is None:
            return False
        if segment_id not in known:
            try:
                known[segment_id] = segments.is_member(db, workspace_id, segment_id, contact_id)
            except NotFound:
                known[segment_id] = False
        return known[segment_id]

    return inside


class _Lookups:
    """Per-batch caches of touchpoints, surveys and contacts."""

    def __init__(self, db: Session, workspace_id: str) -> None:
        self.db, self.ws = db, workspace_id
        self.places: dict[str, dict[str, Any]] = {}
        self.surveys: dict[str, Names] = {}
        self.contacts: dict[str, ContactInfo | None] = {}

    def place(self, touchpoint_id: str | None) -> dict[str, Any]:
        """touchpoint / stage / journey names of a touchpoint."""
        if not touchpoint_id:
            return {}
        if touchpoint_id not in self.places:
            try:
                tp = journeys.touchpoint_info(self.db, self.ws, touchpoint_id)
            except NotFound:
                self.places[touchpoint_id] = {}
            else:
                self.places[touchpoint_id] = {
                    "touchpoint": Names(tuple(n for n in (tp.id, tp.key, tp.name) if n)),
                    "stage": Names((tp.stage_id, tp.stage_name)),
                    "journey": Names((tp.journey_id, tp.journey_name)),
                }
        return self.places[touchpoint_id]

    def survey(self, survey_id: str) -> Names:
        if survey_id not in self.surveys:
            try:
                self.surveys[survey_id] = Names(
                    (survey_id, surveys.get_survey(self.db, self.ws, survey_id).name)
                )
            except NotFound:
                self.surveys[survey_id] = Names((survey_id,))
        return self.surveys[survey_id]

    def contact(self, contact_id: str | None) -> ContactInfo | None:
        if not contact_id:
            return None
        if contact_id not in self.contacts:
            try:
                c = contacts.get_contact(self.db, self.ws, contact_id)
            except NotFound:
                self.contacts[contact_id] = None
            else:
                self.contacts[contact_id] = ContactInfo(
                    c.id, c.name, c.email, c.language, dict(c.attributes or {})
                )
        return self.contacts[contact_id]


def _contact_values(contact: ContactInfo | None) -> dict[str, Any]:
    if contact is None:
        return {}
    return {"contact": {**contact.attributes, "language": contact.language}}


def _words(subject: Subject) -> None:
    """Placeholders every template can use, from the facts."""
    for key in ("nps", "csat", "ces", "comment", "sentiment", "channel", "language"):
        value = subject.values.get(key)
        if value is not None:
            subject.words[key] = f"{value:g}" if isinstance(value, float) else str(value)
    for key in ("touchpoint", "survey", "stage", "journey"):
        value = subject.values.get(key)
        if isinstance(value, Names):
            subject.words[key] = value.names[-1]
    if subject.contact:
        subject.words["contact.name"] = subject.contact.name or subject.contact.email or ""
        subject.words["contact.email"] = subject.contact.email or ""
        for key, value in subject.contact.attributes.items():
            subject.words[f"contact.{key}"] = str(value)
    for key, value in (subject.values.get("answer") or {}).items():
        subject.words[f"answer.{key}"] = ", ".join(value) if isinstance(value, list) else str(value)
    subject.words["summary"] = subject.summary
    subject.words["subject.id"] = subject.id


def _analysis(values: dict[str, Any], found: list[CommentRead]) -> None:
    """Sentiment, themes and text of a response's analysed comments."""
    if not found:
        return
    moods = {c.sentiment for c in found}
    values["sentiment"] = moods.pop() if len(moods) == 1 else "mixed"
    values["themes"] = sorted({t.key for c in found for t in c.themes})
    values["comment"] = "\n".join(c.text for c in found)


def _response(
    read: ResponseRead, answers: list[AnswerRead], found: list[CommentRead], look: _Lookups
) -> Subject:
    values: dict[str, Any] = {
        "answer": dict(read.answers),
        "channel": read.channel,
        "language": read.language,
        "survey": look.survey(read.survey_id),
        **look.place(read.touchpoint_id),
    }
    texts = []
    for a in answers:
        if a.kind in ("nps", "csat", "ces") and isinstance(a.value, int | float):
            values.setdefault(a.kind, float(a.value))
        if a.kind == "open_text" and isinstance(a.value, str) and a.value.strip():
            texts.append(a.value)
    if texts:
        values["comment"] = "\n".join(texts)
    _analysis(values, found)
    values["keyword"] = values.get("comment")
    contact = look.contact(read.contact_id)
    values.update(_contact_values(contact))
    scores = ", ".join(f"{k.upper()} {values[k]:g}" for k in ("nps", "csat", "ces") if k in values)
    text = str(values.get("comment") or "")
    summary = "; ".join(p for p in (scores, text[:120]) if p) or "no scores"
    return Subject(read.id, "response", values, summary, contact, read.id, None, read.touchpoint_id)


def responses_of(db: Session, workspace_id: str, reads: list[ResponseRead]) -> list[Subject]:
    look = _Lookups(db, workspace_id)
    ids = [r.id for r in reads]
    kinds = responses.answers_with_kinds(db, ids)
    found = comments.of_responses(db, workspace_id, ids)
    return [_response(r, kinds.get(r.id, []), found.get(r.id, []), look) for r in reads]


def _interaction(item: Interaction, look: _Lookups) -> Subject:
    contact = look.contact(item.contact_id)
    values: dict[str, Any] = {
        "interaction.kind": item.kind,
        "channel": item.channel,
        "comment": item.text,
        "keyword": item.text,
        **look.place(item.touchpoint_id),
        **_contact_values(contact),
    }
    summary = f"{item.kind}" + (f": {item.text[:120]}" if item.text else "")
    return Subject(item.id, "interaction", values, summary, contact, None, None, item.touchpoint_id)


def _comment(db: Session, ws: str, c: CommentRead, look: _Lookups) -> Subject:
    values: dict[str, Any] = {}
    response_id = c.response_id
    if response_id:
        try:
            (base,) = responses_of(db, ws, [responses.get_response(db, ws, response_id)])
            values.update(base.values)
        except NotFound:
            response_id = None
    values.update(look.place(c.touchpoint_id))
    values.update(
        {
            "sentiment": c.sentiment,
            "themes": [t.key for t in c.themes],
            "comment": c.text,
            "keyword": c.text,
            "language": c.language,
            "channel": c.channel or values.get("channel"),
        }
    )
    contact = look.contact(c.contact_id)
    values.update(_contact_values(contact))
    summary = f"{c.sentiment}: {c.text[:120]}"
    return Subject(
        str(c.id), "comment", values, summary, contact, response_id, c.id, c.touchpoint_id
    )


def _alert(firing_id: str, data: dict[str, Any]) -> Subject:
    values = {"alert.id": data.get("alert_id"), "alert.metric": data.get("metric")}
    subject = Subject(firing_id, "alert_firing", values, str(data.get("text") or "alert fired"))
    subject.words.update(
        {"alert.name": str(data.get("alert_name") or ""), "alert.text": subject.summary}
    )
    return subject


def _case(db: Session, ws: str, case_id: str, data: dict[str, Any], look: _Lookups) -> Subject:

    case = cases.get_case(db, ws, case_id)
    contact = look.contact(case.contact_id)
    values: dict[str, Any] = {
        "case.status": case.status,
        "case.priority": case.priority,
        "case.from": data.get("from"),
        "case.to": data.get("to"),
        "sla.clock": data.get("clock"),
        **look.place(case.touchpoint_id),
        **_contact_values(contact),
    }
    summary = f"case #{case.number} {case.title} ({case.status}, {case.priority})"
    subject = Subject(
        case.id,
        "case",
        values,
        summary,
        contact,
        case.response_id,
        case.comment_id,
        case.touchpoint_id,
    )
    subject.words.update(
        {"case.number": str(case.number), "case.title": case.title, "case.status": case.status}
    )
    return subject


def build(
    db: Session, workspace_id: str, trigger: str, subject_id: str, data: dict[str, Any]
) -> Subject:
    """The subject of one trigger; NotFound when it is gone."""
    look = _Lookups(db, workspace_id)
    if trigger == "response.submitted":
        (subject,) = responses_of(
            db, workspace_id, [responses.get_response(db, workspace_id, subject_id)]
        )
    elif trigger == "interaction.created":
        subject = _interaction(interactions.get_interaction(db, workspace_id, subject_id), look)
    elif trigger == "comment.analyzed":
        if not subject_id.isdigit():
            raise NotFound(f"comment '{subject_id}' does not exist")
        found = comments.get_comment(db, workspace_id, int(subject_id))
        subject = _comment(db, workspace_id, found, look)
    elif trigger == "alert.fired":
        subject = _alert(subject_id, data)
    else:
        subject = _case(db, workspace_id, subject_id, data, look)
    _words(subject)
    return subject


def recent(db: Session, workspace_id: str, trigger: str) -> list[Subject]:
    """The last 100 subjects of a trigger, newest first (for the preview)."""
    look = _Lookups(db, workspace_id)
    out: list[Subject] = []
    if trigger == "response.submitted":
        reads, _ = responses.list_responses(db, workspace_id, {}, PREVIEW_SIZE, 0)
        out = responses_of(db, workspace_id, reads)
    elif trigger == "interaction.created":
        items, _ = interactions.list_interactions(
            db, workspace_id, InteractionFilter(), limit=PREVIEW_SIZE, offset=0
        )
        out = [_interaction(i, look) for i in items]
    elif trigger == "comment.analyzed":
        page = comments.list_comments(db, workspace_id, CommentFilters(), limit=PREVIEW_SIZE)
        out = [_comment(db, workspace_id, c, look) for c in page.items]
    elif trigger == "alert.fired":
        out = _recent_firings(db, workspace_id)
    else:
        out = _recent_cases(db, workspace_id, look)
    for subject in out:
        _words(subject)
    return out


def _recent_firings(db: Session, workspace_id: str) -> list[Subject]:

    metrics = {a.id: (a.metric, a.name) for a in alerts.list_alerts(db, workspace_id)}
    out = []
    for f in alerts.firings(db, workspace_id, limit=PREVIEW_SIZE):
        metric, name = metrics.get(f.alert_id, (None, ""))
        data = {"alert_id": f.alert_id, "metric": metric, "alert_name": name, "text": f.message}
        out.append(_alert(f.id, data))
    return out


def _recent_cases(db: Session, workspace_id: str, look: _Lookups) -> list[Subject]:

    out = []
    page = cases.list_cases(db, workspace_id, CaseFilter(), PREVIEW_SIZE, 0)
    for item in page.items:
        try:
            out.append(_case(db, workspace_id, item.id, {}, look))
        except CxError:
            continue
    return out

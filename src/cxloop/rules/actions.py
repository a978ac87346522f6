"""Rule actions: their shapes, their checks on save, and running them on a matched subject.

Every effect outside this transaction is a job with the key rule:<version id>:<subject>:<index>
(one more suffix per recipient), so a retried evaluation has each effect once.
"""

from __future__ import annotations

import logging
import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError
from sqlalchemy.orm import Session

from cxloop.cases import teams
from cxloop.cases.schemas import CaseCreate
from cxloop.core.errors import CxError, Invalid, NotFound
from cxloop.core.settings import Settings
from cxloop.governance import service as governance
from cxloop.invitations import links
from cxloop.jobs import service as jobs
from cxloop.notifications import service as notifications
from cxloop.rules import repository as repo
from cxloop.rules.context import Subject
from cxloop.segments import service as segments

log = logging.getLogger("cxloop.rules")
PLACEHOLDER = re.compile(r"\{([A-Za-z_][\w.]*)\}")
WORDS = frozenset(
    [
        "nps",
        "csat",
        "ces",
        "comment",
        "sentiment",
        "channel",
        "language",
        "touchpoint",
        "survey",
        "stage",
        "journey",
        "summary",
        "subject.id",
        "rule.name",
        "contact.name",
        "contact.email",
        "alert.name",
        "alert.text",
        "case.number",
        "case.title",
        "case.status",
    ]
)
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
Template = Annotated[str, Field(min_length=1, max_length=20000)]


class _Action(BaseModel):
    model_config = ConfigDict(extra="forbid")


class OpenCase(_Action):
    type: Literal["open_case"]
    title: Annotated[str, Field(min_length=1, max_length=300)] = "Follow up: {summary}"
    priority: str = "normal"
    owner_strategy: str = "fixed"
    owner_id: str | None = None
    team_id: str | None = None
    unit_attribute: Annotated[str, Field(min_length=1, max_length=64)] = "unit"


class NotifyEmail(_Action):
    type: Literal["notify_email"]
    to: list[Annotated[str, Field(min_length=1, max_length=320)]] = Field(
        min_length=1, max_length=50
    )
    subject: Annotated[str, Field(min_length=1, max_length=300)]
    body: Template


class Webhook(_Action):
    type: Literal["webhook", "slack"]
    endpoint_id: Annotated[str, Field(min_length=1, max_length=64)]


class Tag(_Action):
    type: Literal["tag"]
    tag: Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[^\x00-\x1f]+$")]


class FollowUpText(_Action):
    subject: Annotated[str, Field(min_length=1, max_length=300)]
    body: Template


class FollowUpEmail(_Action):
    type: Literal["follow_up_email"]
    texts: dict[str, FollowUpText] = Field(min_length=1, max_length=50)
    fallback_language: str


class AddToSegment(_Action):
    type: Literal["add_to_segment"]
    segment_id: Annotated[str, Field(min_length=1, max_length=64)]


Action = Annotated[
    OpenCase | NotifyEmail | Webhook | Tag | FollowUpEmail | AddToSegment,
    Field(discriminator="type"),
]
_ACTIONS: TypeAdapter[list[Action]] = TypeAdapter(list[Action])
TAGGABLE = {"response.submitted", "interaction.created", "comment.analyzed"}
NEEDS_CONTACT = {"follow_up_email", "add_to_segment"}


def _where(prefix: str, loc: tuple[int | str, ...]) -> str:
    out = prefix
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part not in (
            "open_case",
            "notify_email",
            "webhook",
            "slack",
            "tag",
            "follow_up_email",
            "add_to_segment",
        ):
            out += f".{part}"
    return out


def parse(raw: Any) -> list[Action]:
    """The actions' shapes (Invalid naming the path: actions[0].priority ...)."""
    if not isinstance(raw, list):
        raise Invalid("actions: expected a list of actions")
    for index, item in enumerate(raw):
        if not isinstance(item, dict) or "type" not in item:
            kinds = "open_case, notify_email, webhook, slack, tag, follow_up_email, add_to_segment"
            raise Invalid(f"actions[{index}].type: name the action type ({kinds})")
    try:
        return _ACTIONS.validate_python(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        message = str(err["msg"]).removeprefix("Value error, ")
        return_path = _where("actions", tuple(err["loc"]))
        raise Invalid(f"{return_path}: {message}") from None


def _check_template(where: str, text: str) -> None:
    for name in PLACEHOLDER.findall(text):
        if name not in WORDS and not name.startswith(("answer.", "contact.")):
            known = ", ".join(sorted(WORDS))
            raise Invalid(
                f"{where}: unknown placeholder {{{name}}} (use {known}, "
                "answer.<key>, contact.<attribute>)"
            )


def _check_open_case(db: Session, ws: str, where: str, a: OpenCase) -> None:
    _check_template(f"{where}.title", a.title)
    fields = {"priority": a.priority, "owner_strategy": a.owner_strategy}
    try:
        CaseCreate.model_validate({"title": "x", **fields})
    except ValidationError as exc:
        err = exc.errors()[0]
        raise Invalid(f"{where}.{err['loc'][0]}: {err['msg']}") from None
    if a.owner_id and a.owner_strategy != "fixed":
        raise Invalid(f"{where}.owner_id: only with owner_strategy fixed, not {a.owner_strategy}")
    if a.owner_id:
        teams.check_worker(db, ws, a.owner_id, f"{where}.owner_id")
    if a.team_id:
        try:
            teams.get_team(db, ws, a.team_id)
        except NotFound:
            raise Invalid(f"{where}.team_id: team '{a.team_id}' does not exist") from None
    if a.owner_strategy == "round_robin" and not a.team_id:
        raise Invalid(f"{where}.team_id: round_robin needs a team")


def check(db: Session, workspace_id: str, trigger: str, raw: Any) -> list[dict[str, Any]]:
    """Validates the actions for the trigger; returns them as stored (JSON)."""
    parsed = parse(raw)
    for index, a in enumerate(parsed):
        where = f"actions[{index}]"
        if isinstance(a, OpenCase):
            if trigger.startswith("case."):
                raise Invalid(f"{where}.type: a case trigger cannot open another case")
            _check_open_case(db, workspace_id, where, a)
        elif isinstance(a, NotifyEmail):
            _check_template(f"{where}.subject", a.subject)
            _check_template(f"{where}.body", a.body)
            users = [t for t in a.to if "@" not in t]
            known = repo.member_emails(db, workspace_id, users)
            for pos, target in enumerate(a.to):
                if "@" in target and not EMAIL.match(target):
                    raise Invalid(f"{where}.to[{pos}]: '{target}' is not an email address")
                if "@" not in target and target not in known:
                    raise Invalid(f"{where}.to[{pos}]: user '{target}' is not a member")
        elif isinstance(a, Webhook):
            _check_endpoint(db, workspace_id, where, a)
        elif isinstance(a, Tag) and trigger not in TAGGABLE:
            raise Invalid(f"{where}.type: tags go on responses, interactions and comments")
        elif isinstance(a, FollowUpEmail):
            if a.fallback_language not in a.texts:
                raise Invalid(f"{where}.fallback_language: '{a.fallback_language}' has no text")
            for lang, text in a.texts.items():
                _check_template(f"{where}.texts.{lang}.subject", text.subject)
                _check_template(f"{where}.texts.{lang}.body", text.body)
        elif isinstance(a, AddToSegment):
            try:
                segments.get(db, workspace_id, a.segment_id)
            except NotFound:
                raise Invalid(
                    f"{where}.segment_id: segment '{a.segment_id}' does not exist"
                ) from None
        if a.type in NEEDS_CONTACT and trigger == "alert.fired":
            raise Invalid(f"{where}.type: an alert has no contact to {a.type.replace('_', ' ')}")
    return [a.model_dump(mode="json", exclude_none=True) for a in parsed]


def _check_endpoint(db: Session, workspace_id: str, where: str, a: Webhook) -> None:
    try:
        endpoint = notifications.get_endpoint(db, workspace_id, a.endpoint_id)
    except NotFound:
        raise Invalid(f"{where}.endpoint_id: endpoint '{a.endpoint_id}' does not exist") from None
    kind = endpoint.kind
    if a.type == "slack" and kind != "slack":
        raise Invalid(f"{where}.endpoint_id: '{a.endpoint_id}' is not a Slack endpoint")
    if a.type == "webhook" and kind == "slack":
        raise Invalid(f"{where}.endpoint_id: '{a.endpoint_id}' is a Slack endpoint; use slack")


def fill(template: str, words: dict[str, str]) -> str:
    """{contact.name}, {nps} ... replaced by the subject's values ('' when unknown)."""
    return PLACEHOLDER.sub(lambda m: words.get(m.group(1), ""), template)


class Runner:
    """Runs one matched rule version's actions on one subject; returns what it queued."""

    def __init__(
        self, db: Session, settings: Settings | None, ws: str, rule: Any, version: Any
    ) -> None:
        self.db, self.settings, self.ws = db, settings, ws
        self.rule, self.version = rule, version

    def run(self, subject: Subject) -> list[dict[str, Any]]:
        words = {**subject.words, "rule.name": self.rule.name}
        done = []
        for index, a in enumerate(parse(self.version.actions)):
            key = f"rule:{self.version.id}:{subject.id}:{index}"
            entry: dict[str, Any] = {"index": index, "type": a.type, "dedupe_key": key}
            entry.update(self._one(a, subject, words, key))
            done.append(entry)
        return done

    def _enqueue(self, kind: str, payload: dict[str, Any], key: str) -> dict[str, Any]:
        """Queues the job (emails and webhooks through the notifications delivery log)."""
        if kind == "notify.email":
            job_id = notifications.queue_email(self.db, self.ws, payload, dedupe_key=key)
        elif kind == "webhook.deliver":
            job_id = notifications.queue_webhook(
                self.db,
                self.ws,
                payload["endpoint_id"],
                payload["event_type"],
                payload["data"],
                key,
            )
        else:
            job_id = jobs.enqueue(self.db, kind, payload, workspace_id=self.ws, dedupe_key=key)
        return {"job_id": job_id, "kind": kind}

    def _one(self, a: Any, s: Subject, words: dict[str, str], key: str) -> dict[str, Any]:
        if isinstance(a, OpenCase):
            payload = {
                "title": fill(a.title, words)[:300] or self.rule.name,
                "priority": a.priority,
                "contact_id": s.contact.id if s.contact else None,
                "response_id": s.response_id,
                "comment_id": s.comment_id,
                "touchpoint_id": s.touchpoint_id,
                "source_key": f"rule:{self.version.id}:{s.id}",
                "owner_strategy": a.owner_strategy,
                "owner_id": a.owner_id,
                "team_id": a.team_id,
                "unit_attribute": a.unit_attribute,
            }
            return self._enqueue("case.open", payload, key)
        if isinstance(a, NotifyEmail):
            return self._notify(a, s, words, key)
        if isinstance(a, Webhook):
            data = {
                "rule_id": self.rule.id,
                "rule_name": self.rule.name,
                "version": self.version.number,
                "trigger": self.rule.trigger,
                "subject_kind": s.kind,
                "subject_id": s.id,
                "summary": s.summary,
                "text": f"Rule “{self.rule.name}” matched {s.kind} {s.id}: {s.summary}",
            }
            payload = {"endpoint_id": a.endpoint_id, "event_type": "rule.matched", "data": data}
            return self._enqueue("webhook.deliver", payload, key)
        if isinstance(a, Tag):
            added = repo.add_tag(self.db, self.ws, s.kind, s.id, a.tag, self.rule.id)
            return {"tag": a.tag, "added": added}
        if isinstance(a, FollowUpEmail):
            return self._follow_up(a, s, words, key)
        assert isinstance(a, AddToSegment)
        if s.contact is None:
            return {"skipped": "the record has no contact"}
        added = segments.add_member(
            self.db, self.ws, a.segment_id, s.contact.id, f"rule:{self.rule.id}"
        )
        return {"segment_id": a.segment_id, "added": added}

    def _notify(
        self, a: NotifyEmail, s: Subject, words: dict[str, str], key: str
    ) -> dict[str, Any]:
        emails = repo.member_emails(self.db, self.ws, [t for t in a.to if "@" not in t])
        targets = [t if "@" in t else emails.get(t) for t in a.to]
        queued = []
        for pos, to in enumerate(targets):
            if not to:
                continue
            payload = {
                "to": to,
                "subject": fill(a.subject, words)[:300],
                "text": fill(a.body, words),
                "html": None,
                "language": None,
                "contact_id": None,
                "unsubscribe_url": None,
                "purpose": "rule",
                "reference": f"rule:{self.rule.id}:{s.kind}:{s.id}",
            }
            queued.append({"to": to, **self._enqueue("notify.email", payload, f"{key}:{pos}")})
        return {"emails": queued}

    def _follow_up(
        self, a: FollowUpEmail, s: Subject, words: dict[str, str], key: str
    ) -> dict[str, Any]:
        contact = s.contact
        if contact is None or not contact.email:
            log.info("rule %s: follow-up skipped for %s %s: no email", self.rule.id, s.kind, s.id)
            return {"skipped": "the contact has no email address"}
        refusal = _not_contactable(self.db, self.ws, contact.id)
        if refusal:
            log.info("rule %s: follow-up skipped for %s: %s", self.rule.id, contact.id, refusal)
            return {"skipped": refusal}
        language = contact.language if contact.language in a.texts else None
        base = (contact.language or "").split("-")[0]
        if language is None and base in a.texts:
            language = base
        language = language or a.fallback_language
        text = a.texts[language]
        payload = {
            "to": contact.email,
            "subject": fill(text.subject, words)[:300],
            "text": fill(text.body, words),
            "html": None,
            "language": language,
            "contact_id": contact.id,
            "unsubscribe_url": self._unsubscribe(contact.id),
            "purpose": "follow_up",
            "reference": f"rule:{self.rule.id}:{s.kind}:{s.id}",
        }
        return {"language": language, **self._enqueue("notify.email", payload, key)}

    def _unsubscribe(self, contact_id: str) -> str | None:
        if self.settings is None:
            return None
        return links.unsubscribe_url(self.settings, self.ws, contact_id, "email")


def _not_contactable(db: Session, workspace_id: str, contact_id: str) -> str | None:
    """The governance feature's reason not to email the contact (opt-out, suppression ...)."""
    try:
        decision = governance.contactable(db, workspace_id, contact_id, "email")
    except CxError as exc:
        return exc.message
    return None if decision.allowed else f"{decision.rule}: {decision.reason}"

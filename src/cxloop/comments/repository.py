"""Every query of the comments feature."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row, Select, and_, case, delete, exists, func, insert, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from cxloop.accounts.models import Workspace
from cxloop.comments.models import (
    Comment,
    CommentTheme,
    TextProfile,
    ThemeDefinition,
    ThemeSuggestion,
)
from cxloop.contacts.models import Contact
from cxloop.interactions.models import Interaction
from cxloop.journeys.models import Touchpoint
from cxloop.responses.models import Answer, Response

# Interaction kinds whose text is the customer's own words.
CUSTOMER_TEXT_KINDS = (
    "ticket_opened",
    "ticket_reopened",
    "chat",
    "call",
    "review",
    "social_mention",
)
sentiment_label = func.coalesce(Comment.corrected_sentiment, Comment.sentiment)


@dataclass(frozen=True)
class Source:
    """A text waiting for analysis, with where it came from."""

    answer_id: int | None
    interaction_id: str | None
    response_id: str | None
    contact_id: str | None
    touchpoint_id: str | None
    channel: str | None
    source: str
    occurred_at: datetime
    text: str
    language_hint: str | None


def workspace_ids(db: Session) -> list[str]:
    return list(db.scalars(select(Workspace.id)))


def newest_answer_id(db: Session, workspace_id: str) -> int:
    stmt = select(func.max(Comment.answer_id)).where(Comment.workspace_id == workspace_id)
    return db.scalar(stmt) or 0


def pending_answers(
    db: Session, workspace_id: str, after_id: int, limit: int, upto_id: int | None = None
) -> list[Source]:
    """Non-empty open-text answers with after_id < id <= upto_id and no comment row yet."""
    stmt = (
        select(
            Answer.id,
            Answer.response_id,
            Response.contact_id,
            Answer.touchpoint_id,
            Answer.channel,
            Answer.submitted_at,
            Answer.value_text,
            Response.language,
        )
        .join(Response, Response.id == Answer.response_id)
        .where(
            Answer.workspace_id == workspace_id,
            Answer.kind == "open_text",
            Answer.id > after_id,
            Answer.id <= (upto_id if upto_id is not None else Answer.id),
            Answer.value_text.is_not(None),
            Answer.value_text != "",
            ~exists().where(Comment.answer_id == Answer.id),
        )
        .order_by(Answer.id)
        .limit(limit)
    )
    return [
        Source(a, None, r, c, t, ch, "survey", at, text or "", lang)
        for a, r, c, t, ch, at, text, lang in db.execute(stmt)
    ]


def pending_interactions(db: Session, workspace_id: str, limit: int) -> list[Source]:
    """Customer-written interaction texts (tickets, chats, reviews...) without a comment row."""
    stmt = (
        select(
            Interaction.id,
            Interaction.contact_id,
            Interaction.touchpoint_id,
            Interaction.channel,
            Interaction.kind,
            Interaction.occurred_at,
            Interaction.text,
            Contact.language,
        )
        .join(Contact, Contact.id == Interaction.contact_id)
        .where(
            Interaction.workspace_id == workspace_id,
            Interaction.kind.in_(CUSTOMER_TEXT_KINDS),
            Interaction.text.is_not(None),
            Interaction.text != "",
            ~exists().where(Comment.interaction_id == Interaction.id),
        )
        .limit(limit)
    )
    return [
        Source(None, i, None, c, t, ch, kind, at, text or "", lang)
        for i, c, t, ch, kind, at, text, lang in db.execute(stmt)
    ]


def add_comments(db: Session, rows: list[dict[str, Any]]) -> list[int]:
    """Inserts comment rows and returns their ids in the same order."""
    ids = []
    for row in rows:
        comment = Comment(**row)
        db.add(comment)
        db.flush()
        ids.append(comment.id)
    return ids


def add_themes(db: Session, rows: list[dict[str, Any]]) -> None:
    if rows:
        db.execute(insert(CommentTheme), rows)


def machine_update(db: Session, rows: list[dict[str, Any]]) -> None:
    """Bulk UPDATE by primary key: each row holds `id` and the machine's new labels."""
    if rows:
        db.execute(update(Comment), rows)


def drop_themes(
    db: Session, comment_ids: Sequence[int], taxonomies: Sequence[str], source: str | None = None
) -> None:
    stmt = delete(CommentTheme).where(
        CommentTheme.comment_id.in_(comment_ids), CommentTheme.taxonomy.in_(taxonomies)
    )
    if source is not None:
        stmt = stmt.where(CommentTheme.source == source)
    db.execute(stmt)


def comment_batch(db: Session, workspace_id: str, after_id: int, limit: int) -> Sequence[Comment]:
    stmt = (
        select(Comment)
        .where(Comment.workspace_id == workspace_id, Comment.id > after_id)
        .order_by(Comment.id)
        .limit(limit)
    )
    return db.scalars(stmt).all()


def count_comments(db: Session, workspace_id: str) -> int:
    stmt = select(func.count()).select_from(Comment).where(Comment.workspace_id == workspace_id)
    return db.scalar(stmt) or 0


def get_comment(db: Session, workspace_id: str, comment_id: int) -> Comment | None:
    stmt = select(Comment).where(Comment.workspace_id == workspace_id, Comment.id == comment_id)
    return db.scalars(stmt).first()


def of_responses(db: Session, workspace_id: str, response_ids: list[str]) -> Sequence[Comment]:
    """The comments of these responses' answers (through the answers' index)."""
    if not response_ids:
        return []
    stmt = (
        select(Comment)
        .join(Answer, Answer.id == Comment.answer_id)
        .where(Answer.response_id.in_(response_ids), Comment.workspace_id == workspace_id)
    )
    return db.scalars(stmt.order_by(Comment.id)).all()


def themes_of(db: Session, comment_ids: Iterable[int]) -> Sequence[CommentTheme]:
    ids = list(comment_ids)
    if not ids:
        return []
    stmt = select(CommentTheme).where(CommentTheme.comment_id.in_(ids))
    return db.scalars(stmt.order_by(CommentTheme.comment_id, CommentTheme.id)).all()


@dataclass(frozen=True)
class CommentQuery:
    workspace_id: str
    theme: str | None = None
    sentiment: str | None = None
    language: str | None = None
    touchpoint_id: str | None = None
    channel: str | None = None
    source: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    search: str | None = None
    contact_attribute: tuple[str, str] | None = None
    contacts: Select[Any] | None = None  # SELECT of contact ids (a segment's members)
    uncovered: bool = False


def comment_conditions(q: CommentQuery) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [Comment.workspace_id == q.workspace_id]
    if q.theme:
        conditions.append(
            exists().where(
                CommentTheme.comment_id == Comment.id,
                CommentTheme.theme_key == q.theme,
            )
        )
    if q.uncovered:
        conditions.append(
            ~exists().where(
                CommentTheme.comment_id == Comment.id,
                CommentTheme.taxonomy == "themes",
                CommentTheme.theme_key != "other",
            )
        )
    if q.sentiment:
        conditions.append(sentiment_label == q.sentiment)
    if q.language:
        conditions.append(Comment.language == q.language)
    if q.touchpoint_id:
        conditions.append(Comment.touchpoint_id == q.touchpoint_id)
    if q.channel:
        conditions.append(Comment.channel == q.channel)
    if q.source:
        conditions.append(Comment.source == q.source)
    if q.since:
        conditions.append(Comment.occurred_at >= q.since)
    if q.until:
        conditions.append(Comment.occurred_at < q.until)
    if q.search:
        escaped = q.search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        conditions.append(Comment.text.ilike(f"%{escaped}%", escape="\\"))
    if q.contacts is not None:
        conditions.append(Comment.contact_id.in_(q.contacts.scalar_subquery()))
    if q.contact_attribute:
        key, value = q.contact_attribute
        conditions.append(
            exists().where(
                Contact.id == Comment.contact_id,
                Contact.attributes[key].as_string() == value,
            )
        )
    return conditions


def find_comments(
    db: Session, q: CommentQuery, before_id: int | None, limit: int
) -> Sequence[Comment]:
    conditions = comment_conditions(q)
    if before_id:
        conditions.append(Comment.id < before_id)
    stmt = select(Comment).where(*conditions).order_by(Comment.id.desc()).limit(limit)
    return db.scalars(stmt).all()


def sentiment_counts(db: Session, q: CommentQuery) -> dict[str, int]:
    stmt = (
        select(sentiment_label, func.count())
        .where(*comment_conditions(q))
        .group_by(sentiment_label)
    )
    return {label: n for label, n in db.execute(stmt)}


def theme_counts(db: Session, q: CommentQuery, taxonomy: str) -> list[Row[Any]]:
    """Per theme: mentions and mentions by sentiment, and the mean mention score."""
    t = CommentTheme
    stmt = (
        select(
            t.theme_key,
            func.count(),
            func.sum(case((t.sentiment == "positive", 1), else_=0)),
            func.sum(case((t.sentiment == "negative", 1), else_=0)),
            func.sum(case((t.sentiment == "mixed", 1), else_=0)),
            func.avg(t.score),
        )
        .join(Comment, Comment.id == t.comment_id)
        .where(t.taxonomy == taxonomy, *comment_conditions(q))
        .group_by(t.theme_key)
    )
    return list(db.execute(stmt).all())


def theme_period_counts(
    db: Session, q: CommentQuery, taxonomy: str, bucket: ColumnElement[Any]
) -> list[Row[Any]]:
    """(theme, touchpoint, period, mentions, negative mentions) for trends and spikes."""
    t = CommentTheme
    stmt = (
        select(
            t.theme_key,
            t.touchpoint_id,
            bucket.label("period"),
            func.count(),
            func.sum(case((t.sentiment == "negative", 1), else_=0)),
        )
        .join(Comment, Comment.id == t.comment_id)
        .where(t.taxonomy == taxonomy, *comment_conditions(q))
        .group_by(t.theme_key, t.touchpoint_id, bucket)
    )
    return list(db.execute(stmt).all())


def comment_period_counts(
    db: Session, q: CommentQuery, bucket: ColumnElement[Any]
) -> dict[tuple[str | None, str], int]:
    """Comments per (touchpoint, period): the denominator of theme shares."""
    stmt = (
        select(Comment.touchpoint_id, bucket.label("period"), func.count())
        .where(*comment_conditions(q))
        .group_by(Comment.touchpoint_id, bucket)
    )
    return {(tp, str(period)): n for tp, period, n in db.execute(stmt)}


def quotes(
    db: Session, q: CommentQuery, taxonomy: str, theme_key: str, limit: int
) -> Sequence[Comment]:
    """Representative quotes: clear (strong score), readable length, newest first."""
    length = func.length(Comment.text)
    stmt = (
        select(Comment)
        .join(CommentTheme, CommentTheme.comment_id == Comment.id)
        .where(
            CommentTheme.taxonomy == taxonomy,
            CommentTheme.theme_key == theme_key,
            length.between(20, 400),
            *comment_conditions(q),
        )
        .order_by(func.abs(CommentTheme.score).desc(), Comment.occurred_at.desc())
        .limit(limit)
    )
    return db.scalars(stmt).all()


def sentiment_by_touchpoint(db: Session, q: CommentQuery) -> list[tuple[str | None, str, int]]:
    stmt = (
        select(Comment.touchpoint_id, sentiment_label, func.count())
        .where(*comment_conditions(q))
        .group_by(Comment.touchpoint_id, sentiment_label)
    )
    return [(tp, label, n) for tp, label, n in db.execute(stmt)]


def touchpoint_names(db: Session, workspace_id: str) -> dict[str, str]:
    stmt = select(Touchpoint.id, Touchpoint.name).where(Touchpoint.workspace_id == workspace_id)
    return {i: n for i, n in db.execute(stmt)}


def uncovered_texts(db: Session, workspace_id: str, limit: int) -> list[tuple[int, str, str]]:
    q = CommentQuery(workspace_id=workspace_id, uncovered=True)
    stmt = (
        select(Comment.id, Comment.text, Comment.language)
        .where(*comment_conditions(q), Comment.language != "und")
        .order_by(Comment.id.desc())
        .limit(limit)
    )
    return [(i, text, lang) for i, text, lang in db.execute(stmt)]


def corrections(db: Session, workspace_id: str) -> list[tuple[str, str, str]]:
    stmt = select(Comment.text, Comment.corrected_sentiment, Comment.language).where(
        Comment.workspace_id == workspace_id, Comment.corrected_sentiment.is_not(None)
    )
    return [(t, s or "", lang) for t, s, lang in db.execute(stmt)]


def count_corrections(db: Session, workspace_id: str) -> int:
    stmt = select(func.count()).where(
        Comment.workspace_id == workspace_id,
        or_(Comment.corrected_sentiment.is_not(None), Comment.themes_corrected.is_(True)),
    )
    return db.scalar(stmt) or 0


def profile(db: Session, workspace_id: str) -> TextProfile | None:
    return db.get(TextProfile, workspace_id)


def definitions(db: Session, workspace_id: str) -> Sequence[ThemeDefinition]:
    stmt = select(ThemeDefinition).where(ThemeDefinition.workspace_id == workspace_id)
    return db.scalars(stmt.order_by(ThemeDefinition.taxonomy, ThemeDefinition.key)).all()


def definition(db: Session, workspace_id: str, taxonomy: str, key: str) -> ThemeDefinition | None:
    stmt = select(ThemeDefinition).where(
        ThemeDefinition.workspace_id == workspace_id,
        ThemeDefinition.taxonomy == taxonomy,
        ThemeDefinition.key == key,
    )
    return db.scalars(stmt).first()


def suggestions(db: Session, workspace_id: str, status: str | None) -> Sequence[ThemeSuggestion]:
    stmt = select(ThemeSuggestion).where(ThemeSuggestion.workspace_id == workspace_id)
    if status:
        stmt = stmt.where(ThemeSuggestion.status == status)
    return db.scalars(stmt.order_by(ThemeSuggestion.size.desc())).all()


def suggestion(db: Session, workspace_id: str, suggestion_id: str) -> ThemeSuggestion | None:
    stmt = select(ThemeSuggestion).where(
        ThemeSuggestion.workspace_id == workspace_id, ThemeSuggestion.id == suggestion_id
    )
    return db.scalars(stmt).first()


def discard_proposed(db: Session, workspace_id: str) -> None:
    db.execute(
        delete(ThemeSuggestion).where(
            and_(ThemeSuggestion.workspace_id == workspace_id, ThemeSuggestion.status == "proposed")
        )
    )


def day_of(db: Session) -> ColumnElement[Any]:
    """SQL for the UTC day of a comment (a 'YYYY-MM-DD' string on SQLite, a date on PostgreSQL)."""
    if db.get_bind().dialect.name == "postgresql":
        return func.date(func.timezone("UTC", Comment.occurred_at))
    return func.date(Comment.occurred_at)

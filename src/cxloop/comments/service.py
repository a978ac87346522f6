"""Comment analysis (new comments, full re-analysis), the explorer and people's corrections.

Corrections are kept in their own columns (sentiment) and rows (themes with source "person");
re-analysis rewrites only the machine's labels.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from threading import Lock
from typing import Any

from sqlalchemy.orm import Session

from cxloop.accounts import service as accounts
from cxloop.comments import repository as repo
from cxloop.comments.models import Comment, CommentTheme, TextProfile
from cxloop.comments.schemas import (
    CommentCorrection,
    CommentFilters,
    CommentPage,
    CommentRead,
    TextProfileRead,
    TextProfileUpdate,
    ThemeMentionRead,
)
from cxloop.core.database import utcnow
from cxloop.core.errors import Invalid, NotFound
from cxloop.rules import events as rule_events
from cxloop.segments import service as segments
from cxloop.text.analysers import (
    DEFAULT_ANALYSER,
    Analyser,
    CommentAnalysis,
    ThemeMention,
    load_analyser,
)
from cxloop.text.corrections import Correction, retrain_with_corrections
from cxloop.text.linear import LinearModel
from cxloop.text.sentiment import load_base_model
from cxloop.text.taxonomy import Taxonomy, load_taxonomy

BATCH = 1000
TAXONOMIES = {"themes": "cx_themes", "pillars": "cx_pillars"}


@dataclass(frozen=True)
class WorkspaceText:
    """What analysing a workspace's comments needs: its analyser and expected languages."""

    analyser: Analyser
    languages: list[str]
    name: str
    taxonomies: dict[str, Taxonomy]


_cache: dict[tuple[Any, ...], WorkspaceText] = {}
_cache_lock = Lock()


def taxonomy(db: Session, workspace_id: str, which: str) -> Taxonomy:
    """The built-in taxonomy with the workspace's own and edited themes applied."""
    base = load_taxonomy(TAXONOMIES[which])
    rows = [d for d in repo.definitions(db, workspace_id) if d.taxonomy == which]
    if not rows:
        return base
    hidden = {d.key for d in rows if not d.enabled}
    extra = [
        {
            "key": d.key,
            "name": d.name or {"en": d.key},
            "description": d.description,
            "keywords": d.keywords,
            "examples": d.examples,
        }
        for d in rows
        if d.enabled
    ]
    merged = base.with_themes(extra)
    themes = tuple(t for t in merged.themes if t.key not in hidden)
    return Taxonomy(merged.key, merged.name, themes, merged.fallback)


def workspace_text(db: Session, workspace_id: str, analyser_path: str) -> WorkspaceText:
    """The workspace's analyser (cached until its themes or model change)."""
    profile = repo.profile(db, workspace_id)
    version = (profile.taxonomy_version, profile.trained_at) if profile else (0, None)
    key = (workspace_id, analyser_path, *version)
    with _cache_lock:
        if key in _cache:
            return _cache[key]
    taxonomies = {which: taxonomy(db, workspace_id, which) for which in TAXONOMIES}
    languages = list(profile.languages) if profile else []
    if analyser_path == DEFAULT_ANALYSER:
        model = LinearModel.from_bytes(profile.model) if profile and profile.model else None
        if model is not None and model.info.get("base") != load_base_model().info["base"]:
            model = None  # adapted from an older shipped model: retrain from the corrections
        analyser = load_analyser(
            analyser_path,
            taxonomy=taxonomies["themes"],
            pillars=taxonomies["pillars"],
            sentiment_model=model,
        )
    else:
        analyser = load_analyser(analyser_path)
    made = WorkspaceText(analyser, languages, analyser_path, taxonomies)
    with _cache_lock:
        _cache.clear() if len(_cache) > 64 else None
        _cache[key] = made
    return made


def _theme_rows(
    workspace_id: str,
    comment_id: int,
    source: repo.Source | Comment,
    taxonomy_key: str,
    found: list[ThemeMention],
) -> list[dict[str, Any]]:
    return [
        {
            "comment_id": comment_id,
            "workspace_id": workspace_id,
            "taxonomy": taxonomy_key,
            "theme_key": mention.key,
            "sentiment": mention.sentiment,
            "score": mention.score,
            "source": "machine",
            "occurred_at": source.occurred_at,
            "touchpoint_id": source.touchpoint_id,
        }
        for mention in found
    ]


def _machine_fields(result: CommentAnalysis, analyser: str) -> dict[str, Any]:
    return {
        "language": result.language,
        "language_confidence": round(result.language_confidence, 4),
        "sentiment": result.sentiment,
        "sentiment_score": round(result.sentiment_score, 4),
        "key_phrases": result.key_phrases[:8],
        "analyser": analyser[:160],
        "analysed_at": utcnow(),
    }


def _analyse(text_setup: WorkspaceText, texts: Sequence[str]) -> list[CommentAnalysis]:
    languages = text_setup.languages or None
    return text_setup.analyser.analyse(list(texts), languages=languages)


def analyse_pending(db: Session, workspace_id: str, analyser_path: str, limit: int = BATCH) -> int:
    """Analyses up to `limit` comments that arrived since the last run; returns how many."""
    after = max(0, repo.newest_answer_id(db, workspace_id) - 10_000)
    sources = repo.pending_answers(db, workspace_id, after, limit)
    if len(sources) < limit and after:  # older answers whose commit came late
        sources += repo.pending_answers(db, workspace_id, 0, limit - len(sources), upto_id=after)
    if len(sources) < limit:
        sources += repo.pending_interactions(db, workspace_id, limit - len(sources))
    if not sources:
        return 0
    setup = workspace_text(db, workspace_id, analyser_path)
    results = _analyse(setup, [s.text for s in sources])
    rows = []
    for source, result in zip(sources, results, strict=True):
        rows.append(
            {
                "workspace_id": workspace_id,
                "answer_id": source.answer_id,
                "interaction_id": source.interaction_id,
                "response_id": source.response_id,
                "contact_id": source.contact_id,
                "touchpoint_id": source.touchpoint_id,
                "channel": source.channel,
                "source": source.source,
                "occurred_at": source.occurred_at,
                "text": source.text[:20_000],
                **_machine_fields(result, setup.name),
            }
        )
    ids = repo.add_comments(db, rows)
    themes = []
    for comment_id, source, result in zip(ids, sources, results, strict=True):
        for key, found in (("themes", result.themes), ("pillars", result.pillars)):
            themes += _theme_rows(workspace_id, comment_id, source, key, found)
    repo.add_themes(db, themes)
    db.flush()
    rule_events.emit_watched(db, workspace_id, "comment.analyzed", ids)
    return len(sources)


def has_pending(db: Session, workspace_id: str) -> bool:
    after = max(0, repo.newest_answer_id(db, workspace_id) - 10_000)
    return bool(repo.pending_answers(db, workspace_id, after, 1))


def reanalyse(
    db: Session,
    workspace_id: str,
    analyser_path: str,
    progress: Callable[[int], None] | None = None,
    commit: Callable[[], None] | None = None,
) -> int:
    """Re-runs the analyser on every stored comment (machine labels only); returns the count."""
    setup = workspace_text(db, workspace_id, analyser_path)
    done, after = 0, 0
    while True:
        batch = repo.comment_batch(db, workspace_id, after, BATCH)
        if not batch:
            return done
        results = _analyse(setup, [c.text for c in batch])
        ids = [c.id for c in batch]
        kept = [c.id for c in batch if not c.themes_corrected]
        repo.drop_themes(db, kept, ["themes"], "machine")
        repo.drop_themes(db, ids, ["pillars"], "machine")
        themes = []
        repo.machine_update(
            db,
            [
                {"id": c.id, **_machine_fields(result, setup.name)}
                for c, result in zip(batch, results, strict=True)
            ],
        )
        for comment, result in zip(batch, results, strict=True):
            if not comment.themes_corrected:
                themes += _theme_rows(workspace_id, comment.id, comment, "themes", result.themes)
            themes += _theme_rows(workspace_id, comment.id, comment, "pillars", result.pillars)
        repo.add_themes(db, themes)
        done += len(batch)
        after = batch[-1].id
        db.expire_all()  # drop the batch from the identity map (memory stays flat)
        if commit:
            commit()
        if progress:
            progress(len(batch))


# --- the explorer -----------------------------------------------------------------------------


def query(db: Session, workspace_id: str, filters: CommentFilters) -> repo.CommentQuery:
    since, until = accounts.workspace_days(db, workspace_id, filters.date_from, filters.date_to)
    attribute = None
    if filters.attribute:
        key, sep, value = filters.attribute.partition("=")
        if not sep or not key.strip():
            raise Invalid("attribute: use key=value, e.g. plan=pro")
        attribute = (key.strip(), value.strip())
    return repo.CommentQuery(
        workspace_id=workspace_id,
        theme=filters.theme,
        sentiment=filters.sentiment,
        language=filters.language,
        touchpoint_id=filters.touchpoint_id,
        channel=filters.channel,
        source=filters.source,
        since=since,
        until=until,
        search=(filters.q or "").strip() or None,
        contact_attribute=attribute,
        contacts=segments.member_ids(db, workspace_id, filters.segment_id)
        if filters.segment_id
        else None,
    )


def _names(db: Session, workspace_id: str) -> dict[str, dict[str, str]]:
    names: dict[str, dict[str, str]] = {}
    for which in TAXONOMIES:
        names[which] = {t.key: t.label("en") for t in taxonomy(db, workspace_id, which).themes}
    return names


def _reads(db: Session, workspace_id: str, comments: Sequence[Comment]) -> list[CommentRead]:
    names = _names(db, workspace_id)
    touchpoints = repo.touchpoint_names(db, workspace_id)
    mentions: dict[int, list[CommentTheme]] = {}
    for row in repo.themes_of(db, (c.id for c in comments)):
        mentions.setdefault(row.comment_id, []).append(row)
    return [_read(c, mentions.get(c.id, []), names, touchpoints) for c in comments]


def _read(
    comment: Comment,
    mentions: Iterable[CommentTheme],
    names: dict[str, dict[str, str]],
    touchpoints: dict[str, str],
) -> CommentRead:
    found: dict[str, list[ThemeMentionRead]] = {"themes": [], "pillars": []}
    for m in mentions:
        name = names.get(m.taxonomy, {}).get(m.theme_key, m.theme_key)
        found.setdefault(m.taxonomy, []).append(
            ThemeMentionRead(
                key=m.theme_key,
                name=name,
                taxonomy=m.taxonomy,
                sentiment=m.sentiment,
                score=m.score,
                source=m.source,
            )
        )
    return CommentRead(
        id=comment.id,
        text=comment.text,
        source=comment.source,
        occurred_at=comment.occurred_at,
        language=comment.language,
        sentiment=comment.corrected_sentiment or comment.sentiment,
        machine_sentiment=comment.sentiment,
        sentiment_score=comment.sentiment_score,
        corrected=bool(comment.corrected_sentiment or comment.themes_corrected),
        key_phrases=list(comment.key_phrases or []),
        themes=found["themes"],
        pillars=found["pillars"],
        touchpoint_id=comment.touchpoint_id,
        touchpoint_name=touchpoints.get(comment.touchpoint_id or ""),
        channel=comment.channel,
        response_id=comment.response_id,
        contact_id=comment.contact_id,
    )


def list_comments(
    db: Session,
    workspace_id: str,
    filters: CommentFilters,
    before_id: int | None = None,
    limit: int = 50,
) -> CommentPage:
    """Newest first, `limit` at a time (pass next_before_id for the next page)."""
    q = query(db, workspace_id, filters)
    comments = repo.find_comments(db, q, before_id, limit)
    counts = repo.sentiment_counts(db, q)
    return CommentPage(
        items=_reads(db, workspace_id, comments),
        total=sum(counts.values()),
        sentiment_counts=counts,
        next_before_id=comments[-1].id if len(comments) == limit else None,
    )


def of_responses(
    db: Session, workspace_id: str, response_ids: list[str]
) -> dict[str, list[CommentRead]]:
    """Each response's analysed comments (none yet while analysis has not run)."""
    found: dict[str, list[CommentRead]] = {rid: [] for rid in response_ids}
    for read in _reads(db, workspace_id, repo.of_responses(db, workspace_id, response_ids)):
        if read.response_id in found:
            found[read.response_id].append(read)
    return found


def get_comment(db: Session, workspace_id: str, comment_id: int) -> CommentRead:
    comment = repo.get_comment(db, workspace_id, comment_id)
    if comment is None:
        raise NotFound(f"comment {comment_id} does not exist")
    return _reads(db, workspace_id, [comment])[0]


def correct(
    db: Session,
    workspace_id: str,
    comment_id: int,
    change: CommentCorrection,
    user_id: str | None,
) -> CommentRead:
    """Stores a person's sentiment and/or themes for a comment."""
    comment = repo.get_comment(db, workspace_id, comment_id)
    if comment is None:
        raise NotFound(f"comment {comment_id} does not exist")
    if change.sentiment is None and change.themes is None:
        raise Invalid("give a sentiment, themes, or both")
    if change.themes is not None:
        known = {t.key for t in taxonomy(db, workspace_id, "themes").themes}
        unknown = sorted(set(change.themes) - known)
        if unknown:
            raise Invalid(f"themes: unknown theme key(s): {', '.join(unknown)}")
        repo.drop_themes(db, [comment.id], ["themes"])
        sentiment = change.sentiment or comment.corrected_sentiment or comment.sentiment
        repo.add_themes(
            db,
            [
                {
                    "comment_id": comment.id,
                    "workspace_id": workspace_id,
                    "taxonomy": "themes",
                    "theme_key": key,
                    "sentiment": sentiment,
                    "score": comment.sentiment_score,
                    "source": "person",
                    "occurred_at": comment.occurred_at,
                    "touchpoint_id": comment.touchpoint_id,
                }
                for key in dict.fromkeys(change.themes)
            ],
        )
        comment.themes_corrected = True
    if change.sentiment is not None:
        comment.corrected_sentiment = change.sentiment
    comment.corrected_by = user_id
    comment.corrected_at = utcnow()
    db.flush()
    return get_comment(db, workspace_id, comment_id)


# --- the workspace's text profile -------------------------------------------------------------


def _profile(db: Session, workspace_id: str) -> TextProfile:
    profile = repo.profile(db, workspace_id)
    if profile is None:
        profile = TextProfile(workspace_id=workspace_id, languages=[], model_corrections=0)
        profile.taxonomy_version = 0
        db.add(profile)
        db.flush()
    return profile


def bump_taxonomy(db: Session, workspace_id: str) -> None:
    """Marks the workspace's themes as changed (its cached analyser is rebuilt)."""
    profile = _profile(db, workspace_id)
    profile.taxonomy_version = (profile.taxonomy_version or 0) + 1
    db.flush()


KNOWN_LANGUAGE = 2  # ISO 639-1 codes


def update_profile(db: Session, workspace_id: str, change: TextProfileUpdate) -> TextProfileRead:
    bad = [code for code in change.languages if len(code) != KNOWN_LANGUAGE or not code.isalpha()]
    if bad:
        raise Invalid(f"languages: not ISO 639-1 codes: {', '.join(bad)}")
    profile = _profile(db, workspace_id)
    profile.languages = sorted({code.lower() for code in change.languages})
    profile.taxonomy_version = (profile.taxonomy_version or 0) + 1
    db.flush()
    return read_profile(db, workspace_id, pending_jobs=0)


def read_profile(db: Session, workspace_id: str, pending_jobs: int) -> TextProfileRead:
    profile = repo.profile(db, workspace_id)
    return TextProfileRead(
        languages=list(profile.languages) if profile else [],
        corrections=repo.count_corrections(db, workspace_id),
        model_corrections=profile.model_corrections if profile else 0,
        trained_at=profile.trained_at if profile else None,
        comments=repo.count_comments(db, workspace_id),
        pending_jobs=pending_jobs,
    )


def store_model(db: Session, workspace_id: str, model: bytes | None, corrections: int) -> None:
    profile = _profile(db, workspace_id)
    profile.model = model
    profile.model_corrections = corrections
    profile.trained_at = utcnow()
    db.flush()


def correction_rows(db: Session, workspace_id: str) -> list[tuple[str, str, str]]:
    """(text, corrected sentiment, language) of every corrected comment."""
    return repo.corrections(db, workspace_id)


def languages_of(db: Session, workspace_id: str) -> Collection[str]:
    profile = repo.profile(db, workspace_id)
    return list(profile.languages) if profile else []


def retrain(db: Session, workspace_id: str) -> int:
    """Retrains the workspace's sentiment model from its corrections; returns how many."""
    rows = correction_rows(db, workspace_id)
    if not rows:
        store_model(db, workspace_id, None, 0)
        return 0
    corrections = [Correction(text, label, language) for text, label, language in rows]
    model = retrain_with_corrections(load_base_model(), corrections)
    store_model(db, workspace_id, model.to_bytes(), len(rows))
    return len(rows)

"""Themes across comments: volume x sentiment, trends, quotes, sentiment by touchpoint,
emerging issues (spikes against each theme's own baseline) and the workspace's theme list."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, timedelta

from sqlalchemy.orm import Session

from cxloop.comments import repository as repo
from cxloop.comments import service
from cxloop.comments.models import ThemeDefinition
from cxloop.comments.schemas import (
    CommentFilters,
    EmergingRead,
    Quote,
    SentimentByTouchpoint,
    ThemeDefinitionIn,
    ThemeDefinitionRead,
    ThemeDetail,
    ThemeOverview,
    ThemeSummary,
    TrendPoint,
)
from cxloop.core.errors import Invalid, NotFound
from cxloop.text.taxonomy import load_taxonomy


def _taxonomy_key(which: str) -> str:
    if which not in service.TAXONOMIES:
        raise Invalid(f"taxonomy: unknown value '{which}'; use themes or pillars")
    return which


def _summary(key: str, name: str, row: tuple[object, ...] | None, comments: int) -> ThemeSummary:
    mentions, positive, negative, mixed, mean = (0, 0, 0, 0, 0.0)
    if row is not None:
        _, mentions, positive, negative, mixed, mean = row  # type: ignore[assignment]
    mentions, positive, negative, mixed = (
        int(v or 0) for v in (mentions, positive, negative, mixed)
    )
    return ThemeSummary(
        key=key,
        name=name,
        mentions=mentions,
        share=round(100.0 * mentions / comments, 2) if comments else 0.0,
        positive=positive,
        negative=negative,
        mixed=mixed,
        neutral=mentions - positive - negative - mixed,
        net_sentiment=round(100.0 * (positive - negative) / mentions, 1) if mentions else 0.0,
        mean_score=round(float(mean or 0.0), 3),
    )


def overview(
    db: Session, workspace_id: str, filters: CommentFilters, which: str = "themes"
) -> ThemeOverview:
    """Every theme of the taxonomy with its volume and sentiment, largest first."""
    which = _taxonomy_key(which)
    q = service.query(db, workspace_id, filters)
    comments = sum(repo.sentiment_counts(db, q).values())
    rows = {str(row[0]): tuple(row) for row in repo.theme_counts(db, q, which)}
    themes = [
        _summary(t.key, t.label("en"), rows.get(t.key), comments)
        for t in service.taxonomy(db, workspace_id, which).themes
    ]
    themes.sort(key=lambda t: (-t.mentions, t.name))
    return ThemeOverview(taxonomy=which, comments=comments, themes=themes)


def _week(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _as_date(value: object) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def detail(
    db: Session, workspace_id: str, key: str, filters: CommentFilters, which: str = "themes"
) -> ThemeDetail:
    """One theme: its summary, weekly trend, representative quotes and frequent key phrases."""
    which = _taxonomy_key(which)
    names = {t.key: t.label("en") for t in service.taxonomy(db, workspace_id, which).themes}
    if key not in names:
        raise NotFound(f"theme '{key}' does not exist")
    q = service.query(db, workspace_id, filters)
    comments = sum(repo.sentiment_counts(db, q).values())
    rows = {str(row[0]): tuple(row) for row in repo.theme_counts(db, q, which)}
    day = repo.day_of(db)
    weekly: dict[date, list[int]] = defaultdict(lambda: [0, 0, 0])
    for row in repo.theme_period_counts(db, q, which, day):
        theme, _tp, period, mentions, negative = tuple(row)
        if theme == key:
            cell = weekly[_week(_as_date(period))]
            cell[0] += int(mentions)
            cell[1] += int(negative or 0)
    for (_tp, period), n in repo.comment_period_counts(db, q, day).items():
        weekly[_week(_as_date(period))][2] += n
    trend = [
        TrendPoint(period=week, mentions=m, negative=neg, comments=c)
        for week, (m, neg, c) in sorted(weekly.items())
    ]
    found = repo.quotes(db, q, which, key, 40)
    phrases = Counter(p for comment in found for p in comment.key_phrases or [])
    quotes = [
        Quote(
            comment_id=c.id,
            text=c.text,
            sentiment=c.corrected_sentiment or c.sentiment,
            language=c.language,
            occurred_at=c.occurred_at,
        )
        for c in found[:6]
    ]
    return ThemeDetail(
        summary=_summary(key, names[key], rows.get(key), comments),
        trend=trend,
        quotes=quotes,
        key_phrases=[p for p, _ in phrases.most_common(10)],
    )


def sentiment_by_touchpoint(
    db: Session, workspace_id: str, filters: CommentFilters
) -> list[SentimentByTouchpoint]:
    q = service.query(db, workspace_id, filters)
    names = repo.touchpoint_names(db, workspace_id)
    table: dict[str | None, Counter[str]] = defaultdict(Counter)
    for touchpoint, label, n in repo.sentiment_by_touchpoint(db, q):
        table[touchpoint][label] += n
    rows = []
    for touchpoint, counts in table.items():
        total = sum(counts.values())
        rows.append(
            SentimentByTouchpoint(
                touchpoint_id=touchpoint,
                touchpoint_name=names.get(touchpoint or "", "(no touchpoint)"),
                positive=counts["positive"],
                neutral=counts["neutral"],
                negative=counts["negative"],
                mixed=counts["mixed"],
                total=total,
                net_sentiment=round(100.0 * (counts["positive"] - counts["negative"]) / total, 1),
            )
        )
    rows.sort(key=lambda r: (-r.total, r.touchpoint_name))
    return rows


def emerging(
    db: Session, workspace_id: str, filters: CommentFilters, baseline_weeks: int = 8
) -> list[EmergingRead]:
    """Themes whose volume or negativity at a touchpoint spiked in the latest week."""
    from cxloop.text.emerging import ThemePeriodCount, detect_emerging

    q = service.query(db, workspace_id, filters)
    day = repo.day_of(db)
    mentions: dict[tuple[str, str | None, date], list[int]] = defaultdict(lambda: [0, 0])
    for row in repo.theme_period_counts(db, q, "themes", day):
        theme, tp, period, n, negative = tuple(row)
        cell = mentions[(str(theme), tp, _week(_as_date(period)))]
        cell[0] += int(n)
        cell[1] += int(negative or 0)
    totals: Counter[tuple[str | None, date]] = Counter()
    for (tp, period), n in repo.comment_period_counts(db, q, day).items():
        totals[(tp, _week(_as_date(period)))] += n
    series = [
        ThemePeriodCount(
            key=theme,
            touchpoint=tp,
            period=week,
            mentions=counts[0],
            negative=counts[1],
            total=totals[(tp, week)],
        )
        for (theme, tp, week), counts in sorted(mentions.items(), key=lambda i: i[0][2])
    ]
    names = {t.key: t.label("en") for t in service.taxonomy(db, workspace_id, "themes").themes}
    touchpoints = repo.touchpoint_names(db, workspace_id)
    found = detect_emerging(series, baseline_periods=baseline_weeks)
    return [
        EmergingRead(
            theme=issue.key,
            theme_name=names.get(issue.key, issue.key),
            touchpoint_id=issue.touchpoint,
            touchpoint_name=touchpoints.get(issue.touchpoint or ""),
            period=issue.period,
            metric=issue.metric,
            current=issue.current,
            baseline=issue.baseline,
            lift=issue.lift,
            p_value=issue.p_value,
            mentions=issue.mentions,
        )
        for issue in found
        if issue.significant
    ]


# --- the workspace's themes -------------------------------------------------------------------


def definitions(db: Session, workspace_id: str, which: str = "themes") -> list[ThemeDefinitionRead]:
    """Built-in themes (as the workspace edited them) and the workspace's own."""
    which = _taxonomy_key(which)
    built_in = {t.key: t for t in load_taxonomy(service.TAXONOMIES[which]).themes}
    own = {d.key: d for d in repo.definitions(db, workspace_id) if d.taxonomy == which}
    result = []
    for key in [*built_in, *(k for k in own if k not in built_in)]:
        if key in own:
            d = own[key]
            data = ThemeDefinitionIn(
                key=d.key,
                taxonomy=which,
                name=d.name,
                description=d.description,
                keywords=d.keywords,
                examples=d.examples,
                enabled=d.enabled,
            )
        else:
            data = ThemeDefinitionIn.model_validate({**built_in[key].to_dict(), "taxonomy": which})
        result.append(
            ThemeDefinitionRead(
                **data.model_dump(), built_in=key in built_in, customised=key in own
            )
        )
    return result


def save_definition(db: Session, workspace_id: str, data: ThemeDefinitionIn) -> ThemeDefinitionRead:
    """Adds a workspace theme, or stores the workspace's edited copy of a built-in one."""
    if not data.enabled and data.key == "other":
        raise Invalid("enabled: the fallback theme 'other' cannot be switched off")
    for language, words in data.keywords.items():
        if any(not w.strip() for w in words):
            raise Invalid(f"keywords.{language}: keywords must not be empty")
    row = repo.definition(db, workspace_id, data.taxonomy, data.key)
    if row is None:
        row = ThemeDefinition(workspace_id=workspace_id, taxonomy=data.taxonomy, key=data.key)
        db.add(row)
    row.name = data.name or {"en": data.key.replace("_", " ").capitalize()}
    row.description = data.description
    row.keywords = data.keywords
    row.examples = data.examples
    row.enabled = data.enabled
    db.flush()
    service.bump_taxonomy(db, workspace_id)
    return next(d for d in definitions(db, workspace_id, data.taxonomy) if d.key == data.key)


def reset_definition(db: Session, workspace_id: str, which: str, key: str) -> None:
    """Deletes the workspace's own theme, or its changes to a built-in one."""
    row = repo.definition(db, workspace_id, _taxonomy_key(which), key)
    if row is None:
        raise NotFound(f"theme '{key}' has no workspace definition")
    db.delete(row)
    db.flush()
    service.bump_taxonomy(db, workspace_id)

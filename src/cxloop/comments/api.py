"""REST API of comments: the explorer, corrections, themes, trends, emerging issues,
theme discovery and the workspace's text settings."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query

from cxloop.comments import discovery, insights, service, tasks
from cxloop.comments.schemas import (
    CommentCorrection,
    CommentFilters,
    CommentPage,
    CommentRead,
    EmergingRead,
    SentimentByTouchpoint,
    SentimentLabel,
    SuggestionAccept,
    SuggestionRead,
    TextProfileRead,
    TextProfileUpdate,
    ThemeDefinitionIn,
    ThemeDefinitionRead,
    ThemeDetail,
    ThemeOverview,
)
from cxloop.core.deps import ApiAdmin, ApiAnalyst, ApiViewer, DbSession
from cxloop.jobs import service as jobs
from cxloop.jobs.schemas import JobRead

router = APIRouter(tags=["comments"])
Taxonomy = Literal["themes", "pillars"]


def comment_filters(
    theme: Annotated[str | None, Query(max_length=64)] = None,
    sentiment: SentimentLabel | None = None,
    language: Annotated[str | None, Query(max_length=16)] = None,
    touchpoint_id: Annotated[str | None, Query(max_length=32)] = None,
    channel: Annotated[str | None, Query(max_length=32)] = None,
    source: Annotated[str | None, Query(max_length=32, description="survey, review, chat…")] = None,
    date_from: Annotated[
        date | None, Query(alias="from", description="First day (workspace time zone).")
    ] = None,
    date_to: Annotated[date | None, Query(alias="to", description="Last day, included.")] = None,
    q: Annotated[str | None, Query(max_length=200, description="Words to find.")] = None,
    attribute: Annotated[
        str | None, Query(max_length=200, description="Contact attribute key=value.")
    ] = None,
    segment_id: Annotated[str | None, Query(max_length=32)] = None,
) -> CommentFilters:
    return CommentFilters(
        theme=theme,
        sentiment=sentiment,
        language=language,
        touchpoint_id=touchpoint_id,
        channel=channel,
        source=source,
        date_from=date_from,
        date_to=date_to,
        q=q,
        attribute=attribute,
        segment_id=segment_id,
    )


Filters = Annotated[CommentFilters, Depends(comment_filters)]


@router.get("/comments", response_model=CommentPage)
def list_comments(
    caller: ApiViewer,
    db: DbSession,
    filters: Filters,
    before_id: Annotated[int | None, Query(ge=1, description="From next_before_id.")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> CommentPage:
    """Analysed comments, newest first, with the filters' sentiment counts."""
    return service.list_comments(db, caller.workspace_id, filters, before_id, limit)


@router.get("/comments/{comment_id}", response_model=CommentRead)
def read_comment(comment_id: int, caller: ApiViewer, db: DbSession) -> CommentRead:
    return service.get_comment(db, caller.workspace_id, comment_id)


@router.patch("/comments/{comment_id}", response_model=CommentRead)
def correct_comment(
    comment_id: int, change: CommentCorrection, caller: ApiAnalyst, db: DbSession
) -> CommentRead:
    """A person's sentiment and/or themes; kept when comments are analysed again."""
    result = service.correct(db, caller.workspace_id, comment_id, change, caller.user_id)
    db.commit()
    return result


@router.get("/themes", response_model=ThemeOverview)
def theme_overview(
    caller: ApiViewer, db: DbSession, filters: Filters, taxonomy: Taxonomy = "themes"
) -> ThemeOverview:
    """Every theme's volume, share of comments and sentiment."""
    return insights.overview(db, caller.workspace_id, filters, taxonomy)


@router.get("/themes/{key}", response_model=ThemeDetail)
def theme_detail(
    key: str, caller: ApiViewer, db: DbSession, filters: Filters, taxonomy: Taxonomy = "themes"
) -> ThemeDetail:
    """One theme: weekly trend, quotes and key phrases."""
    return insights.detail(db, caller.workspace_id, key, filters, taxonomy)


@router.get("/text/sentiment-by-touchpoint", response_model=list[SentimentByTouchpoint])
def sentiment_by_touchpoint(
    caller: ApiViewer, db: DbSession, filters: Filters
) -> list[SentimentByTouchpoint]:
    return insights.sentiment_by_touchpoint(db, caller.workspace_id, filters)


@router.get("/text/emerging", response_model=list[EmergingRead])
def emerging_issues(
    caller: ApiViewer,
    db: DbSession,
    filters: Filters,
    baseline_weeks: Annotated[int, Query(ge=2, le=52)] = 8,
) -> list[EmergingRead]:
    """Theme x touchpoint volume or negativity spikes in the latest week (significant at 5%)."""
    return insights.emerging(db, caller.workspace_id, filters, baseline_weeks)


@router.get("/theme-definitions", response_model=list[ThemeDefinitionRead])
def list_definitions(
    caller: ApiViewer, db: DbSession, taxonomy: Taxonomy = "themes"
) -> list[ThemeDefinitionRead]:
    return insights.definitions(db, caller.workspace_id, taxonomy)


@router.put("/theme-definitions", response_model=ThemeDefinitionRead)
def save_definition(
    data: ThemeDefinitionIn, caller: ApiAnalyst, db: DbSession
) -> ThemeDefinitionRead:
    """Adds a theme or changes one (built-in themes keep their key; the change is the
    workspace's). Then re-analyse for past comments to follow."""
    result = insights.save_definition(db, caller.workspace_id, data)
    db.commit()
    return result


@router.delete("/theme-definitions/{taxonomy}/{key}", status_code=204)
def reset_definition(taxonomy: Taxonomy, key: str, caller: ApiAnalyst, db: DbSession) -> None:
    insights.reset_definition(db, caller.workspace_id, taxonomy, key)
    db.commit()


@router.get("/theme-suggestions", response_model=list[SuggestionRead])
def list_suggestions(
    caller: ApiViewer, db: DbSession, status: str | None = "proposed"
) -> list[SuggestionRead]:
    return discovery.suggestions(db, caller.workspace_id, status)


@router.post("/theme-suggestions/{suggestion_id}/accept", response_model=SuggestionRead)
def accept_suggestion(
    suggestion_id: str, data: SuggestionAccept, caller: ApiAnalyst, db: DbSession
) -> SuggestionRead:
    result = discovery.accept(db, caller.workspace_id, suggestion_id, data)
    db.commit()
    return result


@router.post("/theme-suggestions/{suggestion_id}/discard", response_model=SuggestionRead)
def discard_suggestion(suggestion_id: str, caller: ApiAnalyst, db: DbSession) -> SuggestionRead:
    result = discovery.dismiss(db, caller.workspace_id, suggestion_id)
    db.commit()
    return result


def _queue(db: DbSession, kind: str, workspace_id: str) -> JobRead:
    job_id = jobs.enqueue(db, kind, {}, workspace_id=workspace_id)
    db.commit()
    assert job_id is not None
    return jobs.get_job(db, workspace_id, job_id)


@router.post("/text/discover", response_model=JobRead, status_code=202)
def start_discovery(caller: ApiAnalyst, db: DbSession) -> JobRead:
    """Proposes new themes from comments no theme covers (a background job)."""
    return _queue(db, tasks.DISCOVER, caller.workspace_id)


@router.post("/text/analyze", response_model=JobRead, status_code=202)
def start_reanalysis(caller: ApiAdmin, db: DbSession) -> JobRead:
    """Analyses every comment again (a background job); corrections are kept."""
    return _queue(db, tasks.REANALYSE, caller.workspace_id)


@router.post("/text/retrain", response_model=JobRead, status_code=202)
def start_retraining(caller: ApiAnalyst, db: DbSession) -> JobRead:
    """Retrains the workspace's sentiment model from corrections, then re-analyses."""
    return _queue(db, tasks.RETRAIN, caller.workspace_id)


@router.get("/text/profile", response_model=TextProfileRead)
def read_profile(caller: ApiViewer, db: DbSession) -> TextProfileRead:
    pending = jobs.counts(db, caller.workspace_id)
    return service.read_profile(db, caller.workspace_id, pending.get("queued", 0))


@router.put("/text/profile", response_model=TextProfileRead)
def update_profile(change: TextProfileUpdate, caller: ApiAdmin, db: DbSession) -> TextProfileRead:
    """The languages the workspace expects; detection chooses among them."""
    result = service.update_profile(db, caller.workspace_id, change)
    db.commit()
    return result

"""Comment shapes: analysis results, filters, corrections, themes, suggestions, spikes."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

SentimentLabel = Literal["positive", "neutral", "negative", "mixed"]


class ThemeMentionRead(BaseModel):
    key: str
    name: str
    taxonomy: str
    sentiment: str
    score: float
    source: str


class CommentRead(BaseModel):
    id: int
    text: str
    source: str
    occurred_at: datetime
    language: str
    sentiment: str = Field(description="The person's label when corrected, else the machine's.")
    machine_sentiment: str
    sentiment_score: float
    corrected: bool
    key_phrases: list[str]
    themes: list[ThemeMentionRead]
    pillars: list[ThemeMentionRead]
    touchpoint_id: str | None
    touchpoint_name: str | None
    channel: str | None
    response_id: str | None
    contact_id: str | None


class CommentPage(BaseModel):
    items: list[CommentRead]
    total: int
    sentiment_counts: dict[str, int]
    next_before_id: int | None


class CommentFilters(BaseModel):
    theme: str | None = None
    sentiment: SentimentLabel | None = None
    language: str | None = None
    touchpoint_id: str | None = None
    channel: str | None = None
    source: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    q: str | None = Field(None, max_length=200, description="Words the comment contains.")
    attribute: str | None = Field(
        None, description="Contact attribute filter as key=value (e.g. plan=pro)."
    )
    segment_id: str | None = Field(None, description="Only comments of the segment's contacts.")


class CommentCorrection(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sentiment: SentimentLabel | None = None
    themes: list[str] | None = Field(
        None, description="Theme keys that replace the machine's themes (empty list: none)."
    )


class ThemeSummary(BaseModel):
    key: str
    name: str
    mentions: int
    share: float = Field(description="% of the filtered comments that mention the theme.")
    positive: int
    negative: int
    mixed: int
    neutral: int
    net_sentiment: float = Field(description="(positive - negative) / mentions x 100.")
    mean_score: float


class Quote(BaseModel):
    comment_id: int
    text: str
    sentiment: str
    language: str
    occurred_at: datetime


class ThemeOverview(BaseModel):
    taxonomy: str
    comments: int
    themes: list[ThemeSummary]


class TrendPoint(BaseModel):
    period: date
    mentions: int
    negative: int
    comments: int


class ThemeDetail(BaseModel):
    summary: ThemeSummary
    trend: list[TrendPoint]
    quotes: list[Quote]
    key_phrases: list[str]


class ThemeDefinitionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: str = Field(min_length=1, max_length=64, pattern=r"^[a-z0-9_]+$")
    taxonomy: Literal["themes", "pillars"] = "themes"
    name: dict[str, str] = Field(default_factory=dict, description="Name per language.")
    description: str = ""
    keywords: dict[str, list[str]] = Field(default_factory=dict)
    examples: dict[str, list[str]] = Field(default_factory=dict)
    enabled: bool = True


class ThemeDefinitionRead(ThemeDefinitionIn):
    built_in: bool = Field(description="Whether the theme comes with cxloop.")
    customised: bool = Field(description="Whether the workspace changed or added it.")


class SuggestionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    label: str
    language: str
    keywords: list[str]
    quotes: list[dict[str, object]]
    size: int
    status: str
    theme_key: str | None
    created_at: datetime


class SuggestionAccept(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: str = Field(min_length=1, max_length=64, pattern=r"^[a-z0-9_]+$")
    name: str | None = Field(None, max_length=200)


class EmergingRead(BaseModel):
    theme: str
    theme_name: str
    touchpoint_id: str | None
    touchpoint_name: str | None
    period: date
    metric: str
    current: float
    baseline: float
    lift: float
    p_value: float
    mentions: int


class TextProfileRead(BaseModel):
    languages: list[str]
    corrections: int
    model_corrections: int
    trained_at: datetime | None
    comments: int
    pending_jobs: int


class TextProfileUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    languages: list[str] = Field(description="Languages the workspace expects (ISO 639-1).")


class SentimentByTouchpoint(BaseModel):
    touchpoint_id: str | None
    touchpoint_name: str
    positive: int
    neutral: int
    negative: int
    mixed: int
    total: int
    net_sentiment: float

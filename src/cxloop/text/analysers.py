"""The one interface every comment analyser implements, and how one is chosen.

The analyser is named by a dotted path (`package.module:Class`), from the argument, else the
`CXLOOP_TEXT_ANALYSER` environment variable, else cxloop's default
(`cxloop.text.pipeline:DefaultAnalyser`), so a bigger model can replace the default without
touching the callers.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from cxloop.core.errors import Invalid

DEFAULT_ANALYSER = "cxloop.text.pipeline:DefaultAnalyser"
SETTING = "CXLOOP_TEXT_ANALYSER"
SENTIMENTS = ("positive", "neutral", "negative", "mixed")


@dataclass
class ThemeMention:
    """A theme a comment mentions, with the sentiment of the part that mentions it."""

    key: str
    sentiment: str  # positive | neutral | negative | mixed
    score: float  # -1 (negative) .. 1 (positive)


@dataclass
class CommentAnalysis:
    text: str  # the cleaned text that was analysed
    language: str  # ISO 639-1 code, or "und"
    language_confidence: float
    sentiment: str  # positive | neutral | negative | mixed
    sentiment_score: float  # -1 .. 1
    themes: list[ThemeMention] = field(default_factory=list)
    pillars: list[ThemeMention] = field(default_factory=list)
    key_phrases: list[str] = field(default_factory=list)

    @property
    def theme_keys(self) -> list[str]:
        return [theme.key for theme in self.themes]


@runtime_checkable
class Analyser(Protocol):
    """Analyses a batch of comments; `languages` are the languages a workspace expects."""

    def analyse(
        self, texts: Sequence[str], *, languages: Collection[str] | None = None
    ) -> list[CommentAnalysis]: ...


def load_analyser(path: str | None = None, **options: Any) -> Analyser:
    """The analyser a dotted path names (default: setting, else cxloop's own)."""
    target = path or os.environ.get(SETTING) or DEFAULT_ANALYSER
    module_name, _, attribute = target.partition(":")
    if not attribute:
        module_name, _, attribute = target.rpartition(".")
    try:
        factory = getattr(importlib.import_module(module_name), attribute)
    except (ImportError, AttributeError, ValueError) as exc:
        raise Invalid(f"{SETTING}: cannot load analyser '{target}' ({exc})") from exc
    analyser = factory(**options)
    if not isinstance(analyser, Analyser):
        raise Invalid(f"{SETTING}: '{target}' does not have an analyse(texts, languages=) method")
    return analyser

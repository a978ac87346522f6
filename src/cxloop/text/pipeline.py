"""cxloop's default comment analyser: language, sentiment, themes, pillars and key phrases,
offline and fast (thousands of comments a second on two cores)."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from cxloop.text.analysers import CommentAnalysis, ThemeMention
from cxloop.text.language import UNDETERMINED, LanguageDetector
from cxloop.text.linear import LinearModel
from cxloop.text.normalise import clean, has_letters
from cxloop.text.phrases import key_phrases
from cxloop.text.sentiment import Sentiment, SentimentAnalyser
from cxloop.text.taxonomy import Taxonomy, load_taxonomy
from cxloop.text.themes import ThemeMatcher

BATCH = 512


class DefaultAnalyser:
    """Analyses comments with the shipped models; themes from `taxonomy` (default CX themes,
    or a workspace's own) and `pillars` (the six CX pillars)."""

    def __init__(
        self,
        taxonomy: Taxonomy | None = None,
        pillars: Taxonomy | None = None,
        sentiment_model: LinearModel | None = None,
        phrases: bool = True,
    ) -> None:
        self.themes = ThemeMatcher(taxonomy or load_taxonomy("cx_themes"))
        self.pillars = ThemeMatcher(pillars or load_taxonomy("cx_pillars"))
        self.sentiment = SentimentAnalyser(sentiment_model)
        self.phrases = phrases
        self._detectors: dict[frozenset[str], LanguageDetector] = {}

    def detector(self, languages: Collection[str] | None) -> LanguageDetector:
        key = frozenset(languages or ())
        if key not in self._detectors:
            self._detectors[key] = LanguageDetector(key)
        return self._detectors[key]

    def analyse(
        self, texts: Sequence[str], *, languages: Collection[str] | None = None
    ) -> list[CommentAnalysis]:
        results: list[CommentAnalysis] = []
        for start in range(0, len(texts), BATCH):
            results.extend(self._batch(texts[start : start + BATCH], languages))
        return results

    def _batch(
        self, texts: Sequence[str], languages: Collection[str] | None
    ) -> list[CommentAnalysis]:
        cleaned = [clean(text) for text in texts]
        detected = self.detector(languages).detect_many(cleaned)
        codes = [code for code, _ in detected]
        sentiments = self.sentiment.analyse(cleaned, codes)
        results = []
        for text, (code, confidence), sentiment in zip(cleaned, detected, sentiments, strict=True):
            results.append(self._comment(text, code, confidence, sentiment))
        return results

    def _comment(
        self, text: str, language: str, confidence: float, sentiment: Sentiment
    ) -> CommentAnalysis:
        if not has_letters(text) or not sentiment.clauses:
            return CommentAnalysis(text, UNDETERMINED, 0.0, "neutral", 0.0)
        clauses = [clause.tokens for clause in sentiment.clauses]
        return CommentAnalysis(
            text=text,
            language=language,
            language_confidence=confidence,
            sentiment=sentiment.label,
            sentiment_score=sentiment.score,
            themes=_mentions(self.themes.match(clauses, language), sentiment),
            pillars=_mentions(self.pillars.match(clauses, language), sentiment),
            key_phrases=key_phrases(clauses, language) if self.phrases else [],
        )


def _mentions(found: dict[str, list[int]], sentiment: Sentiment) -> list[ThemeMention]:
    mentions = []
    for key, indexes in found.items():
        if len(sentiment.clauses) == 1 or len(indexes) == len(sentiment.clauses):
            label, score = sentiment.label, sentiment.score
        else:
            labels = {sentiment.clauses[i].label for i in indexes}
            score = sum(sentiment.clauses[i].score for i in indexes) / len(indexes)
            if {"positive", "negative"} <= labels:
                label = "mixed"
            elif labels - {"neutral"}:
                label = next(iter(labels - {"neutral"}))
            elif sentiment.label != "mixed":
                label, score = sentiment.label, sentiment.score  # the comment's view applies
            else:
                label = "neutral"
        mentions.append(ThemeMention(key, label, round(score, 4)))
    return mentions

"""Comment and clause sentiment: positive, neutral, negative or mixed, with a score in [-1, 1].

A comment is mixed when one of its clauses is clearly positive and another clearly negative
while the comment as a whole is not one-sided ("fast delivery but rude staff").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

import numpy as np

from cxloop.text.features import DENSE_FEATURES, ClauseFeatures, clause_features, dense_values
from cxloop.text.lexicon import LexiconScore
from cxloop.text.linear import LinearModel, Unit, softmax

LABELS = {"pos": "positive", "neu": "neutral", "neg": "negative"}
CLAUSE_CONFIDENCE = 0.65
"""A clause counts as clearly positive or negative at this probability."""
MIXED_MARGIN = 0.5
"""A comment whose score (P(positive) - P(negative)) is further from 0 is never mixed."""
BASE_MODEL = "sentiment.npz"


@dataclass
class ClauseSentiment:
    tokens: list[str]
    label: str
    score: float


@dataclass
class Sentiment:
    label: str  # positive | neutral | negative | mixed
    score: float  # P(positive) - P(negative)
    probabilities: dict[str, float]
    clauses: list[ClauseSentiment] = field(default_factory=list)


def dense_inputs(score: LexiconScore, language: str, trained: bool) -> list[tuple[str, float]]:
    """Lexicon inputs and biases: shared by all languages (what carries over to a language
    without training data) and, for a trained language, its own copy."""
    dense = dense_values(score)
    values = list(zip(DENSE_FEATURES, dense, strict=True))
    values.append(("~bias", 1.0))
    if trained:
        suffix = "@" + language
        values.extend(
            (name + suffix, value) for name, value in zip(DENSE_FEATURES, dense, strict=True)
        )
        values.append(("~lang:" + language, 1.0))
    return values


def comment_unit(clauses: list[ClauseFeatures], language: str, trained: bool) -> Unit:
    names = [name for clause in clauses for name in clause.names]
    total = sum((clause.lexicon for clause in clauses), LexiconScore())
    return names, dense_inputs(total, language, trained)


def training_unit(text: str, language: str, model: LinearModel) -> Unit:
    """The comment-level row of a text, as the model sees it."""
    trained = language in model.trained_languages
    clauses = clause_features(text, language, lexicon_only=not trained)
    return comment_unit(clauses, language, trained)


@cache
def load_base_model() -> LinearModel:
    """The shipped multilingual sentiment model (src/cxloop/text/models/sentiment.npz)."""
    raw = resources.files("cxloop.text").joinpath("models", BASE_MODEL).read_bytes()
    return LinearModel.load(raw)


class SentimentAnalyser:
    """Sentiment of comments with one linear model; clause scores come from the same pass."""

    def __init__(self, model: LinearModel | None = None) -> None:
        self.model = model or load_base_model()
        self._pos = self.model.classes.index("pos")
        self._neg = self.model.classes.index("neg")

    def analyse(self, texts: Sequence[str], languages: Sequence[str]) -> list[Sentiment]:
        trained = self.model.trained_languages
        units: list[Unit] = []
        spans: list[tuple[int, int]] = []
        clause_tokens: list[list[list[str]]] = []
        for text, language in zip(texts, languages, strict=True):
            is_trained = language in trained
            clauses = clause_features(text, language, lexicon_only=not is_trained)
            start = len(units)
            units.append(comment_unit(clauses, language, is_trained))
            if len(clauses) > 1:
                units.extend(comment_unit([c], language, is_trained) for c in clauses)
            spans.append((start, len(units)))
            clause_tokens.append([c.tokens for c in clauses])
        probabilities = softmax(self.model.logits(units))
        return [
            self._result(probabilities[start:end], tokens)
            for (start, end), tokens in zip(spans, clause_tokens, strict=True)
        ]

    def _result(self, rows: np.ndarray, tokens: list[list[str]]) -> Sentiment:
        comment = rows[0]
        label = LABELS[self.model.classes[int(comment.argmax())]]
        score = self._score(comment)
        clauses: list[ClauseSentiment] = []
        if len(rows) == 1 and tokens:
            clauses = [ClauseSentiment(tokens[0], label, score)]
        for row, words in zip(rows[1:], tokens, strict=False):
            clauses.append(ClauseSentiment(words, self._clause_label(row), self._score(row)))
        if len(rows) > 1 and abs(score) < MIXED_MARGIN:
            clear_positive = any(row[self._pos] >= CLAUSE_CONFIDENCE for row in rows[1:])
            clear_negative = any(row[self._neg] >= CLAUSE_CONFIDENCE for row in rows[1:])
            if clear_positive and clear_negative:
                label = "mixed"
        probabilities = {
            LABELS[name]: float(comment[i]) for i, name in enumerate(self.model.classes)
        }
        return Sentiment(label, round(score, 4), probabilities, clauses)

    def _score(self, row: np.ndarray) -> float:
        return float(row[self._pos] - row[self._neg])

    def _clause_label(self, row: np.ndarray) -> str:
        best = int(row.argmax())
        if row[best] < 0.5:
            return "neutral"
        return LABELS[self.model.classes[best]]

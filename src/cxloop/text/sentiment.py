"""Comment and clause sentiment: positive, neutral, negative or mixed, with a score in [-1, 1].

A comment is mixed when one of its clauses is clearly positive and another clearly negative
while the comment as a whole is not one-sided ("fast delivery but rude staff").
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

from cxloop.text.features import (
    ClauseFeatures,
    clause_features,
    clauses_of,
    dense_names,
    dense_values,
    language_prefix,
)
from cxloop.text.lexicon import LexiconScore, score_clause
from cxloop.text.linear import LinearModel, Unit, softmax
from cxloop.text.scoring import FastScorer

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
    """Lexicon inputs and bias: a trained language's own, else the shared ones (learnt from all
    training languages: what carries over to a language without training data)."""
    names = dense_names(language if trained else None)
    return list(zip(names, [*dense_values(score), 1.0], strict=True))


def comment_unit(clauses: list[ClauseFeatures], language: str, trained: bool) -> Unit:
    """The model row of some clauses (a comment, or one clause of it)."""
    prefix = language_prefix(language)
    names = [prefix + name for clause in clauses for name in clause.names] if trained else []
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
    model = LinearModel.load(raw)
    model.info["base"] = hashlib.sha256(raw).hexdigest()[:16]  # workspace models record it
    return model


class SentimentAnalyser:
    """Sentiment of comments with one linear model; clause scores come from the same pass."""

    def __init__(self, model: LinearModel | None = None) -> None:
        self.model = model or load_base_model()
        self.scorer = FastScorer(self.model)
        self._pos = self.model.classes.index("pos")
        self._neg = self.model.classes.index("neg")

    def analyse(self, texts: Sequence[str], languages: Sequence[str]) -> list[Sentiment]:
        comments = []
        lexicons = []
        for text, language in zip(texts, languages, strict=True):
            clauses, lexicon = clauses_of(text, language)
            comments.append((clauses, [score_clause(clause, lexicon) for clause in clauses]))
            lexicons.append(lexicon)
        logits, spans = self.scorer.logits(comments, languages, lexicons)
        probabilities = softmax(logits)
        best = probabilities.argmax(axis=1)
        rows = _Rows(
            labels=[
                LABELS[self.model.classes[int(i)]] if p >= 0.5 else "neutral"
                for i, p in zip(best.tolist(), probabilities.max(axis=1).tolist(), strict=True)
            ],
            top=[LABELS[self.model.classes[int(i)]] for i in best.tolist()],
            scores=(probabilities[:, self._pos] - probabilities[:, self._neg]).tolist(),
            positive=(probabilities[:, self._pos] >= CLAUSE_CONFIDENCE).tolist(),
            negative=(probabilities[:, self._neg] >= CLAUSE_CONFIDENCE).tolist(),
            probabilities=probabilities.tolist(),
        )
        return [
            self._result(rows, start, end, clauses)
            for (start, end), (clauses, _) in zip(spans, comments, strict=True)
        ]

    def _result(self, rows: _Rows, start: int, end: int, tokens: list[list[str]]) -> Sentiment:
        label = rows.top[start]
        score = rows.scores[start]
        clauses: list[ClauseSentiment] = []
        if end - start == 1 and tokens:
            clauses = [ClauseSentiment(tokens[0], label, score)]
        for row, words in zip(range(start + 1, end), tokens, strict=False):
            clauses.append(ClauseSentiment(words, rows.labels[row], rows.scores[row]))
        if end - start > 1 and abs(score) < MIXED_MARGIN:
            parts = range(start + 1, end)
            if any(rows.positive[i] for i in parts) and any(rows.negative[i] for i in parts):
                label = "mixed"
        probabilities = {
            LABELS[name]: value
            for name, value in zip(self.model.classes, rows.probabilities[start], strict=True)
        }
        return Sentiment(label, round(score, 4), probabilities, clauses)


@dataclass
class _Rows:
    """Per-row results of one batch as Python lists (fast to index)."""

    labels: list[str]  # clause label (neutral below 0.5)
    top: list[str]  # most probable class
    scores: list[float]  # P(positive) - P(negative)
    positive: list[bool]  # clearly positive
    negative: list[bool]  # clearly negative
    probabilities: list[list[float]]

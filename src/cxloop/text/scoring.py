"""Fast inference for the linear sentiment model: feature indices straight from tokens.

It computes exactly what `LinearModel.logits(units)` gives for the rows the sentiment analyser
builds (a comment, and each of its clauses when it has several), without building feature
name strings or a sparse matrix: a word's indices are cached per language, a clause's weights
are summed with numpy, and a comment's sparse sum is the sum of its clauses' sums.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from cxloop.text.features import (
    DENSE_SCALE,
    dense_names,
    language_prefix,
    negation_marks,
    token_names,
)
from cxloop.text.lexicon import Lexicon, LexiconScore
from cxloop.text.linear import LinearModel

_CACHE_LIMIT = 400_000


class FastScorer:
    """Logits of comments and their clauses under one model."""

    def __init__(self, model: LinearModel) -> None:
        self.model = model
        self.vocabulary = model.vocabulary
        self.weights = np.asarray(model.weights, np.float64)
        self.trained = model.trained_languages
        self._tokens: dict[tuple[str, str, bool], tuple[str, tuple[int, ...], int]] = {}
        self._dense: dict[str, NDArray[np.float64]] = {}

    def dense_weights(self, language: str) -> NDArray[np.float64]:
        """The 5 x classes weights of a language's lexicon inputs and bias."""
        matrix = self._dense.get(language)
        if matrix is None:
            names = dense_names(language if language in self.trained else None)
            matrix = np.zeros((len(names), self.weights.shape[1]))
            for row, name in enumerate(names):
                index = self.vocabulary.get(name)
                if index is not None:
                    matrix[row] = self.weights[index]
            self._dense[language] = matrix
        return matrix

    def _token(self, prefix: str, token: str, scoped: bool) -> tuple[str, tuple[int, ...], int]:
        """(plain form, known indices, number of names) of one word, cached."""
        key = (prefix, token, scoped)
        found = self._tokens.get(key)
        if found is None:
            plain, names = token_names(token, scoped)
            get = self.vocabulary.get
            indices = tuple(i for i in (get(prefix + name) for name in names) if i is not None)
            if len(self._tokens) > _CACHE_LIMIT:
                self._tokens.clear()
            found = self._tokens[key] = (plain, indices, len(names))
        return found

    def _clause(
        self, tokens: list[str], prefix: str, lexicon: Lexicon | None
    ) -> tuple[list[int], int]:
        """Known feature indices of a clause and its number of names (known or not)."""
        get = self.vocabulary.get
        indices: list[int] = []
        # bigrams (with the closing one) and trigrams (from the second word, and the closing one)
        count = 2 * len(tokens) + 1 if tokens else 1
        before, previous = "", "<s>"
        bigram = prefix + "\x02"
        trigram = prefix + "\x03"
        for token, scoped in zip(tokens, negation_marks(tokens, lexicon), strict=True):
            plain, own, size = self._token(prefix, token, scoped)
            indices.extend(own)
            count += size
            pair = previous + " " + plain
            index = get(bigram + pair)
            if index is not None:
                indices.append(index)
            if before:
                index = get(trigram + before + pair)
                if index is not None:
                    indices.append(index)
            before, previous = previous + " ", plain
        pair = previous + " </s>"
        index = get(bigram + pair)
        if index is not None:
            indices.append(index)
        if before:
            index = get(trigram + before + pair)
            if index is not None:
                indices.append(index)
        return indices, count

    def logits(
        self,
        comments: Sequence[tuple[list[list[str]], list[LexiconScore]]],
        languages: Sequence[str],
        lexicons: Sequence[Lexicon | None],
    ) -> tuple[NDArray[np.float64], list[tuple[int, int]]]:
        """Logits of each comment's row and, when it has several clauses, its clause rows; and
        each comment's span of rows."""
        flat: list[int] = []
        segment: list[int] = []
        counts: list[int] = []
        clause_of_row: list[tuple[int, int]] = []  # (first clause, clause count) per row
        dense: list[LexiconScore] = []
        row_language: list[str] = []
        spans: list[tuple[int, int]] = []
        clause_index = 0
        for (clauses, scores), language, lexicon in zip(comments, languages, lexicons, strict=True):
            trained = language in self.trained
            prefix = language_prefix(language)
            first = clause_index
            for clause in clauses:
                if trained:
                    indices, count = self._clause(clause, prefix, lexicon)
                    flat.extend(indices)
                    segment.extend([clause_index] * len(indices))
                else:
                    count = 0
                counts.append(count)
                clause_index += 1
            start = len(dense)
            dense.append(sum(scores, LexiconScore()))
            clause_of_row.append((first, len(clauses)))
            row_language.append(language)
            if len(clauses) > 1:
                for offset, score in enumerate(scores):
                    dense.append(score)
                    clause_of_row.append((first + offset, 1))
                    row_language.append(language)
            spans.append((start, len(dense)))
        classes = self.weights.shape[1]
        clause_sums = np.zeros((clause_index, classes))
        if flat:
            picked = self.weights[np.asarray(flat, np.int64)]
            ids = np.asarray(segment, np.int64)
            for k in range(classes):
                clause_sums[:, k] = np.bincount(ids, picked[:, k], minlength=clause_index)
        cumulative = np.vstack([np.zeros((1, classes)), np.cumsum(clause_sums, axis=0)])
        count_cumulative = np.concatenate([[0], np.cumsum(counts)])
        rows = np.asarray(clause_of_row, np.int64).reshape(-1, 2)
        ends = rows[:, 0] + rows[:, 1]
        sparse = cumulative[ends] - cumulative[rows[:, 0]]
        names = count_cumulative[ends] - count_cumulative[rows[:, 0]]
        sparse /= np.sqrt(np.maximum(names, 1))[:, None]
        result = sparse + self._dense_logits(dense, row_language)
        return result, spans

    def _dense_logits(
        self, scores: list[LexiconScore], languages: list[str]
    ) -> NDArray[np.float64]:
        values = np.array([(s.positive, s.negative, s.hits) for s in scores], np.float64)
        values = values.reshape(-1, 3)
        net = values[:, 0] - values[:, 1]
        inputs = np.column_stack(
            [
                DENSE_SCALE * np.log1p(values[:, 0]),
                DENSE_SCALE * np.log1p(values[:, 1]),
                DENSE_SCALE * net / np.sqrt(net * net + 15.0),
                np.where(values[:, 2] == 0, DENSE_SCALE, 0.0),
                np.ones(len(values)),
            ]
        )
        result = np.zeros((len(values), self.weights.shape[1]))
        for language in set(languages):
            mask = np.fromiter((lang == language for lang in languages), bool, len(languages))
            result[mask] = inputs[mask] @ self.dense_weights(language)
        return result

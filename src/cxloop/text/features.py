"""Features of a comment for the sentiment model, clause by clause.

Per clause: words (prefix \\x01; also without diacritics, and marked inside a negation
scope), word bigrams (\\x02), character 2-4-grams of each word without diacritics, and
lexicon valence. A comment's features are the union of its clauses' features, so one pass
serves the comment and its clauses.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from cxloop.text.lexicon import (
    NEGATION_SCOPE,
    Lexicon,
    LexiconScore,
    load_lexicon,
    score_clause,
    split_clauses,
)
from cxloop.text.normalise import plain_word, prepare, tokenise

CHAR_SIZES = (2, 3, 4)
DENSE_FEATURES = ("~pos", "~neg", "~net", "~none")
DENSE_SCALE = 3.0
"""Lexicon inputs are scaled up so that the L2 penalty restrains them less than word features:
the lexicon carries over to new domains and languages, word features less so."""


@dataclass
class ClauseFeatures:
    """Sparse feature names (with repeats) and lexicon score of one clause."""

    tokens: list[str]
    names: list[str]
    lexicon: LexiconScore


def dense_values(score: LexiconScore) -> list[float]:
    """The lexicon score as the model's dense inputs (same order as DENSE_FEATURES)."""
    net = score.net
    return [
        DENSE_SCALE * math.log1p(score.positive),
        DENSE_SCALE * math.log1p(score.negative),
        DENSE_SCALE * net / math.sqrt(net * net + 15.0),
        DENSE_SCALE if score.hits == 0 else 0.0,
    ]


def clause_features(
    text: str, language: str, *, lexicon_only: bool = False
) -> list[ClauseFeatures]:
    """Features of each clause of a cleaned comment. With lexicon_only (a language the model
    was not trained on) only the language-independent lexicon inputs are kept."""
    tokens = tokenise(prepare(text))
    lexicon = load_lexicon(language)
    clauses = split_clauses(tokens, lexicon)
    result: list[ClauseFeatures] = []
    for clause in clauses:
        score = score_clause(clause, lexicon)
        names = [] if lexicon_only else _sparse(clause, lexicon)
        result.append(ClauseFeatures(clause, names, score))
    return result


_TOKEN_CACHE: dict[str, tuple[str, tuple[str, ...]]] = {}
_CACHE_LIMIT = 300_000


def _token_parts(token: str) -> tuple[str, tuple[str, ...]]:
    """(token without diacritics, its character n-grams), cached: words repeat a lot."""
    parts = _TOKEN_CACHE.get(token)
    if parts is None:
        plain = plain_word(token)
        grams: list[str] = []
        if len(plain) > 1:
            padded = " " + plain + " "
            length = len(padded)
            for size in CHAR_SIZES:
                grams.extend(padded[i : i + size] for i in range(length - size + 1))
        if len(_TOKEN_CACHE) > _CACHE_LIMIT:
            _TOKEN_CACHE.clear()
        parts = _TOKEN_CACHE[token] = (plain, tuple(grams))
    return parts


def _sparse(tokens: list[str], lexicon: Lexicon | None) -> list[str]:
    names: list[str] = []
    append = names.append
    negators = lexicon.negators if lexicon else frozenset()
    scope = 0
    previous = "<s>"
    for token in tokens:
        plain, grams = _token_parts(token)
        mark = "\x01~" if scope else "\x01"
        append(mark + token)
        if plain != token:
            append(mark + plain)
        append("\x02" + previous + " " + plain)
        previous = plain
        names.extend(grams)
        if token in negators:
            scope = NEGATION_SCOPE
        elif scope:
            scope -= 1
    append("\x02" + previous + " </s>")
    return names

"""Features of a comment for the sentiment model, clause by clause.

Per clause: words (prefix \\x01; also without diacritics, and marked inside a negation
scope), word bigrams (\\x02) and trigrams (\\x03), character 2-5-grams of each word without
diacritics, and lexicon valence. A comment's features are the union of its clauses' features,
so one pass serves the comment and its clauses. The model keeps each trained language's
features apart (names prefixed "vi|", "th|"...), so learning one language never moves another.
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

CHAR_SIZES = (2, 3, 4, 5)
DENSE_FEATURES = ("~pos", "~neg", "~net", "~none")
DENSE_SCALE = 3.0
"""Lexicon inputs are scaled up so that the L2 penalty restrains them less than word features:
the lexicon carries over to new domains and languages, word features less so."""
SHARED_BIAS = "~bias"


def language_prefix(language: str) -> str:
    """The prefix of a trained language's sparse feature names."""
    return language + "|"


def dense_names(language: str | None) -> tuple[str, ...]:
    """Names of the lexicon inputs and the bias: a trained language's own, or (None) the
    shared ones every language without training data uses."""
    if language is None:
        return (*DENSE_FEATURES, SHARED_BIAS)
    return (*(name + "@" + language for name in DENSE_FEATURES), "~lang:" + language)


@dataclass
class ClauseFeatures:
    """Sparse feature names (with repeats, without language prefix) and lexicon score of one
    clause."""

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


def clauses_of(text: str, language: str) -> tuple[list[list[str]], Lexicon | None]:
    """The clauses (token lists) of a cleaned comment, and the language's lexicon."""
    lexicon = load_lexicon(language)
    return split_clauses(tokenise(prepare(text)), lexicon, marks=True), lexicon


def clause_features(
    text: str, language: str, *, lexicon_only: bool = False
) -> list[ClauseFeatures]:
    """Features of each clause of a cleaned comment. With lexicon_only (a language the model
    was not trained on) only the language-independent lexicon inputs are kept."""
    clauses, lexicon = clauses_of(text, language)
    return [
        ClauseFeatures(
            clause,
            [] if lexicon_only else sparse_names(clause, lexicon),
            score_clause(clause, lexicon),
        )
        for clause in clauses
    ]


_TOKEN_CACHE: dict[str, tuple[str, tuple[str, ...]]] = {}
_CACHE_LIMIT = 300_000


def token_parts(token: str) -> tuple[str, tuple[str, ...]]:
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


def token_names(token: str, scoped: bool) -> tuple[str, tuple[str, ...]]:
    """(plain form, the token's own feature names: word, plain word, character n-grams)."""
    plain, grams = token_parts(token)
    mark = "\x01~" if scoped else "\x01"
    if plain != token:
        return plain, (mark + token, mark + plain, *grams)
    return plain, (mark + token, *grams)


def negation_marks(tokens: list[str], lexicon: Lexicon | None) -> list[bool]:
    """Whether each token lies inside a negation scope (the few words after "not")."""
    negators = lexicon.negators if lexicon else frozenset()
    marks: list[bool] = []
    scope = 0
    for token in tokens:
        marks.append(scope > 0)
        if token in negators:
            scope = NEGATION_SCOPE
        elif scope:
            scope -= 1
    return marks


def sparse_names(tokens: list[str], lexicon: Lexicon | None) -> list[str]:
    """The sparse feature names of one clause (unprefixed, with repeats)."""
    names: list[str] = []
    before, previous = "", "<s>"
    for token, scoped in zip(tokens, negation_marks(tokens, lexicon), strict=True):
        plain, own = token_names(token, scoped)
        names.extend(own)
        pair = previous + " " + plain
        names.append("\x02" + pair)
        if before:
            names.append("\x03" + before + pair)
        before, previous = previous + " ", plain
    pair = previous + " </s>"
    names.append("\x02" + pair)
    if before:
        names.append("\x03" + before + pair)
    return names

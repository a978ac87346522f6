"""Sentiment lexicons (en/vi/th/lt + emoji) with negation, intensifiers and clause splitting.

The lexicon score of a clause is a small set of language-independent numbers (positive and
negative valence sums); the sentiment model learns their weights from all training languages,
which is how a language without training data (Lithuanian) still gets sentiment.
"""

from __future__ import annotations

import importlib.util
import json
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path

from cxloop.text.normalise import EMOJI_RE, PUNCTUATION, deaccent, plain_word, segment_thai

LEXICON_LANGUAGES = ("en", "vi", "th", "lt")
NEGATION_FACTOR = -0.75
INTENSIFIER_FACTOR = 1.3
NEGATION_SCOPE = 3
CLAUSE_BREAKS = frozenset(".!?;,…")
CLAUSE_MARKS = frozenset("?!")

EMOJI_VALENCE: dict[str, float] = {
    **dict.fromkeys("😀😃😄😁😆😊🙂😍🥰😘😻👍👌💯❤💖💕💗👏🙌🎉⭐🌟✨😋🤩💪🥳", 2.0),
    **dict.fromkeys("😡😠🤬😞😢😭😤👎💩🙁☹😒🤮😩😫😖😣😔😕🤢💔😑🙄", -2.0),
    ":)": 1.5,
    ":-)": 1.5,
    ":d": 2.0,
    ":-d": 2.0,
    "=)": 1.5,
    ";)": 1.0,
    "<3": 2.0,
    "^^": 1.5,
    ":(": -2.0,
    ":-(": -2.0,
    ":'(": -2.5,
    ":/": -1.0,
    ":-/": -1.0,
}


@dataclass(frozen=True)
class LexiconScore:
    """Valence found in a piece of text: sums of positive and (absolute) negative valence."""

    positive: float = 0.0
    negative: float = 0.0
    hits: int = 0

    def __add__(self, other: LexiconScore) -> LexiconScore:
        return LexiconScore(
            self.positive + other.positive, self.negative + other.negative, self.hits + other.hits
        )

    @property
    def net(self) -> float:
        return self.positive - self.negative


@dataclass
class Lexicon:
    """One language's sentiment words (space-joined token sequences) and function words."""

    language: str
    entries: dict[str, float] = field(default_factory=dict)
    plain_entries: dict[str, float] = field(default_factory=dict)  # without diacritics
    stems: dict[str, float] = field(default_factory=dict)  # prefix -> valence (Lithuanian)
    negators: frozenset[str] = frozenset()
    intensifiers: frozenset[str] = frozenset()
    contrast: frozenset[str] = frozenset()
    abbreviations: frozenset[str] = frozenset()  # "el" (el. paštas), "pvz", "mr": "." follows
    longest: int = 1

    heads: dict[str, int] = field(default_factory=dict)  # first word -> longest entry
    _single: dict[str, float | None] = field(default_factory=dict)

    def lookup(self, tokens: list[str], start: int) -> tuple[float, int] | None:
        """(valence, tokens used) of the longest entry starting at tokens[start]."""
        token = tokens[start]
        longest = min(self.heads.get(token, 1), len(tokens) - start)
        for size in range(longest, 1, -1):
            key = " ".join(tokens[start : start + size])
            value = self.entries.get(key)
            if value is None and self.plain_entries:
                plain = deaccent(key)
                if plain == key or self.language == "lt":
                    value = self.plain_entries.get(plain)
            if value is not None:
                return value, size
        if token in self._single:
            value = self._single[token]
        else:
            value = self._word(token)
            if len(self._single) < 200_000:
                self._single[token] = value
        return None if value is None else (value, 1)

    def _word(self, token: str) -> float | None:
        value = self.entries.get(token)
        if value is None and self.plain_entries:
            plain = plain_word(token)
            if plain == token or self.language == "lt":
                value = self.plain_entries.get(plain)
        if value is None and self.stems:
            value = self._stem(token)
        return value

    def _stem(self, token: str) -> float | None:
        plain = deaccent(token)
        value = _longest_prefix(self.stems, plain)
        if value is not None:
            return value
        if plain.startswith("ne") and len(plain) > 4:
            inner = self.plain_entries.get(plain[2:])
            if inner is None:
                inner = _longest_prefix(self.stems, plain[2:])
            if inner is not None:
                return inner * NEGATION_FACTOR
        return None


def _longest_prefix(stems: dict[str, float], word: str) -> float | None:
    for end in range(len(word), 2, -1):
        value = stems.get(word[:end])
        if value is not None:
            return value
    return None


def _resource(name: str) -> dict[str, object]:
    text = resources.files("cxloop.text").joinpath("lexicons", name).read_text("utf-8")
    data: dict[str, object] = json.loads(text)
    return data


@cache
def word_list(language: str, name: str) -> frozenset[str]:
    """A word list of a language's lexicon file ("stopwords", "common"); empty if none."""
    if language not in LEXICON_LANGUAGES:
        return frozenset()
    values = _resource(f"{language}.json").get(name, [])
    assert isinstance(values, list)
    return frozenset(str(value) for value in values)


def _vader_entries() -> dict[str, float]:
    """VADER's English lexicon (MIT licence) from the vaderSentiment package, if installed."""
    spec = importlib.util.find_spec("vaderSentiment")
    if spec is None or not spec.submodule_search_locations:
        return {}
    path = Path(next(iter(spec.submodule_search_locations))) / "vader_lexicon.txt"
    entries: dict[str, float] = {}
    for line in path.read_text("utf-8", errors="replace").splitlines():
        parts = line.split("\t")
        if len(parts) >= 2 and " " not in parts[0]:
            try:
                entries[parts[0].lower()] = float(parts[1])
            except ValueError:
                continue
    return entries


def _normalise_key(key: str, language: str) -> str:
    key = key.lower().strip()
    if language == "th":
        return " ".join(segment_thai(key.replace(" ", "")))
    return key


@cache
def load_lexicon(language: str) -> Lexicon | None:
    """The lexicon of a language, or None for a language cxloop has none for."""
    if language not in LEXICON_LANGUAGES:
        return None
    raw = _resource(f"{language}.json")
    words: dict[str, float] = _vader_entries() if language == "en" else {}
    for group in ("positive", "negative"):
        values = raw.get(group, {})
        assert isinstance(values, dict)
        for key, value in values.items():
            words[_normalise_key(str(key), language)] = float(value)
    lexicon = Lexicon(language=language)
    for key, value in words.items():
        if key.endswith("*"):
            lexicon.stems[deaccent(key[:-1])] = value
        else:
            lexicon.entries[key] = value
            size = key.count(" ") + 1
            lexicon.longest = max(lexicon.longest, size)
            for head in {key.split(" ")[0], deaccent(key.split(" ")[0])}:
                lexicon.heads[head] = max(lexicon.heads.get(head, 1), size)
    if language in ("vi", "lt"):
        lexicon.plain_entries = _plain(lexicon.entries)

    def words_of(group: str) -> frozenset[str]:
        values = raw.get(group, [])
        assert isinstance(values, list)
        return frozenset(_normalise_key(str(v), language) for v in values)

    lexicon.negators = words_of("negators")
    lexicon.intensifiers = words_of("intensifiers")
    lexicon.contrast = words_of("contrast")
    lexicon.abbreviations = words_of("abbreviations")
    return lexicon


def _plain(entries: dict[str, float]) -> dict[str, float]:
    """Entries without diacritics; a plain form shared by words of opposite polarity is dropped."""
    plain: dict[str, float] = {}
    clash: set[str] = set()
    for key, value in entries.items():
        bare = deaccent(key)
        if bare in plain and (plain[bare] > 0) != (value > 0):
            clash.add(bare)
        plain.setdefault(bare, value)
    for bare in clash:
        del plain[bare]
    return plain


FULL_STOP = "."


def split_clauses(
    tokens: list[str], lexicon: Lexicon | None, *, marks: bool = False
) -> list[list[str]]:
    """Tokens cut into clauses at punctuation (not at the full stop after one of the language's
    abbreviations) and at contrast words ("but", "nhưng", "แต่", "bet"); punctuation and
    contrast words are dropped, except that with marks a clause keeps the "?" or "!" that ends
    it (a question or an exclamation, features for sentiment)."""
    clauses: list[list[str]] = []
    current: list[str] = []
    contrast = lexicon.contrast if lexicon else frozenset()
    abbreviations = lexicon.abbreviations if lexicon else frozenset()
    for token in tokens:
        if token in CLAUSE_BREAKS or token in PUNCTUATION:
            if token == FULL_STOP and current and current[-1] in abbreviations:
                continue  # the full stop of "el. paštas", "pvz.", "TP. HCM" ends no clause
            if current:
                if marks and token in CLAUSE_MARKS:
                    current.append(token)
                clauses.append(current)
                current = []
            continue
        if token in contrast:  # "but" starts a new clause and is not part of it
            if current:
                clauses.append(current)
                current = []
            continue
        current.append(token)
    if current:
        clauses.append(current)
    return clauses


def score_clause(tokens: list[str], lexicon: Lexicon | None) -> LexiconScore:
    """Lexicon valence of one clause, with negation ("not good", "không tốt", "ไม่ดี",
    "ne blogas") and intensifiers ("very", "rất", "มาก", "labai")."""
    positive = negative = 0.0
    hits = 0
    scope = 0
    index = 0
    count = len(tokens)
    while index < count:
        token = tokens[index]
        negator = lexicon is not None and token in lexicon.negators
        found = EMOJI_VALENCE.get(token)
        size = 1
        if found is None and EMOJI_RE.fullmatch(token) is None and lexicon is not None:
            match = lexicon.lookup(tokens, index)
            # a negator alone is not scored ("no" in "no hassle"); phrases ("never again") are
            if match is not None and not (negator and match[1] == 1):
                found, size = match
        if found:
            value = found
            if lexicon is not None and _intensified(tokens, index, size, lexicon):
                value *= INTENSIFIER_FACTOR
            if scope > 0:
                value *= NEGATION_FACTOR
            if value > 0:
                positive += value
            else:
                negative -= value
            hits += 1
            index += size
            scope = max(0, scope - size)
            continue
        if negator:
            scope = NEGATION_SCOPE
        elif scope:
            scope -= 1
        index += 1
    return LexiconScore(positive, negative, hits)


def _intensified(tokens: list[str], index: int, size: int, lexicon: Lexicon) -> bool:
    before = index > 0 and tokens[index - 1] in lexicon.intensifiers
    after = index + size < len(tokens) and tokens[index + size] in lexicon.intensifiers
    return before or after

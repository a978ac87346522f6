"""Theme matching: keywords per language (plus English loanwords such as "ship" or "app"),
and near-copies of a theme's example comments."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from cxloop.text.normalise import (
    PUNCTUATION,
    deaccent,
    is_thai,
    plain_word,
    prepare,
    tokenise,
)
from cxloop.text.taxonomy import Taxonomy

PLAIN_LANGUAGES = frozenset({"vi", "lt"})
EXAMPLE_OVERLAP = 0.6
_WORD = re.compile(r"[\w'\u2019]+")
_STOP = frozenset(
    [
        "the",
        "and",
        "was",
        "were",
        "are",
        "for",
        "with",
        "that",
        "this",
        "very",
        "but",
        "not",
        "have",
        "had",
        "has",
        "you",
        "our",
        "they",
        "them",
        "from",
        "cua",
        "va",
        "la",
        "thi",
        "rat",
        "nhung",
        "cho",
        "mot",
        "nay",
        "khong",
        "duoc",
        "ir",
        "bet",
        "kad",
        "labai",
        "buvo",
        "yra",
    ]
)


@dataclass
class _Keywords:
    """Keywords as token sequences: exact ones, and ones whose last word is a prefix."""

    exact: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    prefixes: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    heads: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    """First word of multi-word exact keywords -> their lengths in words."""
    prefix_heads: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    """The same for multi-word prefix keywords."""
    thai: dict[str, dict[str, set[str]]] = field(default_factory=dict)
    """Thai keywords (matched inside unspaced text) by their first two letters: a clause checks
    only the keywords whose opening pair it contains."""
    _single: dict[str, frozenset[str]] = field(default_factory=dict)

    def add(self, keyword: str, theme: str) -> None:
        if is_thai(keyword):  # Thai is written without spaces: match inside the text
            word = keyword.rstrip("*").replace(" ", "")
            self.thai.setdefault(word[:2], {}).setdefault(word, set()).add(theme)
            return
        prefix = keyword.endswith("*")
        words = [t for t in tokenise(prepare(keyword.rstrip("*"))) if t not in PUNCTUATION]
        if not words:
            return
        key = " ".join(words)
        if prefix:
            self.prefixes[key].add(theme)
        else:
            self.exact[key].add(theme)
        if len(words) > 1:
            (self.prefix_heads if prefix else self.heads)[words[0]].add(len(words))

    def themes(self, tokens: list[str]) -> list[str]:
        found: list[str] = []
        joined = "".join(tokens) if self.thai else ""
        if joined and is_thai(joined):
            thai = self.thai
            for pair in {joined[i : i + 2] for i in range(len(joined) - 1)} | set(joined):
                candidates = thai.get(pair)
                if candidates:
                    for keyword, keys in candidates.items():
                        if keyword in joined:
                            found.extend(keys)
        count = len(tokens)
        for start, token in enumerate(tokens):
            single = self._single.get(token)
            if single is None:
                single = self._single[token] = self._word(token)
            if single:
                found.extend(single)
            for size in self.heads.get(token, ()):
                if start + size <= count:
                    exact = self.exact.get(" ".join(tokens[start : start + size]))
                    if exact:
                        found.extend(exact)
            for size in self.prefix_heads.get(token, ()):
                if start + size <= count:
                    found.extend(self._prefix(tokens[start : start + size]))
        return found

    def _word(self, token: str) -> frozenset[str]:
        if len(self._single) > 100_000:
            self._single.clear()
        return frozenset(self.exact.get(token, set()) | self._prefix([token]))

    def _prefix(self, words: list[str]) -> set[str]:
        head = " ".join(words[:-1])
        head = head + " " if head else ""
        last = words[-1]
        for end in range(len(last), 1, -1):
            keys = self.prefixes.get(head + last[:end])
            if keys:
                return keys
        return set()


class ThemeMatcher:
    """Finds the themes of a taxonomy in comments, clause by clause."""

    def __init__(self, taxonomy: Taxonomy) -> None:
        self.taxonomy = taxonomy
        self._cache: dict[tuple[str, bool], _Keywords] = {}
        self._examples: dict[str, list[tuple[str, frozenset[str]]]] = defaultdict(list)
        self._content: dict[str, str] = {}  # token -> its plain form as a content word, or ""
        for theme in taxonomy.themes:
            for examples in theme.examples.values():
                for example in examples:
                    words = _content_words(example)
                    if len(words) >= 2:
                        for word in words:
                            self._examples[word].append((theme.key, words))

    def _keywords(self, language: str, plain: bool) -> _Keywords:
        key = (language, plain)
        if key not in self._cache:
            languages = {language, "en"} if language != "und" else None
            keywords = _Keywords()
            for theme in self.taxonomy.themes:
                for code, words in theme.keywords.items():
                    if languages is None or code in languages:
                        for word in words:
                            keywords.add(deaccent(word) if plain else word, theme.key)
            self._cache[key] = keywords
        return self._cache[key]

    def match(self, clauses: list[list[str]], language: str) -> dict[str, list[int]]:
        """Theme key -> indexes of the clauses (token lists of prepared text) that mention it,
        in taxonomy order."""
        found: dict[str, list[int]] = defaultdict(list)
        for index, clause in enumerate(clauses):
            tokens = clause
            plain = language in PLAIN_LANGUAGES and (
                language == "lt" or all(token.isascii() for token in clause)
            )
            if plain:
                tokens = [plain_word(token) for token in clause]
            keys = self._keywords(language, plain).themes(tokens)
            keys.extend(self._example_matches(clause))
            for key in keys:
                if index not in found[key]:
                    found[key].append(index)
        order = {theme.key: i for i, theme in enumerate(self.taxonomy.themes)}
        result = dict(sorted(found.items(), key=lambda item: order.get(item[0], 0)))
        if not result and self.taxonomy.fallback and any(clauses):
            result = {self.taxonomy.fallback: list(range(len(clauses)))}
        return result

    def _example_matches(self, clause: list[str]) -> list[str]:
        if not self._examples:
            return []
        content = self._content
        words = set()
        for token in clause:
            word = content.get(token)
            if word is None:
                word = plain_word(token) if len(token) > 2 and token not in _STOP else ""
                if len(content) > 200_000:
                    content.clear()
                content[token] = word
            if word:
                words.add(word)
        matched: list[str] = []
        seen: set[tuple[str, frozenset[str]]] = set()
        for word in words:
            for theme, example in self._examples.get(word, ()):
                if (theme, example) in seen or theme in matched:
                    continue
                seen.add((theme, example))
                overlap = len(example & words)
                if overlap >= 2 and overlap >= EXAMPLE_OVERLAP * len(example):
                    matched.append(theme)
        return matched


def _content_words(text: str) -> frozenset[str]:
    words = _WORD.findall(deaccent(text.lower()))
    return frozenset(w for w in words if len(w) > 2 and w not in _STOP)

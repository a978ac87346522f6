"""Language detection: py3langid (bundled model, 97 languages) plus rules for short comments.

- Text without letters (empty, emoji only, digits, garbage) is `und`.
- Thai script is Thai; Vietnamese typed without diacritics ("giao hang nhanh") is recognised by
  its syllable structure and common words.
- Expected languages (a workspace's or `--languages`) bias the choice strongly: a short or
  ambiguous comment gets one of them, a long clear comment in another language keeps its own.
- Very short comments are helped by word lists ("ok", "bad", "ačiū", "tot qua").
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Sequence
from functools import cache

import numpy as np

from cxloop.text.lexicon import load_lexicon, word_list
from cxloop.text.normalise import deaccent, has_letters

UNDETERMINED = "und"
EXPECTED_BONUS = math.log(1000.0)
MIN_CONFIDENCE = 0.3
CACHE_SIZE = 50_000
CACHED_LENGTH = 200

_VI_SYLLABLE = re.compile(
    r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnprstvx])?[aeiouy]{1,3}(?:ch|ng|nh|[cmnpt])?"
)
_LATIN_WORD = re.compile(r"[a-zà-ỹđ']+")
_THAI = re.compile(r"[\u0e01-\u0e4e]")
_LETTERS = re.compile(r"[^\W\d_]")
_VI_MARKS = re.compile(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]")


@cache
def _identifier() -> tuple[object, list[str]]:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    return identifier, list(identifier.nb_classes)


def _scores(text: str) -> tuple[np.ndarray, list[str]]:
    """py3langid's per-language log-scores, tempered by length as py3langid itself does."""
    identifier, labels = _identifier()
    encoded = identifier._encode(text)  # type: ignore[attr-defined]
    raw = np.asarray(identifier._raw_score(encoded), np.float64)  # type: ignore[attr-defined]
    return raw / math.sqrt(len(encoded) or 1), labels


def looks_like_plain_vietnamese(words: Sequence[str]) -> bool:
    """Vietnamese typed without diacritics: every word a Vietnamese syllable, most common ones."""
    vi_common = word_list("vi", "common")
    en_common = word_list("en", "common")
    if len(words) < 2:
        return bool(words) and words[0] in vi_common and words[0] not in en_common
    syllables = sum(1 for w in words if w in vi_common or _VI_SYLLABLE.fullmatch(w))
    common = sum(1 for w in words if w in vi_common)
    english = sum(1 for w in words if w in en_common)
    return syllables == len(words) and common * 2 >= len(words) and english * 2 < len(words)


@cache
def _known_words(language: str) -> frozenset[str]:
    lexicon = load_lexicon(language)
    words: set[str] = set()
    if lexicon is not None:
        words.update(w for w in lexicon.entries if " " not in w)
        words.update(lexicon.negators | lexicon.intensifiers | lexicon.contrast)
    if language == "en":
        words.update(word_list("en", "common"))
    if language == "vi":
        words.update(word_list("vi", "common"))
    return frozenset(deaccent(w) for w in words)


def _word_votes(words: Sequence[str], candidates: Collection[str]) -> dict[str, float]:
    votes: dict[str, float] = {}
    for language in candidates:
        known = _known_words(language)
        lexicon = load_lexicon(language)
        hits = 0
        for word in words:
            if word in known or (lexicon and lexicon.stems and lexicon.lookup([word], 0)):
                hits += 1
        if hits:
            votes[language] = hits / len(words)
    return votes


class LanguageDetector:
    """Detects the language of comments; `expected` (ISO 639-1 codes) biases the choice."""

    def __init__(self, expected: Collection[str] | None = None) -> None:
        _, labels = _identifier()
        known = set(labels)
        self.expected = frozenset(code for code in (expected or ()) if code in known)
        self._expected_mask = np.array([label in self.expected for label in labels])
        self._cache: dict[str, tuple[str, float]] = {}

    def detect(self, text: str) -> tuple[str, float]:
        """(language code or 'und', confidence 0..1) of a cleaned comment (cached: short
        comments such as "ok" or "good service" repeat a lot)."""
        found = self._cache.get(text)
        if found is None:
            found = self._detect(text)
            if len(self._cache) > CACHE_SIZE:
                self._cache.clear()
            if len(text) < CACHED_LENGTH:
                self._cache[text] = found
        return found

    def _detect(self, text: str) -> tuple[str, float]:
        if not has_letters(text) or not _LETTERS.search(text):
            return UNDETERMINED, 0.0
        letters = len(_LETTERS.findall(text))
        thai = len(_THAI.findall(text))
        if thai * 2 >= letters:
            return "th", 1.0
        lower = text.lower()
        words = _LATIN_WORD.findall(deaccent(lower))
        allowed_vi = not self.expected or "vi" in self.expected
        if (
            allowed_vi
            and words
            and not _VI_MARKS.search(lower)
            and looks_like_plain_vietnamese(words)
        ):
            return "vi", 0.9
        scores, labels = _scores(lower)
        if self.expected:
            scores = scores + EXPECTED_BONUS * self._expected_mask
        if len(words) <= 4:
            candidates = self.expected or frozenset(("en", "vi", "lt", "th"))
            for language, share in _word_votes(words, candidates).items():
                scores[labels.index(language)] += 4.0 * share
        probabilities = np.exp(scores - scores.max())
        probabilities /= probabilities.sum()
        best = int(probabilities.argmax())
        confidence = float(probabilities[best])
        if confidence < MIN_CONFIDENCE and not self.expected:
            return UNDETERMINED, confidence
        return labels[best], round(confidence, 4)

    def detect_many(self, texts: Sequence[str]) -> list[tuple[str, float]]:
        return [self.detect(text) for text in texts]

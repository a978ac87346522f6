"""Key phrases of a comment, and per-theme summaries (counts, sentiment, phrases, quotes)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache

from cxloop.text.analysers import SENTIMENTS, CommentAnalysis
from cxloop.text.lexicon import Lexicon, load_lexicon, word_list
from cxloop.text.normalise import is_thai

MAX_PHRASES = 3
MAX_WORDS = 4
STOPWORDS_LANGUAGES = ("en", "vi", "lt")


@cache
def _thai_stopwords() -> frozenset[str]:
    import importlib.util
    from pathlib import Path

    spec = importlib.util.find_spec("pythainlp")
    if spec is None or not spec.submodule_search_locations:
        return frozenset()
    path = Path(next(iter(spec.submodule_search_locations))) / "corpus" / "stopwords_th.txt"
    if not path.is_file():
        return frozenset()
    return frozenset(w.strip() for w in path.read_text("utf-8").splitlines() if w.strip())


def stopwords(language: str) -> frozenset[str]:
    if language == "th":
        return _thai_stopwords()
    return word_list(language if language in STOPWORDS_LANGUAGES else "en", "stopwords")


def key_phrases(clauses: Sequence[Sequence[str]], language: str) -> list[str]:
    """Up to three phrases (runs of content words) that say what the comment is about, in the
    order they appear; phrases with sentiment words or several words come first."""
    stop = stopwords(language)
    lexicon = load_lexicon(language)
    negators = lexicon.negators if lexicon else frozenset()
    candidates: list[tuple[float, int, str]] = []
    position = 0
    for clause in clauses:
        run: list[str] = []
        for token in [*clause, ""]:
            if token and token not in stop and (token.isalnum() or "'" in token):
                run.append(token)
                continue
            while run and run[-1] in negators:
                run.pop()
            if run:
                candidates.append(_candidate(run[:MAX_WORDS], lexicon, position))
                position += 1
            run = []
    ranked = sorted(candidates, key=lambda c: -c[0])
    chosen: list[tuple[int, str]] = []
    for score, order, phrase in ranked:
        if score <= 1 or any(phrase in other or other in phrase for _, other in chosen):
            continue
        chosen.append((order, phrase))
        if len(chosen) == MAX_PHRASES:
            break
    return [phrase for _, phrase in sorted(chosen)]


def _candidate(words: list[str], lexicon: Lexicon | None, position: int) -> tuple[float, int, str]:
    joiner = "" if all(is_thai(w) for w in words) else " "
    phrase = joiner.join(words)
    score = float(min(len(words), 3)) + (0.5 if len(phrase) >= 4 else 0.0)
    if lexicon is not None and any(lexicon.lookup(words, i) for i in range(len(words))):
        score += 1.5
    return score, position, phrase


@dataclass
class ThemeSummary:
    """What customers say about one theme across many comments."""

    key: str
    comments: int
    share: float  # of all comments
    sentiment: dict[str, int]  # positive/neutral/negative/mixed -> comments
    mean_score: float
    phrases: list[tuple[str, int]] = field(default_factory=list)
    quotes: list[str] = field(default_factory=list)


def summarise_themes(
    analyses: Sequence[CommentAnalysis], *, phrases: int = 5, quotes: int = 3
) -> list[ThemeSummary]:
    """Per theme (most mentioned first): counts, sentiment split, top phrases and representative
    quotes (clear-cut comments of readable length whose sentiment matches the theme's majority)."""
    by_theme: dict[str, list[tuple[CommentAnalysis, str, float]]] = defaultdict(list)
    for analysis in analyses:
        for mention in analysis.themes:
            by_theme[mention.key].append((analysis, mention.sentiment, mention.score))
    total = len(analyses) or 1
    summaries = []
    for key, items in by_theme.items():
        counts = Counter(sentiment for _, sentiment, _ in items)
        phrase_counts = Counter(p for analysis, _, _ in items for p in analysis.key_phrases)
        majority = counts.most_common(1)[0][0]
        summaries.append(
            ThemeSummary(
                key=key,
                comments=len(items),
                share=round(len(items) / total, 4),
                sentiment={name: counts.get(name, 0) for name in SENTIMENTS},
                mean_score=round(sum(score for _, _, score in items) / len(items), 4),
                phrases=phrase_counts.most_common(phrases),
                quotes=_quotes(items, majority, quotes),
            )
        )
    return sorted(summaries, key=lambda s: (-s.comments, s.key))


def _quotes(
    items: list[tuple[CommentAnalysis, str, float]], majority: str, limit: int
) -> list[str]:
    def rank(item: tuple[CommentAnalysis, str, float]) -> float:
        analysis, sentiment, score = item
        length = len(analysis.text)
        readable = 1.0 if 20 <= length <= 240 else 0.3
        return (1.0 if sentiment == majority else 0.0) + abs(score) * readable

    chosen: list[str] = []
    for analysis, _, _ in sorted(items, key=rank, reverse=True):
        text = analysis.text
        if text and all(text.lower() != other.lower() for other in chosen):
            chosen.append(text)
        if len(chosen) == limit:
            break
    return chosen

"""Theme discovery: proposes new themes from comments that no theme covers.

Per language, each comment becomes its topic words (stopwords, sentiment words, negators and
intensifiers dropped; Thai segmented into words; Vietnamese and Lithuanian compared without
diacritics) plus adjacent word pairs. Near-duplicates (the same topic words) count once.
TF-IDF, LSA (truncated SVD) and mini-batch k-means cluster them, k chosen by silhouette on a
sample. A cluster's members are those holding one of its defining keywords; clusters smaller
than `min_cluster_size` are dropped. Every step is seeded, so the same input gives the same
proposals.
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sklearn.cluster import MiniBatchKMeans
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer
from sklearn.metrics import silhouette_score
from sklearn.preprocessing import normalize
from threadpoolctl import threadpool_limits

from cxloop.core.errors import Invalid
from cxloop.text.lexicon import Lexicon, load_lexicon, split_clauses
from cxloop.text.normalise import clean, deaccent, is_thai, plain_word, prepare, tokenise
from cxloop.text.phrases import stopwords

CommentId = int | str
SEED = 0
THREADS = 1  # BLAS/OpenMP threads; measured faster than 2 on a busy 2-core machine
MAX_K = 40
SAMPLE = 3000  # rows used to choose k (fit and silhouette)
DEFINING = 5  # keywords that decide membership
KEYWORDS = 8
KEYWORD_SHARE = 0.3
"""A keyword is one that at least this share of the cluster's comments use: a few stray
comments (2 about parking among 8 about loyalty points) must not make the accepted theme
claim their topic."""
MAX_FEATURES = 50_000
QUOTES = 5
STRONG_VALENCE = 2.8  # lexicon words this strong are no topic words
_THAI_EXTRA = (  # pronouns and particles PyThaiNLP's stopword list lacks
    "ผม ฉัน เรา คุณ เขา มัน ไหม มั้ย อะ อ่ะ นะ น่ะ นะคะ ครับ คับ ค่ะ คะ จ้า จ้ะ ค่า ละ ล่ะ เลย แล้ว ก็ ได้ จะ "
    "คน ทำ มี ไป มา อยู่ เป็น ว่า ให้ กัน ด้วย ยัง เจอ"
)
THAI_EXTRA = frozenset(_THAI_EXTRA.split())
_DIGITS = re.compile(r"^[\d_]+$")
_SLUG = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class UncoveredComment:
    """A comment that no theme covers."""

    comment_id: CommentId
    text: str
    language: str


@dataclass(frozen=True)
class Quote:
    comment_id: CommentId
    text: str


@dataclass
class ThemeProposal:
    """A proposed new theme: one cluster of uncovered comments in one language."""

    key: str
    label: str
    language: str
    size: int  # distinct comments (near-duplicates count once)
    keywords: list[str]
    phrases: list[tuple[str, int]]
    quotes: list[Quote]
    comment_ids: list[CommentId] = field(default_factory=list)  # near-duplicates included

    def to_theme(self) -> dict[str, Any]:
        """The proposal as a taxonomy theme (see cxloop.text.taxonomy), ready to be accepted."""
        return {
            "key": self.key,
            "name": {self.language: self.label},
            "keywords": {self.language: self.keywords},
            "examples": {self.language: [quote.text for quote in self.quotes]},
        }


@dataclass
class _Doc:
    """Distinct comment: topic features, topic-word runs (for labels) and all its ids."""

    index: int
    features: list[str]
    runs: list[str]
    ids: list[CommentId]
    text: str = ""


def discover_themes(
    comments: Sequence[UncoveredComment],
    *,
    min_cluster_size: int = 5,
    max_themes: int = 12,
    existing_keys: Collection[str] = (),
) -> list[ThemeProposal]:
    """Proposed themes (largest first, at most `max_themes`) with keys unlike `existing_keys`."""
    if min_cluster_size < 2:
        raise Invalid("min_cluster_size: must be at least 2")
    if max_themes < 1:
        raise Invalid("max_themes: must be at least 1")
    by_language: dict[str, list[UncoveredComment]] = defaultdict(list)
    for comment in comments:
        by_language[comment.language or "und"].append(comment)
    proposals: list[ThemeProposal] = []
    with threadpool_limits(THREADS):  # shared small machines: extra threads spin and stall
        for language in sorted(by_language):
            group = by_language[language]
            if len(group) >= min_cluster_size:
                proposals.extend(_discover(group, language, min_cluster_size, max_themes))
    proposals.sort(key=lambda p: (-p.size, p.language, p.label))
    proposals = proposals[:max_themes]
    taken = set(existing_keys)
    for proposal in proposals:
        proposal.key = _unique_key(proposal, taken)
    return proposals


def _discover(
    comments: list[UncoveredComment], language: str, min_size: int, max_themes: int
) -> list[ThemeProposal]:
    docs, texts = _documents(comments, language)
    if len(docs) < min_size:
        return []
    vectoriser = TfidfVectorizer(
        analyzer=_identity,
        min_df=2,
        max_df=0.8,  # a topic may dominate a small language group
        max_features=MAX_FEATURES,
        sublinear_tf=True,
        dtype=np.float32,
    )
    try:
        matrix = vectoriser.fit_transform([doc.features for doc in docs])
    except ValueError:  # no feature in two comments
        return []
    keep = np.flatnonzero(matrix.getnnz(axis=1))
    if len(keep) < min_size:
        return []
    docs = [docs[i] for i in keep]
    matrix = matrix[keep]
    terms = vectoriser.get_feature_names_out()
    points = _lsa(matrix)
    labels = _merge_fragments(matrix, _cluster(points, min_size, max_themes), min_size)
    proposals = []
    for cluster in np.unique(labels):
        members = np.flatnonzero(labels == cluster)
        proposal = _proposal(docs, texts, matrix, points, members, terms, language)
        if proposal is not None and proposal.size >= min_size:
            proposals.append(proposal)
    return _merge_same_label(proposals)


def _identity(features: list[str]) -> list[str]:
    return features


def _documents(comments: list[UncoveredComment], language: str) -> tuple[list[_Doc], list[str]]:
    """Distinct comments with their topic features, and their cleaned texts."""
    stop = _topic_stopwords(language)
    lexicon = load_lexicon(language)
    texts = [clean(comment.text) for comment in comments]
    parsed = [_topic_runs(text, stop, lexicon) for text in texts]
    restore = _restorer([runs for runs, _ in parsed])
    seen: dict[str, _Doc] = {}
    for comment, text, (runs, key) in zip(comments, texts, parsed, strict=True):
        runs = [[restore.get(word, word) for word in run] for run in runs]
        features = [f for run in runs for f in (*run, *map(" ".join, pairwise(run)))]
        if not features:
            continue
        doc = seen.get(key)
        if doc is None:
            doc = seen[key] = _Doc(len(seen), features, [" ".join(run) for run in runs], [])
            doc.text = text
        doc.ids.append(comment.comment_id)
    docs = list(seen.values())
    return docs, [doc.text for doc in docs]


def _restorer(all_runs: list[list[list[str]]]) -> dict[str, str]:
    """Words typed without diacritics -> their most common written form in these comments
    ("bai" -> "bãi", "giao" stays "giao"): a "giờ" stays apart from a "giỏ" (both "gio")."""
    forms: dict[str, Counter[str]] = defaultdict(Counter)
    for runs in all_runs:
        for run in runs:
            for word in run:
                forms[plain_word(word)][word] += 1
    restore = {}
    for plain, counts in forms.items():
        if plain in counts:  # typed without diacritics: the most common form of all
            restore[plain] = counts.most_common(1)[0][0]
    return restore


def _topic_runs(
    text: str, stop: frozenset[str], lexicon: Lexicon | None
) -> tuple[list[list[str]], str]:
    """Runs of topic words (at most 8 each) in the comment's clauses, and the comment's words
    without case, diacritics and punctuation (near-duplicates share them)."""
    runs: list[list[str]] = []
    tokens = tokenise(prepare(text))
    for clause in split_clauses(tokens, lexicon):
        run: list[str] = []
        for token in [*clause, ""]:
            if token and _is_topic_word(token, stop, lexicon):
                run.append(token)
            elif run:
                runs.append(run[:8])
                run = []
    return runs, " ".join(plain_word(token) for token in tokens if token[0].isalnum())


@cache
def _topic_stopwords(language: str) -> frozenset[str]:
    """The language's stopwords, the placeholders prepare() puts in (url, email, user), and
    for English scikit-learn's longer list, for Thai common pronouns and particles."""
    extra = {"en": ENGLISH_STOP_WORDS, "th": THAI_EXTRA}.get(language, frozenset())
    return frozenset(stopwords(language) | extra | {"url", "email", "user"})


def _is_topic_word(token: str, stop: frozenset[str], lexicon: Lexicon | None) -> bool:
    if token in stop or not token[0].isalpha() or _DIGITS.match(token):  # Thai marks: not alnum
        return False
    if len(token) < 2:
        return False
    if lexicon is None:
        return True
    if token in lexicon.negators or token in lexicon.intensifiers:
        return False
    words, plain_words, stems = _evaluative(lexicon.language)
    plain = plain_word(token)
    if token in words or (plain == token and plain in plain_words):
        return False
    if stems and any(plain.startswith(stem) for stem in stems):
        return False
    found = lexicon.lookup([token], 0)
    return found is None or abs(found[0]) < STRONG_VALENCE


@cache
def _evaluative(language: str) -> tuple[frozenset[str], frozenset[str], tuple[str, ...]]:
    """Single words and stems of cxloop's own sentiment lexicon ("good", "slow", "ger*"): they
    say how, not what, so they are no topic. (VADER's broader list holds topic words such as
    "loyalty" and "free"; of it only strong words count, see STRONG_VALENCE.)"""
    raw = json.loads(
        resources.files("cxloop.text").joinpath("lexicons", f"{language}.json").read_text("utf-8")
    )
    words: set[str] = set()
    stems: set[str] = set()
    for group in ("positive", "negative"):
        for key in raw.get(group, {}):
            key = str(key).lower().strip()
            if key.endswith("*") and len(key) > 3:
                stems.add(deaccent(key[:-1]))
            elif " " not in key:
                words.add(key)
    return frozenset(words), frozenset(map(deaccent, words)), tuple(sorted(stems))


def _lsa(matrix: Any) -> NDArray[np.float32]:
    """Rows in a dense semantic space of at most 100 dimensions, unit length."""
    components = min(100, matrix.shape[1] - 1, matrix.shape[0] - 1)
    if components < 2:
        return np.asarray(normalize(matrix).toarray(), dtype=np.float32)
    svd = TruncatedSVD(components, random_state=SEED)
    reduced = svd.fit_transform(matrix)
    return np.asarray(normalize(reduced), dtype=np.float32)


def _cluster(points: NDArray[np.float32], min_size: int, max_themes: int) -> NDArray[np.int_]:
    """Cluster labels; k chosen by silhouette on a sample (fixed seeds)."""
    count = len(points)
    upper = min(MAX_K, 3 * max_themes, count // min_size + 1)  # + 1: room for a rest
    if upper < 2:
        return np.zeros(count, dtype=np.int_)
    rng = np.random.default_rng(SEED)
    sample = points if count <= SAMPLE else points[rng.choice(count, SAMPLE, replace=False)]
    best, best_score = 2, -2.0
    tries = 5 if len(sample) < 1000 else 1  # restarts are cheap on small samples
    for k in _candidates(upper):
        model = MiniBatchKMeans(k, random_state=SEED, n_init=tries, batch_size=1024)
        labels = model.fit_predict(sample)
        if len(np.unique(labels)) < 2:
            continue
        score = float(silhouette_score(sample, labels))
        if score > best_score:
            best, best_score = k, score
    model = MiniBatchKMeans(best, random_state=SEED, n_init=3, batch_size=1024)
    return np.asarray(model.fit_predict(points), dtype=np.int_)


def _merge_fragments(matrix: Any, labels: NDArray[np.int_], min_size: int) -> NDArray[np.int_]:
    """k-means splits topics: a cluster joins a larger one with the same heaviest term, and a
    cluster too small to propose joins a larger one whose heaviest term is in its top three."""
    clusters = sorted(np.unique(labels), key=lambda c: (-int(np.sum(labels == c)), int(c)))
    merged = labels.copy()
    kept: list[tuple[int, int]] = []  # (cluster, heaviest term) of clusters that stay
    for cluster in clusters:
        members = labels == cluster
        weights = np.asarray(matrix[members].mean(axis=0)).ravel()
        top = [int(i) for i in np.argsort(-weights, kind="stable")[:3]]
        small = int(members.sum()) < min_size
        into = next((c for c, t in kept if t == top[0] or (small and t in top)), None)
        if into is None:
            kept.append((int(cluster), top[0]))
        else:
            merged[members] = into
    return merged


def _candidates(upper: int) -> list[int]:
    """k values tried: 2-6, then steps of about a quarter (8, 10, 12, 15, 18, 22, ...)."""
    ks = list(range(2, min(upper, 6) + 1))
    k = 6
    while k < upper:
        k = min(upper, k + max(2, k // 4))
        ks.append(k)
    return ks


def _display(feature: str) -> str:
    return _join(*feature.split(" "))


def _join(*words: str) -> str:
    return ("" if all(is_thai(word) for word in words) else " ").join(words)


def _proposal(
    docs: list[_Doc],
    texts: list[str],
    matrix: Any,
    points: NDArray[np.float32],
    members: NDArray[np.int_],
    terms: NDArray[Any],
    language: str,
) -> ThemeProposal | None:
    """A cluster as a proposal: distinctive keywords, members holding one, label, quotes."""
    rows = matrix[members]  # a copy: slice the members' rows once
    centre = np.asarray(rows.mean(axis=0)).ravel()
    lift = centre  # one cluster: its heaviest terms; else those heavier than elsewhere
    if len(members) < matrix.shape[0]:
        lift = centre - np.asarray(matrix.mean(axis=0)).ravel()
    top = [int(i) for i in np.argsort(-lift)[:KEYWORDS] if lift[i] > 0]
    if not top:
        return None
    share = np.asarray((rows[:, top] > 0).mean(axis=0)).ravel()
    top = [term for term, held in zip(top, share, strict=True) if held >= KEYWORD_SHARE]
    if not top:
        return None
    defining = [i for i in top[:DEFINING] if lift[i] * 3 >= lift[top[0]]]  # strong ones
    held = np.asarray((rows[:, defining] > 0).sum(axis=1)).ravel() > 0
    members = members[held]
    if len(members) == 0:
        return None
    direction = points[members].mean(axis=0)
    closeness = points[members] @ direction
    ordered = members[np.argsort(-closeness, kind="stable")]
    defining_terms = {str(terms[i]) for i in defining}
    phrases = _phrases([docs[i] for i in ordered[:300]], defining_terms)
    keywords = [_display(str(terms[i])) for i in top]
    label = _label(phrases, keywords)
    quotes = [Quote(docs[i].ids[0], texts[docs[i].index]) for i in ordered[:QUOTES]]
    ids = [comment_id for i in ordered for comment_id in docs[i].ids]
    return ThemeProposal("", label, language, len(members), keywords, phrases, quotes, ids)


def _phrases(docs: list[_Doc], defining: set[str]) -> list[tuple[str, int]]:
    """Phrases of 1-4 topic words holding a defining keyword, with the comments saying them;
    longer phrases first when almost as common ("loyalty points" before "points")."""
    counts: Counter[str] = Counter()
    for doc in docs:
        found: set[str] = set()
        for run in doc.runs:
            words = run.split(" ")
            for size in range(1, min(4, len(words)) + 1):
                for start in range(len(words) - size + 1):
                    gram = words[start : start + size]
                    key = " ".join(gram)
                    if defining & {*gram, *map(" ".join, pairwise(gram))}:
                        found.add(key)
        counts.update(found)
    ranked = sorted(counts, key=lambda k: (-counts[k] * (1 + 0.45 * k.count(" ")), k))
    return [(_display(key), counts[key]) for key in ranked[:5]]


def _label(phrases: list[tuple[str, int]], keywords: list[str]) -> str:
    """The top phrase, and a second one said half as often or more that shares no word."""
    if not phrases:
        return keywords[0]
    label, count = phrases[0]
    for other, other_count in phrases[1:]:
        overlap = set(other.split(" ")) & set(label.split(" ")) or other in label or label in other
        if other_count * 2 >= count and not overlap:
            return f"{label} / {other}"
    return label


def _merge_same_label(proposals: list[ThemeProposal]) -> list[ThemeProposal]:
    merged: dict[str, ThemeProposal] = {}
    for proposal in sorted(proposals, key=lambda p: -p.size):
        first = merged.get(proposal.label)
        if first is None:
            merged[proposal.label] = proposal
            continue
        first.size += proposal.size
        first.comment_ids.extend(proposal.comment_ids)
    return list(merged.values())


def _unique_key(proposal: ThemeProposal, taken: set[str]) -> str:
    base = _SLUG.sub("_", deaccent(proposal.label).lower()).strip("_")[:40].strip("_")
    base = base or f"new_{proposal.language}"
    key, number = base, 2
    while key in taken:
        key, number = f"{base}_{number}", number + 1
    taken.add(key)
    return key


DATA_DIR = Path(os.environ.get("CXLOOP_DATA_DIR", "/work/shared/data"))
SYNTHETIC_WORDS = "the a my at store today again staff price order week card phone"


def benchmark(n: int, echo: Callable[[str], None] = print, data_dir: Path = DATA_DIR) -> float:
    """Time discover_themes() on n comments (labelled comments from `data_dir` when present,
    else synthetic) against a baseline in the same run: tokenising them once. Echoes
    comments/s, seconds and the ratio; returns the seconds."""
    import time

    comments, source = benchmark_comments(n, data_dir)
    start, cpu = time.perf_counter(), time.process_time()
    for comment in comments:
        tokenise(prepare(clean(comment.text)))
    baseline, baseline_cpu = time.perf_counter() - start, time.process_time() - cpu
    start, cpu = time.perf_counter(), time.process_time()
    proposals = discover_themes(comments)
    seconds, seconds_cpu = time.perf_counter() - start, time.process_time() - cpu
    count = len(comments)
    echo(f"theme discovery, {count:,} comments ({source})")
    echo(f"  baseline (tokenise only): {baseline:.1f} s ({baseline_cpu:.1f} s CPU)")
    echo(f"  discover_themes: {seconds:.1f} s ({seconds_cpu:.1f} s CPU), {count / seconds:,.0f}/s")
    echo(f"  ratio discovery/baseline: {seconds / baseline:.1f}x; {len(proposals)} themes:")
    for proposal in proposals:
        echo(f"    {proposal.language} {proposal.size:>6,}  {proposal.label}")
    return seconds


def benchmark_comments(n: int, data_dir: Path = DATA_DIR) -> tuple[list[UncoveredComment], str]:
    """n comments: the CSVs under data_dir (columns text, lang) shuffled with a fixed seed and,
    past their number, pairs of them joined; synthetic ones when there are none."""
    import csv
    import random

    rows: list[tuple[str, str]] = []
    for path in sorted(data_dir.glob("**/*.csv")) if data_dir.is_dir() else []:
        with path.open(encoding="utf-8", newline="") as handle:
            rows.extend((r["text"], r["lang"]) for r in csv.DictReader(handle) if r.get("text"))
    source = f"{len(rows):,} real comments from {data_dir}"
    rng = random.Random(SEED)
    if not rows:
        topics = ["parking", "wifi", "queue", "refund", "app login", "loyalty points"]
        words = SYNTHETIC_WORDS.split(" ")
        rows = [
            (f"{rng.choice(topics)} {' '.join(rng.choices(words, k=6))} {i}", "en")
            for i in range(2000)
        ]
        source = "synthetic comments"
    rng.shuffle(rows)
    comments = [UncoveredComment(i, *rows[i % len(rows)]) for i in range(min(n, len(rows)))]
    for i in range(len(rows), n):  # more than the data holds: join two of the same language
        text, language = rows[i % len(rows)]
        other = rng.choice(rows)
        joined = f"{text} {other[0]}" if other[1] == language else f"{text} {i}"
        comments.append(UncoveredComment(i, joined, language))
    return comments, source

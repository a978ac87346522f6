"""Text analytics benchmark: comments per second for language + sentiment + themes, and
sentiment macro-F1 per dev set, with baselines measured in the same run; and theme- and
pillar-tagging scores on cxloop's labelled customer comments.

Baselines: a bare `py3langid.classify` loop (language only, the cheapest useful step: a
machine-independent yardstick) and the reference sentiment path (feature names -> sparse matrix
-> `LinearModel.logits`, as cxloop computed it before the fast scorer). The ratios, not the raw
rates, are what compare across machines.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import asdict
from pathlib import Path

import numpy as np

from cxloop.text.evaluation.datasets import (
    Corpus,
    Example,
    load_corpora,
)
from cxloop.text.evaluation.themes import customer_theme_scores
from cxloop.text.linear import softmax
from cxloop.text.normalise import clean
from cxloop.text.pipeline import DefaultAnalyser
from cxloop.text.sentiment import SentimentAnalyser, training_unit
from cxloop.text.training import score_corpus

LANGUAGES = ("en", "vi", "th", "lt")
WARM_UP = ["fast delivery", "giao hàng nhanh", "san pham tot", "ส่งของเร็วมาก", "greitas pristatymas"]


def _rate(count: int, seconds: float) -> float:
    return round(count / seconds, 1) if seconds > 0 else float("inf")


def _timed(step: Callable[[], object]) -> float:
    started = time.perf_counter()
    step()
    return time.perf_counter() - started


def throughput(texts: Sequence[str], languages: Sequence[str] = LANGUAGES) -> dict[str, float]:
    """Comments/s of the default analyser (language + sentiment + themes, no key phrases) and
    of the baselines, each on a fresh analyser with its models already loaded."""
    import py3langid

    analyser = DefaultAnalyser(phrases=False)
    analyser.analyse(WARM_UP, languages=languages)
    pipeline = _timed(lambda: analyser.analyse(texts, languages=languages))
    py3langid.classify("warm up")
    langid = _timed(lambda: [py3langid.classify(text) for text in texts])
    codes = [
        code
        for code, _ in DefaultAnalyser(phrases=False)
        .detector(languages)
        .detect_many([clean(text) for text in texts])
    ]
    cleaned = [clean(text) for text in texts]
    fast = SentimentAnalyser()
    fast_seconds = _timed(lambda: fast.analyse(cleaned, codes))
    reference_seconds = _timed(lambda: reference_probabilities(fast, cleaned, codes))
    return {
        "comments": len(texts),
        "pipeline_per_s": _rate(len(texts), pipeline),
        "py3langid_per_s": _rate(len(texts), langid),
        "pipeline_vs_py3langid": round(langid / pipeline, 3) if pipeline else 0.0,
        "sentiment_per_s": _rate(len(texts), fast_seconds),
        "reference_sentiment_per_s": _rate(len(texts), reference_seconds),
        "sentiment_speedup": round(reference_seconds / fast_seconds, 2) if fast_seconds else 0.0,
    }


def reference_probabilities(
    analyser: SentimentAnalyser, texts: Sequence[str], languages: Sequence[str]
) -> np.ndarray:
    """Comment probabilities through the reference path (named features, sparse matrix)."""
    model = analyser.model
    units = [training_unit(t, code, model) for t, code in zip(texts, languages, strict=True)]
    return softmax(np.asarray(model.logits(units), np.float64))


def accuracy(corpora: dict[str, Corpus]) -> dict[str, float]:
    """Sentiment macro-F1 per dev set (three classes, mixed as neutral; AIVIVN pos/neg)."""
    analyser = SentimentAnalyser()
    return {
        name: round(score_corpus(analyser, corpus.dev, corpus.binary), 4)
        for name, corpus in corpora.items()
    }


def agreement(examples: Sequence[Example]) -> float:
    """Largest difference between the fast and reference comment probabilities (~0)."""
    analyser = SentimentAnalyser()
    texts = [clean(e.text) for e in examples]
    codes = [e.language for e in examples]
    fast = np.array([list(r.probabilities.values()) for r in analyser.analyse(texts, codes)])
    reference = reference_probabilities(analyser, texts, codes)
    return float(np.abs(fast - reference).max()) if len(texts) else 0.0


def run(
    data_dir: Path | None,
    demo_texts: Sequence[str] | None,
    echo: Callable[[str], None],
) -> dict[str, object]:
    """Runs the benchmark on the shared data sets (when data_dir or ../shared/data exists)
    and on demo comments (when given); prints a summary line per measurement."""
    report: dict[str, object] = {}
    if demo_texts:
        demo = throughput(list(demo_texts))
        report["demo"] = demo
        echo(_line("demo comments", demo))
    analyser = DefaultAnalyser(phrases=False)
    for which in ("themes", "pillars"):
        found = customer_theme_scores(analyser, which)
        report[which] = {name: asdict(tagged) for name, tagged in found.items()}
        for name, tagged in found.items():
            echo(f"{name} {which}: {tagged.line()}")
    try:
        corpora = load_corpora(data_dir)
    except FileNotFoundError as exc:
        echo(f"shared data sets not found ({exc.filename}); skipped")
        return report
    sets: dict[str, dict[str, float]] = {}
    for name, corpus in corpora.items():
        sets[name] = throughput([e.text for e in corpus.dev])
        echo(_line(name, sets[name]))
    report["data_sets"] = sets
    scores = accuracy(corpora)
    report["macro_f1"] = scores
    echo("macro-F1 (dev): " + ", ".join(f"{k} {v:.3f}" for k, v in scores.items()))
    sample = [e for corpus in corpora.values() for e in corpus.dev[:300]]
    difference = agreement(sample)
    report["fast_vs_reference_max_diff"] = difference
    echo(f"fast vs reference scorer: max probability difference {difference:.2e}")
    return report


def _line(name: str, row: dict[str, float]) -> str:
    return (
        f"{name}: {row['comments']:.0f} comments, language+sentiment+themes "
        f"{row['pipeline_per_s']:.0f}/s ({row['pipeline_vs_py3langid']:.2f}x a bare "
        f"py3langid.classify loop at {row['py3langid_per_s']:.0f}/s); sentiment "
        f"{row['sentiment_per_s']:.0f}/s vs reference path {row['reference_sentiment_per_s']:.0f}/s"
        f" ({row['sentiment_speedup']:.1f}x)"
    )

"""Text analytics benchmark: throughput (comments/s) and accuracy (dev macro-F1) on
../shared/data.

    .venv/bin/python benchmarks/bench_text.py [--data-dir ../shared/data] [--limit N]

Theme and CX-pillar tagging are scored (micro-F1 over themes) on cxloop's labelled customer
comments: the held-out sets (cx_*) and the seed sets (seed_*).

Throughput is for language + sentiment + themes (and, separately, with key phrases too), over
every comment of every set, printed with its ratio to a baseline pass in the same run (clean +
tokenise only). Accuracy uses the full pipeline with language detection restricted to
en,vi,th,lt, exactly as `cxloop text classify --languages en,vi,th,lt` runs.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from cxloop.text.evaluation.datasets import (
    default_data_dir,
    load_corpora,
    macro_f1,
    three_way,
)
from cxloop.text.evaluation.themes import customer_theme_scores
from cxloop.text.normalise import clean, prepare, tokenise
from cxloop.text.pipeline import DefaultAnalyser

LANGUAGES = ("en", "vi", "th", "lt")


def timed(label: str, work: object, count: int, baseline: float | None = None) -> float:
    assert callable(work)
    started = time.perf_counter()
    work()
    elapsed = time.perf_counter() - started
    rate = count / elapsed
    ratio = f"  ({rate / baseline:.2f}x baseline)" if baseline else ""
    print(f"{label:<44} {rate:>9,.0f} comments/s{ratio}")
    return rate


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", type=Path, default=default_data_dir())
    parser.add_argument("--limit", type=int, default=0, help="use at most N comments")
    args = parser.parse_args()
    corpora = load_corpora(args.data_dir)
    texts = [e.text for c in corpora.values() if not c.seed for e in (*c.train, *c.dev)]
    if args.limit:
        texts = texts[: args.limit]
    print(f"{len(texts):,} comments from {args.data_dir}")
    fast = DefaultAnalyser(phrases=False)
    full = DefaultAnalyser()
    fast.analyse(texts[:200], languages=LANGUAGES)  # load models before timing
    full.analyse(texts[:200], languages=LANGUAGES)

    def baseline() -> None:
        for text in texts:
            tokenise(prepare(clean(text)))

    base = timed("baseline: clean + tokenise", baseline, len(texts))
    timed(
        "language + sentiment + themes",
        lambda: fast.analyse(texts, languages=LANGUAGES),
        len(texts),
        base,
    )
    timed(
        "language + sentiment + themes + key phrases",
        lambda: full.analyse(texts, languages=LANGUAGES),
        len(texts),
        base,
    )
    print("\nmacro-F1 on dev splits (3 classes, mixed = neutral; AIVIVN: pos/neg), language")
    for name, corpus in corpora.items():
        examples, binary, language = corpus.dev, corpus.binary, corpus.language
        results = fast.analyse([e.text for e in examples], languages=LANGUAGES)
        gold = [e.label for e in examples]
        if binary:
            predicted = ["pos" if r.sentiment_score >= 0 else "neg" for r in results]
        else:
            predicted = [three_way(r.sentiment) for r in results]
        right_language = sum(r.language == language for r in results) / len(results)
        print(
            f"{name:<26} macro-F1 {macro_f1(gold, predicted):.4f}   "
            f"language {language} detected {right_language:.1%}   (n={len(examples)})"
        )
    for which in ("themes", "pillars"):
        print(f"\n{which} tagging on cxloop's labelled customer comments")
        for name, scores in customer_theme_scores(fast, which).items():
            print(f"{name:<10} {scores.line()}")


if __name__ == "__main__":
    main()

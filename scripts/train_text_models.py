"""Train cxloop's multilingual sentiment model from ../shared/data and report dev macro-F1.

    .venv/bin/python scripts/train_text_models.py            # writes src/cxloop/text/models/
    .venv/bin/python scripts/train_text_models.py --permissive-only   # wisesight (CC0) only
    .venv/bin/python scripts/train_text_models.py --corrections-experiment

Reproducible: fixed seeds, fixed AIVIVN hold-back (last 20% after a seeded shuffle). The data is
read from beside the repository and never copied into it; only the trained model file is.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

from cxloop.text.corrections import Correction, retrain_with_corrections
from cxloop.text.evaluation.datasets import (
    Corpus,
    default_data_dir,
    lithuanian_examples,
    load_corpora,
)
from cxloop.text.linear import LinearModel
from cxloop.text.sentiment import SentimentAnalyser
from cxloop.text.training import TrainingOptions, prune, score_corpus, train

MODEL_PATH = Path(__file__).resolve().parents[1] / "src" / "cxloop" / "text" / "models"
PERMISSIVE = ("wisesight",)


def report(model: LinearModel, corpora: dict[str, Corpus]) -> dict[str, float]:
    analyser = SentimentAnalyser(model)
    scores = {
        name: round(score_corpus(analyser, corpus.dev, corpus.binary), 4)
        for name, corpus in corpora.items()
    }
    scores["lithuanian_hand_labelled"] = round(
        score_corpus(analyser, lithuanian_examples(), False), 4
    )
    return scores


def corrections_experiment(corpora: dict[str, Corpus], options: TrainingOptions) -> None:
    """Base model without UIT-VSFC; then 200 UIT-VSFC training comments as corrections."""
    base = train([c for name, c in corpora.items() if name != "uit_vsfc"], options)
    uit = corpora["uit_vsfc"]
    before = score_corpus(SentimentAnalyser(base), uit.dev, False)
    print(f"base without UIT-VSFC: UIT-VSFC dev macro-F1 {before:.4f}")
    for seed in (1, 2, 3):
        picked = random.Random(seed).sample(uit.train, 200)
        fixes = [Correction(e.text, e.label, e.language) for e in picked]
        adapted = retrain_with_corrections(base, fixes)
        after = score_corpus(SentimentAnalyser(adapted), uit.dev, False)
        others = {
            name: round(score_corpus(SentimentAnalyser(adapted), c.dev, c.binary), 4)
            for name, c in corpora.items()
            if name != "uit_vsfc"
        }
        print(f"  + 200 corrections (seed {seed}): UIT-VSFC dev {after:.4f}; others {others}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=default_data_dir())
    parser.add_argument("--output", type=Path, default=MODEL_PATH / "sentiment.npz")
    parser.add_argument("--permissive-only", action="store_true")
    parser.add_argument("--no-save", action="store_true")
    parser.add_argument("--corrections-experiment", action="store_true")
    parser.add_argument("--prune", type=float, default=0.02)
    parser.add_argument("--options", default="{}", help="JSON of TrainingOptions fields")
    args = parser.parse_args(argv)
    corpora = load_corpora(args.data_dir)
    options = TrainingOptions(**json.loads(args.options))
    if args.corrections_experiment:
        corrections_experiment(corpora, options)
        return 0
    names = PERMISSIVE if args.permissive_only else tuple(corpora)
    started = time.perf_counter()
    model = train([corpora[name] for name in names], options)
    print(f"trained in {time.perf_counter() - started:.0f}s, {len(model.vocabulary)} features")
    model = prune(model, args.prune)
    print(f"pruned to {len(model.vocabulary)} features")
    print(json.dumps(report(model, corpora), indent=2))
    if not args.no_save:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        model.save(args.output)
        print(f"saved {args.output} ({args.output.stat().st_size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""A reproducible experiment: does a model retrained from people's corrections get better in
their language, and stay the same in the others?

    from cxloop.text.evaluation.corrections import correction_experiment
    correction_experiment("vi", n_corrections=200)

n labelled comments of one language are taken from a corpus's training split as corrections;
accuracy and macro-F1 are measured before and after on held-out comments of that language (the
dev splits) and on every other language's held-out comments.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from pathlib import Path

from cxloop.core.errors import Invalid
from cxloop.text.corrections import Correction, retrain_with_corrections
from cxloop.text.evaluation.datasets import (
    Corpus,
    Example,
    load_corpora,
    macro_f1,
    three_way,
)
from cxloop.text.linear import LinearModel
from cxloop.text.normalise import clean
from cxloop.text.sentiment import SentimentAnalyser, load_base_model

DEFAULT_CORPUS = {"vi": "uit_vsfc", "th": "wisesight", "en": "umsab"}


def scores(model: LinearModel, examples: Sequence[Example], binary: bool) -> dict[str, float]:
    """Accuracy and macro-F1 (three classes, mixed as neutral; or pos/neg when binary)."""
    results = SentimentAnalyser(model).analyse(
        [clean(e.text) for e in examples], [e.language for e in examples]
    )
    if binary:
        predicted = [
            "pos" if r.probabilities["positive"] >= r.probabilities["negative"] else "neg"
            for r in results
        ]
    else:
        predicted = [three_way(r.label) for r in results]
    gold = [e.label for e in examples]
    right = sum(1 for g, p in zip(gold, predicted, strict=True) if g == p)
    return {
        "accuracy": round(right / len(gold), 4),
        "macro_f1": round(macro_f1(gold, predicted), 4),
    }


def correction_experiment(
    language: str,
    n_corrections: int = 200,
    *,
    corpus: str | None = None,
    base: LinearModel | None = None,
    corpora: Mapping[str, Corpus] | None = None,
    data_dir: Path | None = None,
    seed: int = 1,
) -> dict[str, object]:
    """Scores before and after retraining `base` (default: the shipped model) with
    n_corrections comments of `language` from `corpus`'s training split (default: the main
    corpus of that language). Every other corpus's dev split is measured too."""
    corpora = corpora if corpora is not None else load_corpora(data_dir)
    name = corpus or DEFAULT_CORPUS.get(language, "")
    if name not in corpora or corpora[name].language != language:
        raise Invalid(f"corpus: no {language} corpus named '{name}'")
    pool = list(corpora[name].train)
    if n_corrections < 1 or n_corrections > len(pool):
        raise Invalid(f"n_corrections: must be between 1 and {len(pool)}")
    picked = random.Random(seed).sample(pool, n_corrections)
    before_model = base or load_base_model()
    after_model = retrain_with_corrections(
        before_model, [Correction(e.text, e.label, e.language) for e in picked]
    )
    sets: dict[str, tuple[list[Example], bool]] = {
        key: (list(c.dev), c.binary) for key, c in corpora.items()
    }
    target: dict[str, object] = {}
    others: dict[str, object] = {}
    for key, (examples, binary) in sets.items():
        row = {
            "before": scores(before_model, examples, binary),
            "after": scores(after_model, examples, binary),
        }
        same_language = examples[0].language == language if examples else False
        (target if same_language else others)[key] = row
    return {
        "language": language,
        "corpus": name,
        "corrections": n_corrections,
        "seed": seed,
        "same_language": target,
        "other_languages": others,
    }

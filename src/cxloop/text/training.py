"""Training of the multilingual sentiment model from labelled corpora (see
scripts/train_text_models.py), and its evaluation on their dev splits."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from cxloop.text.evaluation.datasets import Corpus, Example, macro_f1, three_way
from cxloop.text.features import clause_features
from cxloop.text.linear import LinearModel, TrainingSet, Unit, build_vocabulary, fit
from cxloop.text.normalise import clean, deaccent
from cxloop.text.sentiment import SentimentAnalyser, comment_unit


@dataclass
class TrainingOptions:
    l2: float = 0.0012
    min_count: int = 2
    deaccented_copies: float = 0.5  # share of Vietnamese rows added again without diacritics
    lexicon_rows: float = 0.3  # share of rows added again with lexicon inputs only
    lexicon_row_weight: float = 0.5
    class_balance: float = 0.5  # 1: classes weigh the same; 0: as often as they occur
    corpus_weight: float = 0.5  # a corpus weighs n**corpus_weight in total (0: all equal)
    max_iter: int = 400
    corpus_scale: dict[str, float] = field(
        default_factory=lambda: {"umsab": 0.15}
    )  # extra weight per corpus
    seed: int = 7


def _rows(example: Example, trained: frozenset[str], *, lexicon_only: bool = False) -> Unit:
    text = clean(example.text)
    use_lexicon_only = lexicon_only or example.language not in trained
    clauses = clause_features(text, example.language, lexicon_only=use_lexicon_only)
    return comment_unit(clauses, example.language, not use_lexicon_only)


def training_set(corpora: Iterable[Corpus], options: TrainingOptions) -> TrainingSet:
    """Rows of every corpus's training split, class-balanced within each corpus."""
    corpora = list(corpora)
    trained = frozenset(corpus.language for corpus in corpora)
    rng = random.Random(options.seed)
    data = TrainingSet([], [], [], [])
    assert data.allowed is not None
    for corpus in corpora:
        counts = Counter(example.label for example in corpus.train)
        total = len(corpus.train) ** options.corpus_weight
        total *= options.corpus_scale.get(corpus.name, 1.0)
        shares = {label: n ** (1 - options.class_balance) for label, n in counts.items()}
        norm = sum(shares.values())
        per_class = {label: total * shares[label] / (norm * n) for label, n in counts.items()}
        allowed = ("neg", "pos") if corpus.binary else ("neg", "neu", "pos")
        for example in corpus.train:
            weight = per_class[example.label]
            variants = [(example, weight, False)]
            if corpus.language == "vi" and rng.random() < options.deaccented_copies:
                plain = Example(deaccent(example.text), example.label, "vi")
                variants.append((plain, weight, False))
            if rng.random() < options.lexicon_rows:
                variants.append((example, weight * options.lexicon_row_weight, True))
            for variant, row_weight, lexicon_only in variants:
                data.units.append(_rows(variant, trained, lexicon_only=lexicon_only))
                data.labels.append(variant.label)
                data.weights.append(row_weight)
                data.allowed.append(allowed)
    return data


def train(corpora: Sequence[Corpus], options: TrainingOptions | None = None) -> LinearModel:
    """A model trained on the training splits of the corpora."""
    options = options or TrainingOptions()
    data = training_set(corpora, options)
    vocabulary = build_vocabulary(data.units, options.min_count)
    languages = sorted({corpus.language for corpus in corpora})
    info: dict[str, object] = {
        "trained_languages": languages,
        "corpora": [corpus.name for corpus in corpora],
        "l2": options.l2,
    }
    start = LinearModel(vocabulary, np.zeros((len(vocabulary), 3), np.float32), info=info)
    return fit(start, data, l2=options.l2, max_iter=options.max_iter)


def prune(model: LinearModel, threshold: float) -> LinearModel:
    """The model without features whose weights are all below threshold (smaller file)."""
    keep = np.abs(model.weights).max(axis=1) >= threshold
    for name, index in model.vocabulary.items():
        if name.startswith("~"):
            keep[index] = True
    names = sorted(model.vocabulary, key=model.vocabulary.__getitem__)
    kept = [name for name, flag in zip(names, keep, strict=True) if flag]
    vocabulary = {name: i for i, name in enumerate(kept)}
    return LinearModel(vocabulary, model.weights[keep], model.classes, dict(model.info))


def predict(analyser: SentimentAnalyser, examples: Sequence[Example]) -> list[str]:
    """Analyser labels (positive/neutral/negative/mixed) of examples, in their own language."""
    texts = [clean(example.text) for example in examples]
    results = analyser.analyse(texts, [example.language for example in examples])
    return [result.label for result in results]


def score_corpus(analyser: SentimentAnalyser, examples: Sequence[Example], binary: bool) -> float:
    """Macro-F1 on examples: three classes (mixed as neutral), or pos/neg for a binary set."""
    gold = [example.label for example in examples]
    if binary:
        texts = [clean(example.text) for example in examples]
        results = analyser.analyse(texts, [example.language for example in examples])
        predicted = [
            "pos" if r.probabilities["positive"] >= r.probabilities["negative"] else "neg"
            for r in results
        ]
        return macro_f1(gold, predicted)
    return macro_f1(gold, [three_way(label) for label in predict(analyser, examples)])

"""Training of the multilingual sentiment model from labelled corpora (see
scripts/train_text_models.py), and its evaluation on their dev splits.

Each trained language gets its own logistic regression (scikit-learn, training only) over its
own prefixed features, with its own L2 strength and class weighting; a small shared model over
the lexicon inputs of every language serves languages without training data. The parts are
merged into one `LinearModel` (numpy inference).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse
from numpy.typing import NDArray

from cxloop.text.evaluation.datasets import Corpus, Example, macro_f1, three_way
from cxloop.text.features import clause_features, clauses_of, dense_names, dense_values
from cxloop.text.lexicon import LexiconScore, score_clause
from cxloop.text.linear import (
    CLASSES,
    LinearModel,
    TrainingSet,
    Unit,
    build_vocabulary,
    class_weights,
    softmax,
)
from cxloop.text.normalise import clean, deaccent
from cxloop.text.sentiment import (
    CLAUSE_CONFIDENCE,
    MIXED_MARGIN,
    SentimentAnalyser,
    comment_unit,
)


@dataclass
class TrainingOptions:
    c: dict[str, float] = field(default_factory=lambda: {"vi": 4.0, "th": 2.0, "en": 0.25})
    class_balance: dict[str, float] = field(
        default_factory=lambda: {"vi": 0.5, "th": 0.5, "en": 0.5}
    )  # 1: classes weigh the same; 0: as often as they occur
    min_count: int = 2
    deaccented_copies: float = 0.5  # share of Vietnamese rows added again without diacritics
    corpus_weight: float = 0.5  # a corpus weighs n**corpus_weight within its language
    seed_weight: float = 2.0  # and a customer-comment seed set this many times more
    lexicon_rows: int = 3000  # lexicon-only rows per corpus (every language) in each fit
    lexicon_row_weight: float = 0.5
    shared_c: float = 1.0
    max_iter: int = 3000  # L-BFGS converges; fewer iterations leave results run-dependent
    seed: int = 7
    kind_scale: dict[str, float] = field(
        default_factory=lambda: {"word": 1.0, "bigram": 1.0, "trigram": 1.0, "char": 1.0}
    )  # sparse inputs of each kind are multiplied by this in the fit (weaker L2 on them)
    nb: float = 1.0  # exponent of the naive-Bayes log-count-ratio scaling (0: none)
    idf: float = 0.0  # exponent of the inverse-document-frequency scaling (0: none)


def _unit(example: Example, trained: bool) -> Unit:
    clauses = clause_features(clean(example.text), example.language, lexicon_only=not trained)
    return comment_unit(clauses, example.language, trained)


def lexicon_unit(example: Example, language: str | None) -> Unit:
    """A row with only the lexicon inputs of an example, under the dense names of a trained
    language (or the shared ones)."""
    clauses = clause_features(clean(example.text), example.language, lexicon_only=True)
    total = sum((clause.lexicon for clause in clauses), LexiconScore())
    return [], list(zip(dense_names(language), [*dense_values(total), 1.0], strict=True))


def lexicon_rows(
    corpora: Sequence[Corpus], language: str | None, per_corpus: int, weight: float, seed: int
) -> TrainingSet:
    """Lexicon-only rows from every corpus, class-balanced: what the lexicon says carries over
    across domains and languages, so it anchors each language's lexicon weights."""
    rng = random.Random(seed)
    data = TrainingSet([], [], [])
    for corpus in corpora:
        picked = rng.sample(corpus.train, min(per_corpus, len(corpus.train)))
        balanced = class_weights((example.label for example in picked), 1.0)
        for example in picked:
            data.units.append(lexicon_unit(example, language))
            data.labels.append(example.label)
            data.weights.append(weight * balanced[example.label])
    return data


def corpus_share(corpus: Corpus, options: TrainingOptions) -> float:
    """A corpus's weight within its language: n**corpus_weight, times seed_weight for a seed
    set."""
    share = float(len(corpus.train) ** options.corpus_weight)
    return share * options.seed_weight if corpus.seed else share


def language_rows(corpora: Sequence[Corpus], options: TrainingOptions) -> TrainingSet:
    """Rows of the training splits of one language's corpora, class- and corpus-weighted
    (weights average 1)."""
    rng = random.Random(options.seed)
    data = TrainingSet([], [], [])
    for corpus in corpora:
        balance = options.class_balance.get(corpus.language, 0.5)
        labels = class_weights((example.label for example in corpus.train), balance)
        total = corpus_share(corpus, options) / len(corpus.train)
        for example in corpus.train:
            weight = total * labels[example.label]
            variants = [example]
            if corpus.language == "vi" and rng.random() < options.deaccented_copies:
                variants.append(Example(deaccent(example.text), example.label, "vi"))
            for variant in variants:
                data.units.append(_unit(variant, True))
                data.labels.append(variant.label)
                data.weights.append(weight)
    mean = sum(data.weights) / max(len(data.weights), 1)
    data.weights = [w / mean for w in data.weights]
    return data


def join(*sets: TrainingSet) -> TrainingSet:
    return TrainingSet(
        [u for s in sets for u in s.units],
        [label for s in sets for label in s.labels],
        [w for s in sets for w in s.weights],
    )


def feature_kind(name: str) -> str:
    """word, bigram, trigram, char (n-gram) or dense, from a feature name."""
    bare = name.split("|", 1)[-1]
    if bare.startswith("~"):
        return "dense"
    return {"\x01": "word", "\x02": "bigram", "\x03": "trigram"}.get(bare[:1], "char")


def nb_scale(
    x: scipy.sparse.csr_matrix, labels: Sequence[str], weights: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Per-feature naive-Bayes informativeness: the mean over classes of |log-count ratio|
    (class vs the rest, binarised and sample-weighted counts), scaled to mean 1."""
    present = scipy.sparse.csr_matrix(x, copy=True)
    present.sum_duplicates()
    binary = (present > 0).astype(np.float64).tocsc()
    ratios = []
    for label in sorted(set(labels)):
        inside = np.asarray([lab == label for lab in labels]) * weights
        outside = np.asarray([lab != label for lab in labels]) * weights
        p = binary.T @ inside + 1.0
        q = binary.T @ outside + 1.0
        ratios.append(np.abs(np.log((p / p.sum()) / (q / q.sum()))))
    scale = np.mean(ratios, axis=0)
    result: NDArray[np.float64] = scale / scale.mean()
    return result


def fit_sklearn(
    data: TrainingSet,
    c: float,
    min_count: int,
    max_iter: int,
    kind_scale: dict[str, float] | None = None,
    nb: float = 0.0,
    idf: float = 0.0,
) -> tuple[dict[str, int], NDArray[np.float32]]:
    """Vocabulary and weights (intercept folded into the bias input) of a logistic regression.

    Sparse inputs are scaled per kind (and by naive-Bayes ratios) in the fit only: the scale
    folds into the weights, so inference is unchanged (it acts as a per-feature L2 strength)."""
    from sklearn.linear_model import LogisticRegression

    vocabulary = build_vocabulary(data.units, min_count)
    empty = LinearModel(vocabulary, np.zeros((len(vocabulary), len(CLASSES)), np.float32))
    x = empty.matrix(data.units)[:, : len(vocabulary)]
    names = sorted(vocabulary, key=vocabulary.__getitem__)
    scale = np.ones(len(vocabulary))
    if kind_scale:
        scale *= np.asarray([kind_scale.get(feature_kind(name), 1.0) for name in names])
    sparse = np.asarray([feature_kind(name) != "dense" for name in names])
    if nb:
        ratio = nb_scale(x, data.labels, np.asarray(data.weights, np.float64)) ** nb
        scale = np.where(sparse, scale * ratio, scale)
    if idf:
        present = scipy.sparse.csr_matrix(x, copy=True)
        present.sum_duplicates()
        frequency = np.bincount(present.indices, minlength=x.shape[1])
        inverse = np.log((1 + x.shape[0]) / (1 + frequency)) + 1
        inverse = (inverse / inverse[sparse].mean()) ** idf
        scale = np.where(sparse, scale * inverse, scale)
    x = scipy.sparse.csr_matrix(x @ scipy.sparse.diags(scale.astype(np.float32)))
    classifier = LogisticRegression(C=c, max_iter=max_iter, tol=1e-4)
    classifier.fit(x, data.labels, sample_weight=np.asarray(data.weights))
    weights = np.zeros((len(vocabulary), len(CLASSES)), np.float32)
    bias = vocabulary[next(name for name in vocabulary if name.startswith(("~lang:", "~bias")))]
    labels = [str(label) for label in classifier.classes_]
    if len(labels) == 2:  # binary: one column, for the second class
        labels, coef, intercept = labels[1:], classifier.coef_, classifier.intercept_
    else:
        coef, intercept = classifier.coef_, classifier.intercept_
    for column, label in enumerate(labels):
        weights[:, CLASSES.index(label)] = coef[column] * scale
        weights[bias, CLASSES.index(label)] += intercept[column]
    return vocabulary, weights


def train(corpora: Sequence[Corpus], options: TrainingOptions | None = None) -> LinearModel:
    """A model trained on the training splits of the corpora."""
    options = options or TrainingOptions()
    languages = sorted({corpus.language for corpus in corpora})
    parts = []
    for language in languages:
        own = language_rows([c for c in corpora if c.language == language], options)
        anchors = lexicon_rows(
            corpora, language, options.lexicon_rows, options.lexicon_row_weight, options.seed
        )
        data = join(own, anchors)
        parts.append(
            fit_sklearn(
                data,
                options.c.get(language, 1.0),
                options.min_count,
                options.max_iter,
                options.kind_scale,
                options.nb,
                options.idf,
            )
        )
    shared = lexicon_rows(corpora, None, options.lexicon_rows, 1.0, options.seed)
    parts.append(fit_sklearn(shared, options.shared_c, 1, options.max_iter))
    info: dict[str, object] = {
        "trained_languages": languages,
        "corpora": [corpus.name for corpus in corpora],
        "c": options.c,
        "class_balance": options.class_balance,
        "nb": options.nb,
        "idf": options.idf,
    }
    return merge(parts, info)


def merge(
    parts: Sequence[tuple[dict[str, int], NDArray[np.float32]]], info: dict[str, object]
) -> LinearModel:
    """One model from parts with disjoint feature names."""
    vocabulary: dict[str, int] = {}
    blocks = []
    for part_vocabulary, weights in parts:
        names = sorted(part_vocabulary, key=part_vocabulary.__getitem__)
        for name in names:
            vocabulary[name] = len(vocabulary)
        blocks.append(weights)
    return LinearModel(vocabulary, np.vstack(blocks).astype(np.float32), CLASSES, info)


def shift_bias(model: LinearModel, language: str, offsets: Sequence[float]) -> None:
    """Adds per-class offsets (neg, neu, pos) to a trained language's bias, in place."""
    index = model.vocabulary[dense_names(language)[-1]]
    model.weights[index] += np.asarray(offsets, np.float32)


def decide(
    probabilities: NDArray[np.float64], spans: Sequence[tuple[int, int]]
) -> tuple[list[str], list[str]]:
    """Three-way (mixed as neutral) and pos/neg labels of comments from the probabilities of
    the rows SentimentAnalyser scores (a comment's row, then its clause rows when it has
    several), decided as its analyse() decides them."""
    neg, pos = CLASSES.index("neg"), CLASSES.index("pos")
    starts = np.asarray([start for start, _ in spans], np.int64)
    ends = np.asarray([end for _, end in spans], np.int64)
    top = probabilities[starts].argmax(axis=1)
    score = probabilities[starts, pos] - probabilities[starts, neg]
    clear = np.zeros((len(probabilities) + 1, 2), bool)
    clear[:-1, 0] = probabilities[:, pos] >= CLAUSE_CONFIDENCE
    clear[:-1, 1] = probabilities[:, neg] >= CLAUSE_CONFIDENCE
    several = ends - starts > 1
    bounds = np.column_stack([starts + 1, ends])[several].ravel()
    mixed = np.zeros(len(spans), bool)
    if len(bounds):
        found = np.logical_or.reduceat(clear, bounds, axis=0)[::2]
        mixed[several] = found[:, 0] & found[:, 1] & (np.abs(score[several]) < MIXED_MARGIN)
    three = [
        "neu" if m else CLASSES[int(t)] for t, m in zip(top.tolist(), mixed.tolist(), strict=True)
    ]
    binary = ["pos" if s >= 0 else "neg" for s in score.tolist()]
    return three, binary


OFFSET_GRID = (np.round(np.arange(-1.0, 2.01, 0.1), 2), np.round(np.arange(-1.0, 1.01, 0.1), 2))
"""Candidate (neutral, positive) bias offsets; the negative class stays at 0."""


def tune_offsets(
    model: LinearModel, corpora: Sequence[Corpus], options: TrainingOptions | None = None
) -> dict[str, list[float]]:
    """Per trained language, the (neg, neu, pos) bias offsets that maximise the macro-F1 of its
    corpora's dev rows (pass a tuning split of train, never the real dev), averaged with the
    corpora's training weights. The score surface is smoothed over neighbouring offsets first,
    so a lucky point does not win."""
    options = options or TrainingOptions()
    analyser = SentimentAnalyser(model)
    result: dict[str, list[float]] = {}
    for language in sorted({corpus.language for corpus in corpora} & model.trained_languages):
        sets = []
        own = [c for c in corpora if c.language == language]
        shares = np.asarray([corpus_share(c, options) for c in own])
        for corpus in own:
            comments, lexicons = [], []
            for example in corpus.dev:
                clauses, lexicon = clauses_of(clean(example.text), language)
                comments.append((clauses, [score_clause(c, lexicon) for c in clauses]))
                lexicons.append(lexicon)
            logits, spans = analyser.scorer.logits(comments, [language] * len(comments), lexicons)
            sets.append((logits, spans, [e.label for e in corpus.dev], corpus.binary))
        neutral, positive = OFFSET_GRID
        surface = np.zeros((len(neutral), len(positive)))
        for i, j in np.ndindex(surface.shape):
            shift = np.asarray([0.0, neutral[i], positive[j]])
            scores = []
            for logits, spans, gold, binary in sets:
                three, two = decide(softmax(logits + shift), spans)
                scores.append(macro_f1(gold, two if binary else three))
            surface[i, j] = np.average(scores, weights=shares)
        padded = np.pad(surface, 1, mode="edge")
        smooth = sum(
            padded[1 + a : 1 + a + surface.shape[0], 1 + b : 1 + b + surface.shape[1]]
            for a in (-1, 0, 1)
            for b in (-1, 0, 1)
        )
        i, j = np.unravel_index(int(np.argmax(smooth)), surface.shape)
        result[language] = [0.0, float(neutral[i]), float(positive[j])]
    return result


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

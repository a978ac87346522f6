"""Per-workspace sentiment models retrained from people's corrections.

The base model's weights are the prior: the corrections are new training rows and the fit is
pulled towards the base weights (an L2 penalty on the difference). Every feature of the model
belongs to one language (names prefixed "vi|", lexicon inputs and bias per language), and only
the features that occur in a language's corrections are fitted, so corrections in one language
never change the results of another. Words first seen in corrections extend the vocabulary, and
a language corrected for the first time starts from the shared lexicon weights and gains its own
word features.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from cxloop.core.errors import Invalid
from cxloop.text.features import dense_names
from cxloop.text.linear import LinearModel, TrainingSet, class_weights, fit
from cxloop.text.normalise import clean
from cxloop.text.sentiment import training_unit

LABEL_CODES = {
    "positive": "pos",
    "pos": "pos",
    "neutral": "neu",
    "neu": "neu",
    "mixed": "neu",
    "negative": "neg",
    "neg": "neg",
}


@dataclass(frozen=True)
class Correction:
    """A person's sentiment label for one comment."""

    text: str
    label: str  # positive | neutral | negative | mixed (or pos/neu/neg)
    language: str

    def __post_init__(self) -> None:
        if self.label not in LABEL_CODES:
            raise Invalid(f"label: '{self.label}' is not one of positive, neutral, negative, mixed")


def with_language(model: LinearModel, language: str) -> LinearModel:
    """The model with a language of its own (its lexicon inputs and bias copied from the shared
    ones), for a language it was not trained on; the model itself when it was."""
    if language in model.trained_languages:
        return model
    vocabulary = dict(model.vocabulary)
    rows = [model.weights]
    for shared, own in zip(dense_names(None), dense_names(language), strict=True):
        if own not in vocabulary:
            vocabulary[own] = len(vocabulary)
            index = model.vocabulary.get(shared)
            rows.append(
                model.weights[index : index + 1]
                if index is not None
                else np.zeros((1, len(model.classes)), np.float32)
            )
    languages = sorted(model.trained_languages | {language})
    info = {**model.info, "trained_languages": languages}
    return LinearModel(vocabulary, np.vstack(rows), model.classes, info)


def retrain_with_corrections(
    base: LinearModel,
    corrections: Iterable[Correction],
    *,
    strength: float = 1.0,
    pull: float = 3.0,
    balance: float = 0.5,
) -> LinearModel:
    """A copy of base adapted to the corrections (base itself is not changed).

    strength: mean weight of a correction row; pull: how strongly weights stay near base;
    balance: 1 weighs each label's corrections the same in total, 0 as often as they occur
    (0.5, as in the shipped model's training: with none, a workspace whose corrections are
    nearly all positive or negative taught its model to stop saying neutral).
    """
    by_language: dict[str, list[Correction]] = defaultdict(list)
    for correction in corrections:
        if clean(correction.text):
            by_language[correction.language].append(correction)
    model = base
    for language, rows in sorted(by_language.items()):
        model = _adapt(with_language(model, language), rows, strength, pull, balance)
    if model is base:
        return base
    count = sum(len(rows) for rows in by_language.values())
    previous = base.info.get("corrections", 0)
    total = count + (previous if isinstance(previous, int) else 0)
    info = {**model.info, "corrections": total}
    return LinearModel(model.vocabulary, model.weights, model.classes, info)


def _adapt(
    model: LinearModel, rows: list[Correction], strength: float, pull: float, balance: float
) -> LinearModel:
    """Fits only the features that the corrections of one language contain."""
    data = TrainingSet([], [], [])
    by_label = class_weights((LABEL_CODES[correction.label] for correction in rows), balance)
    for correction in rows:
        label = LABEL_CODES[correction.label]
        data.units.append(training_unit(clean(correction.text), correction.language, model))
        data.labels.append(label)
        data.weights.append(strength * by_label[label])
    vocabulary = dict(model.vocabulary)
    used: dict[str, int] = {}
    for names, values in data.units:
        for name in [*names, *(name for name, _ in values)]:
            if name not in used:
                used[name] = len(used)
            if name not in vocabulary:
                vocabulary[name] = len(vocabulary)
    weights = np.zeros((len(vocabulary), len(model.classes)), np.float32)
    weights[: len(model.vocabulary)] = model.weights
    positions = np.fromiter((vocabulary[name] for name in used), np.int64, len(used))
    prior = weights[positions]
    local = LinearModel(used, prior, model.classes, model.info)
    fitted = fit(local, data, l2=pull, prior=prior, max_iter=200)
    weights[positions] = fitted.weights
    return LinearModel(vocabulary, weights, model.classes, dict(model.info))

"""Per-workspace sentiment models retrained from people's corrections.

The base model's weights are the prior: the corrections are new training rows and the fit is
pulled towards the base weights (an L2 penalty on the difference), so a few hundred
corrections adapt the model to a workspace's vocabulary without forgetting what it knew and
without the base training data. Words first seen in corrections extend the vocabulary, and a
language corrected for the first time starts using word features (not only its lexicon).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from cxloop.text.linear import LinearModel, TrainingSet, build_vocabulary, fit
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


def retrain_with_corrections(
    base: LinearModel,
    corrections: Iterable[Correction],
    *,
    strength: float = 1.0,
    pull: float = 0.25,
) -> LinearModel:
    """A copy of base adapted to the corrections (base itself is not changed).

    strength: weight of each correction row; pull: how strongly weights stay near base.
    """
    rows = [c for c in corrections if c.label in LABEL_CODES and clean(c.text)]
    if not rows:
        return base
    languages = sorted(base.trained_languages | {c.language for c in rows})
    info = {**base.info, "trained_languages": languages, "corrections": len(rows)}
    widened = LinearModel(base.vocabulary, base.weights, base.classes, info)
    data = TrainingSet([], [], [])
    for correction in rows:
        data.units.append(training_unit(clean(correction.text), correction.language, widened))
        data.labels.append(LABEL_CODES[correction.label])
        data.weights.append(strength)
    vocabulary = build_vocabulary(data.units, min_count=1, base=base.vocabulary)
    prior = np.zeros((len(vocabulary), len(base.classes)), np.float32)
    prior[: len(base.vocabulary)] = base.weights
    start = LinearModel(vocabulary, prior, base.classes, info)
    return fit(start, data, l2=pull, prior=prior, max_iter=200)

"""A multinomial logistic-regression model over named features, trained with L-BFGS.

Named features map to rows of one weight matrix through a vocabulary; a name the model has not
seen is ignored. Training is centred on prior weights (an L2 pull towards them), so a base model
can be adapted to a workspace's corrections without its original training data: the corrections
are new training rows, their new words extend the vocabulary.
"""

from __future__ import annotations

import io
import json
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import repeat
from pathlib import Path
from typing import Any

import numpy as np
import scipy.optimize
import scipy.sparse
from numpy.typing import NDArray

from cxloop.core.errors import Invalid

CLASSES = ("neg", "neu", "pos")

Unit = tuple[list[str], list[tuple[str, float]]]
"""One row: sparse feature names (value 1/sqrt(count) each) and named real-valued inputs."""


@dataclass
class LinearModel:
    """Weights (one row per feature, one column per class) and the feature vocabulary."""

    vocabulary: dict[str, int]
    weights: NDArray[np.float32]
    classes: tuple[str, ...] = CLASSES
    info: dict[str, object] = field(default_factory=dict)

    @property
    def trained_languages(self) -> frozenset[str]:
        value = self.info.get("trained_languages", [])
        return frozenset(str(v) for v in value) if isinstance(value, list) else frozenset()

    def matrix(self, units: Sequence[Unit]) -> scipy.sparse.csr_matrix:
        """The sparse design matrix of some rows; names the model does not know go to one extra
        last column (which has no weight)."""
        get = self.vocabulary.get
        unknown = len(self.vocabulary)
        indptr = [0]
        indices: list[int] = []
        data: list[float] = []
        for names, values in units:
            if names:
                indices.extend(map(get, names, repeat(unknown, len(names))))
                data.extend(repeat(1.0 / math.sqrt(len(names)), len(names)))
            for name, value in values:
                indices.append(get(name, unknown))
                data.append(value)
            indptr.append(len(indices))
        shape = (len(units), unknown + 1)
        return scipy.sparse.csr_matrix(
            (np.asarray(data, np.float32), np.asarray(indices, np.int64), np.asarray(indptr)),
            shape=shape,
        )

    def logits(self, units: Sequence[Unit]) -> NDArray[np.float32]:
        if not units:
            return np.zeros((0, len(self.classes)), np.float32)
        matrix = self.matrix(units)[:, : len(self.vocabulary)]
        result: NDArray[np.float32] = np.asarray(matrix @ self.weights, np.float32)
        return result

    def probabilities(self, units: Sequence[Unit]) -> NDArray[np.float32]:
        return softmax(self.logits(units))

    def save(self, path: Path) -> None:
        path.write_bytes(self.to_bytes())

    def to_bytes(self, *, half: bool = True) -> bytes:
        """The model as bytes (compressed .npz; weights as float16 unless half=False), e.g. to
        store a workspace's model in the database; `from_bytes` reads it back."""
        names = sorted(self.vocabulary, key=self.vocabulary.__getitem__)
        blob = np.frombuffer("\n".join(names).encode("utf-8"), np.uint8)
        buffer = io.BytesIO()
        np.savez_compressed(
            buffer,
            vocabulary=blob,
            weights=self.weights.astype(np.float16 if half else np.float32),
            meta=np.frombuffer(
                json.dumps({"classes": list(self.classes), **self.info}).encode(), np.uint8
            ),
        )
        return buffer.getvalue()

    @classmethod
    def load(cls, source: Path | bytes) -> LinearModel:
        return cls.from_bytes(source.read_bytes() if isinstance(source, Path) else source)

    @classmethod
    def from_bytes(cls, raw: bytes) -> LinearModel:
        """A model from `to_bytes()` output; Invalid when the bytes are not one."""
        try:
            with np.load(io.BytesIO(raw), allow_pickle=False) as data:
                names = bytes(data["vocabulary"]).decode("utf-8").split("\n")
                weights = np.asarray(data["weights"], np.float32)
                meta = json.loads(bytes(data["meta"]).decode("utf-8"))
            classes = tuple(meta.pop("classes"))
            vocabulary = dict(zip(names, range(len(names)), strict=True))
        except (OSError, ValueError, KeyError, TypeError, json.JSONDecodeError) as exc:
            raise Invalid(f"sentiment_model: not a cxloop sentiment model ({exc})") from exc
        if weights.shape != (len(vocabulary), len(classes)):
            raise Invalid("sentiment_model: weights do not match the vocabulary")
        return cls(vocabulary, weights, classes, meta)


def softmax(logits: NDArray[Any]) -> NDArray[Any]:
    shifted = logits - logits.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    result: NDArray[Any] = exp / exp.sum(axis=1, keepdims=True)
    return result


def build_vocabulary(
    units: Iterable[Unit], min_count: int = 2, base: dict[str, int] | None = None
) -> dict[str, int]:
    """Names seen in at least min_count rows, appended after those of a base vocabulary."""
    counts: dict[str, int] = {}
    for names, values in units:
        # dict.fromkeys keeps first-seen order: a set would order names by the per-process string
        # hash, and with it the columns, the optimiser's path and the trained model.
        for name in dict.fromkeys([*names, *(name for name, _ in values)]):
            counts[name] = counts.get(name, 0) + 1
    vocabulary = dict(base or {})
    for name, count in counts.items():
        if count >= min_count and name not in vocabulary:
            vocabulary[name] = len(vocabulary)
    return vocabulary


@dataclass
class TrainingSet:
    units: list[Unit]
    labels: list[str]
    weights: list[float]
    allowed: list[tuple[str, ...]] | None = None  # classes a row may take (None: all)


def class_weights(labels: Iterable[str], balance: float) -> dict[str, float]:
    """Per-label row weights that average 1 over the rows: with balance 1 every label weighs the
    same in total, with 0 every row weighs 1 (labels count as often as they occur)."""
    counts = Counter(labels)
    shares = {label: n ** (1 - balance) for label, n in counts.items()}
    scale = sum(counts.values()) / sum(shares.values())
    return {label: scale * shares[label] / n for label, n in counts.items()}


def fit(
    model: LinearModel,
    data: TrainingSet,
    *,
    l2: float = 1.0,
    prior: NDArray[np.float32] | None = None,
    max_iter: int = 300,
) -> LinearModel:
    """Weights minimising the weighted cross-entropy plus l2/2·|W - prior|² (prior: zeros, or
    the base model's weights padded with zeros for new names)."""
    x = model.matrix(data.units)[:, : len(model.vocabulary)].astype(np.float64)
    rows, classes = len(data.labels), len(model.classes)
    position = {name: i for i, name in enumerate(model.classes)}
    targets = np.zeros((rows, classes))
    targets[np.arange(rows), [position[label] for label in data.labels]] = 1.0
    mask = np.zeros((rows, classes))
    if data.allowed is not None:
        for row, allowed in enumerate(data.allowed):
            for name in model.classes:
                if name not in allowed:
                    mask[row, position[name]] = -1e9
    sample = np.asarray(data.weights, np.float64)[:, None]
    centre = np.zeros((x.shape[1], classes)) if prior is None else prior.astype(np.float64)
    xt = x.T.tocsr()

    def objective(flat: NDArray[np.float64]) -> tuple[float, NDArray[np.float64]]:
        weights = flat.reshape(-1, classes)
        logits = x @ weights + mask
        logits -= logits.max(axis=1, keepdims=True)
        log_norm = np.log(np.exp(logits).sum(axis=1, keepdims=True))
        log_p = logits - log_norm
        diff = weights - centre
        loss = -float((sample * targets * log_p).sum()) + 0.5 * l2 * float((diff * diff).sum())
        grad = xt @ (sample * (np.exp(log_p) - targets)) + l2 * diff
        return loss, np.asarray(grad, np.float64).ravel()

    start = centre.ravel().copy()
    result = scipy.optimize.minimize(
        objective, start, jac=True, method="L-BFGS-B", options={"maxiter": max_iter}
    )
    weights = np.asarray(result.x, np.float32).reshape(-1, classes)
    return LinearModel(model.vocabulary, weights, model.classes, dict(model.info))

"""The labelled comment sets used to train and measure the sentiment model.

They live in ../shared/data/sentiment beside the repository (not in it); only the small
hand-written Lithuanian set ships with cxloop. Labels are pos/neu/neg; wisesight's `q`
(question) counts as neutral.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

AIVIVN_SEED = 2024
AIVIVN_HELD_BACK = 0.2


@dataclass(frozen=True)
class Example:
    text: str
    label: str  # pos | neu | neg
    language: str


@dataclass(frozen=True)
class Corpus:
    name: str
    language: str
    train: list[Example]
    dev: list[Example]
    binary: bool = False  # only pos/neg labels (AIVIVN)


def default_data_dir() -> Path:
    """../shared/data beside the repository root."""
    return Path(__file__).resolve().parents[4].parent / "shared" / "data"


def _read(path: Path, language: str) -> list[Example]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [
            Example(row["text"], "neu" if row["label"] == "q" else row["label"], language)
            for row in csv.DictReader(handle)
        ]


def load_corpora(data_dir: Path | None = None) -> dict[str, Corpus]:
    """UIT-VSFC, AIVIVN (last 20% by a fixed seed held back), wisesight and UMSAB."""
    base = (data_dir or default_data_dir()) / "sentiment"
    aivivn = _read(base / "vi_aivivn_train.csv", "vi")
    order = list(range(len(aivivn)))
    random.Random(AIVIVN_SEED).shuffle(order)
    cut = int(len(order) * (1 - AIVIVN_HELD_BACK))
    return {
        "uit_vsfc": Corpus(
            "uit_vsfc",
            "vi",
            _read(base / "vi_uit_vsfc_train.csv", "vi"),
            _read(base / "vi_uit_vsfc_dev.csv", "vi"),
        ),
        "aivivn": Corpus(
            "aivivn",
            "vi",
            [aivivn[i] for i in order[:cut]],
            [aivivn[i] for i in order[cut:]],
            binary=True,
        ),
        "wisesight": Corpus(
            "wisesight",
            "th",
            _read(base / "th_wisesight_train.csv", "th"),
            _read(base / "th_wisesight_valid.csv", "th"),
        ),
        "umsab": Corpus(
            "umsab",
            "en",
            _read(base / "en_umsab_train.csv", "en"),
            _read(base / "en_umsab_val.csv", "en"),
        ),
    }


def lithuanian_examples() -> list[Example]:
    """cxloop's hand-written Lithuanian customer comments (80, labelled pos/neu/neg)."""
    text = resources.files("cxloop.text").joinpath("evaluation", "lt_comments.csv").read_text()
    return [Example(row["text"], row["label"], "lt") for row in csv.DictReader(text.splitlines())]


def macro_f1(gold: list[str], predicted: list[str]) -> float:
    """Unweighted mean of the per-class F1 over the classes present in gold."""
    scores = []
    for name in sorted(set(gold)):
        tp = sum(1 for g, p in zip(gold, predicted, strict=True) if g == name and p == name)
        fp = sum(1 for g, p in zip(gold, predicted, strict=True) if g != name and p == name)
        fn = sum(1 for g, p in zip(gold, predicted, strict=True) if g == name and p != name)
        scores.append(0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn))
    return sum(scores) / len(scores)


def three_way(label: str) -> str:
    """An analyser label as pos/neu/neg (mixed counts as neutral)."""
    return {"positive": "pos", "negative": "neg"}.get(label, "neu")

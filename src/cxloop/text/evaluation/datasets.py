"""The labelled comment sets used to train and measure the sentiment model.

The public corpora live in ../shared/data/sentiment beside the repository (not in it); only
cxloop's own small hand-written customer comment sets (seed sets for training, held-out sets
for measuring; en, vi, th, lt) ship with it. Labels are pos/neu/neg; wisesight's `q`
(question) counts as neutral.
"""

from __future__ import annotations

import csv
import io
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
    themes: tuple[str, ...] = ()  # default-taxonomy theme keys, where labelled (cxloop's sets)
    pillars: tuple[str, ...] = ()  # CX-pillar keys, where labelled (cxloop's sets)


@dataclass(frozen=True)
class Corpus:
    name: str
    language: str
    train: list[Example]
    dev: list[Example]
    binary: bool = False  # only pos/neg labels (AIVIVN)
    seed: bool = False  # cxloop's own customer-comment seed set


def default_data_dir() -> Path:
    """../shared/data beside the repository root."""
    return Path(__file__).resolve().parents[4].parent / "shared" / "data"


def _read(path: Path, language: str) -> list[Example]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [
            Example(row["text"], "neu" if row["label"] == "q" else row["label"], language)
            for row in csv.DictReader(handle)
        ]


def load_corpora(data_dir: Path | None = None, *, seeds: bool = True) -> dict[str, Corpus]:
    """UIT-VSFC, AIVIVN (last 20% by a fixed seed held back), wisesight and UMSAB; with seeds,
    also cxloop's customer-comment seed set of each language (`cx_en`...), whose dev split is
    the hand-written customer comment set of that language."""
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
        **(seed_corpora() if seeds else {}),
    }


CUSTOMER_LANGUAGES = ("en", "vi", "th", "lt")


def seed_corpora() -> dict[str, Corpus]:
    """Per language, cxloop's seed set of everyday customer comments (train) and its held-out
    customer comment set (dev)."""
    return {
        f"cx_{code}": Corpus(
            f"cx_{code}", code, seed_examples(code), customer_examples(code), seed=True
        )
        for code in CUSTOMER_LANGUAGES
    }


def _packaged(folder: str, name: str, language: str) -> list[Example]:
    text = resources.files("cxloop.text").joinpath(folder, name).read_text("utf-8")
    rows = csv.DictReader(io.StringIO(text, newline=""))
    return [
        Example(
            row["text"],
            row["label"],
            language,
            tuple(filter(None, row.get("themes", "").split("|"))),
            tuple(filter(None, row.get("pillars", "").split("|"))),
        )
        for row in rows
    ]


def seed_examples(language: str) -> list[Example]:
    """cxloop's seed training set of everyday customer comments in a language (about 475, Thai 567:
    questions, requests, facts, praise, complaints and mixed comments across 16 industries),
    written for cxloop so the model learns the customer-comment domain that the public corpora
    lack. Rows close to a held-out customer comment were removed."""
    return _packaged("seed", f"{language}_seed.csv", language)


def customer_examples(language: str) -> list[Example]:
    """cxloop's hand-written customer comments in a language (labelled pos/neu/neg, mixed as
    neu): 120 each in en, vi and th from ten industries, 80 in Lithuanian. They measure how
    the model carries over beyond its training corpora; nothing is trained on them (see
    text/models/LICENSES.md for how they were used)."""
    return _packaged("evaluation", f"{language}_comments.csv", language)


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

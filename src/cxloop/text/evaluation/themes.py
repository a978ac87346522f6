"""How well the default taxonomy's themes and the six CX pillars are found, on cxloop's labelled
comment sets."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Literal

from cxloop.text.evaluation.datasets import (
    CUSTOMER_LANGUAGES,
    Example,
    customer_examples,
    seed_examples,
)
from cxloop.text.pipeline import DefaultAnalyser

FALLBACK = "other"
Which = Literal["themes", "pillars"]


@dataclass(frozen=True)
class ThemeScores:
    comments: int
    precision: float  # micro, over the real themes (not the fallback)
    recall: float
    f1: float
    macro_f1: float  # mean F1 of the real themes present in the gold labels
    exact: float  # share of comments whose theme set is exactly right (fallback included)
    per_theme: dict[str, float]  # F1 per real theme present in gold

    def line(self) -> str:
        return (
            f"theme micro-F1 {self.f1:.3f} (P {self.precision:.3f}, R {self.recall:.3f}), "
            f"macro-F1 {self.macro_f1:.3f}, exact sets {self.exact:.1%} (n={self.comments})"
        )


def _f1(tp: int, fp: int, fn: int) -> float:
    return 0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn)


def theme_scores(
    gold: Sequence[Collection[str]], predicted: Sequence[Collection[str]]
) -> ThemeScores:
    """Multi-label scores of predicted theme sets against gold ones."""
    counts: dict[str, list[int]] = {}  # theme -> [tp, fp, fn]
    exact = 0
    for truth, guess in zip(gold, predicted, strict=True):
        truth_set, guess_set = set(truth), set(guess)
        exact += truth_set == guess_set
        for key in truth_set | guess_set:
            if key == FALLBACK:
                continue
            row = counts.setdefault(key, [0, 0, 0])
            row[0 if key in truth_set and key in guess_set else 1 if key in guess_set else 2] += 1
    tp = sum(row[0] for row in counts.values())
    fp = sum(row[1] for row in counts.values())
    fn = sum(row[2] for row in counts.values())
    per_theme = {
        key: round(_f1(*row), 4) for key, row in sorted(counts.items()) if row[0] + row[2] > 0
    }
    return ThemeScores(
        comments=len(gold),
        precision=tp / (tp + fp) if tp + fp else 0.0,
        recall=tp / (tp + fn) if tp + fn else 0.0,
        f1=_f1(tp, fp, fn),
        macro_f1=sum(per_theme.values()) / len(per_theme) if per_theme else 0.0,
        exact=exact / len(gold) if gold else 0.0,
        per_theme=per_theme,
    )


def labelled(examples: Sequence[Example], which: Which = "themes") -> list[Example]:
    """The examples that carry labels of one taxonomy."""
    return [example for example in examples if getattr(example, which)]


def measure(
    examples: Sequence[Example], analyser: DefaultAnalyser | None = None, which: Which = "themes"
) -> ThemeScores:
    """Theme (or pillar) scores of the default analyser (each comment in its own language)."""
    analyser = analyser or DefaultAnalyser(phrases=False)
    found = labelled(examples, which)
    results = analyser.analyse(
        [e.text for e in found], languages=sorted({e.language for e in found})
    )
    return theme_scores(
        [getattr(e, which) for e in found],
        [[mention.key for mention in getattr(r, which)] or [FALLBACK] for r in results],
    )  # the pillars have no fallback theme: a comment with none counts as `other`


def customer_theme_scores(
    analyser: DefaultAnalyser | None = None, which: Which = "themes"
) -> dict[str, ThemeScores]:
    """Per language, theme (or pillar) scores on cxloop's held-out customer comments
    ("cx_en"...) and on its seed sets ("seed_en"..., what keywords may be tuned on)."""
    analyser = analyser or DefaultAnalyser(phrases=False)  # one analyser for all eight sets
    result = {}
    for code in CUSTOMER_LANGUAGES:
        for name, examples in (("cx", customer_examples(code)), ("seed", seed_examples(code))):
            if labelled(examples, which):
                result[f"{name}_{code}"] = measure(examples, analyser, which)
    return result

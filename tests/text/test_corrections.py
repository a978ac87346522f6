from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from cxloop.core.errors import Invalid
from cxloop.text.corrections import Correction, retrain_with_corrections
from cxloop.text.evaluation.corrections import correction_experiment, scores
from cxloop.text.evaluation.datasets import Corpus, Example
from cxloop.text.linear import LinearModel
from cxloop.text.sentiment import SentimentAnalyser, load_base_model
from cxloop.text.training import TrainingOptions, train

DATA = Path(__file__).parent / "data"
SAMPLES = {"vi": "uit_vsfc", "th": "wisesight", "en": "umsab"}


def sample(language: str) -> Corpus:
    """A small sample (200 train, 100 dev rows) of a public corpus, shipped with the tests."""
    name = SAMPLES[language]
    with (DATA / f"{language}_{name}_sample.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    train_rows = [Example(r["text"], r["label"], language) for r in rows if r["split"] == "train"]
    dev_rows = [Example(r["text"], r["label"], language) for r in rows if r["split"] == "dev"]
    return Corpus(name, language, train_rows, dev_rows)


def probabilities(model: LinearModel, corpus: Corpus) -> np.ndarray:
    results = SentimentAnalyser(model).analyse(
        [e.text for e in corpus.dev], [e.language for e in corpus.dev]
    )
    return np.array([list(r.probabilities.values()) for r in results])


def test_corrections_teach_a_workspace_model_its_own_words() -> None:
    base = load_base_model()
    # A workspace whose customers call a broken item "kaput" and a great one "mega".
    items = ("lamp", "chair", "kettle", "phone", "bike", "sofa", "fridge", "desk")
    corrections = [Correction(f"the {item} was kaput", "negative", "en") for item in items]
    corrections += [Correction(f"the {item} is mega", "positive", "en") for item in items]
    adapted = retrain_with_corrections(base, corrections)
    texts = ["my toaster arrived kaput", "this toaster is mega"]
    before = SentimentAnalyser(base).analyse(texts, ["en", "en"])
    after = SentimentAnalyser(adapted).analyse(texts, ["en", "en"])
    assert after[0].label == "negative" and after[1].label == "positive"
    assert after[0].score < before[0].score and after[1].score > before[1].score
    # what the base model knew still holds, and the base model itself is unchanged
    kept = SentimentAnalyser(adapted).analyse(["terrible service, very rude staff"], ["en"])
    assert kept[0].label == "negative"
    assert load_base_model().info.get("corrections") is None
    assert adapted.info["corrections"] == 16


def test_a_language_without_training_data_learns_words_from_corrections() -> None:
    base = load_base_model()
    assert "id" not in base.trained_languages
    corrections = [
        Correction(f"kafe {w}, pasti kembali lagi", "positive", "id")
        for w in ("nyaman", "hangat", "ramah", "terang")
    ]
    corrections += [
        Correction(f"kafe {w}, tidak akan kembali", "negative", "id")
        for w in ("gelap", "dingin", "bising", "sempit")
    ]
    adapted = retrain_with_corrections(base, corrections)
    assert "id" in adapted.trained_languages
    [result] = SentimentAnalyser(adapted).analyse(["bising dan sempit, tidak akan kembali"], ["id"])
    assert result.label == "negative"


def test_200_corrections_improve_their_language_and_leave_others_unchanged() -> None:
    thai, english, vietnamese = sample("th"), sample("en"), sample("vi")
    # A base model that knows Thai and English; Vietnamese has only the shared lexicon.
    base = train([thai, english], TrainingOptions(lexicon_rows=200))
    report = correction_experiment(
        "vi",
        200,
        base=base,
        corpora={c.name: c for c in (thai, english, vietnamese)},
    )
    target = report["same_language"]
    assert isinstance(target, dict)
    vi = target["uit_vsfc"]
    assert vi["after"]["accuracy"] > vi["before"]["accuracy"] + 0.1, vi
    assert vi["after"]["macro_f1"] > vi["before"]["macro_f1"], vi
    others = report["other_languages"]
    assert isinstance(others, dict) and set(others) == {"wisesight", "umsab"}
    for row in others.values():
        assert row["after"] == row["before"]


def test_corrections_of_the_shipped_model_never_move_other_languages() -> None:
    base = load_base_model()
    vietnamese = sample("vi")
    fixes = [Correction(e.text, e.label, "vi") for e in vietnamese.train]
    adapted = retrain_with_corrections(base, fixes)
    for language in ("th", "en"):
        corpus = sample(language)
        assert np.array_equal(probabilities(base, corpus), probabilities(adapted, corpus))
    lithuanian = ["Puikus aptarnavimas, ačiū", "Prekė atkeliavo sugadinta"]
    before = SentimentAnalyser(base).analyse(lithuanian, ["lt", "lt"])
    after = SentimentAnalyser(adapted).analyse(lithuanian, ["lt", "lt"])
    assert [r.probabilities for r in before] == [r.probabilities for r in after]
    # Vietnamese, already trained on whole corpora, keeps its accuracy (3 in 100 slack: the
    # corrections here are 200 rows of the training data itself, refitted more closely)
    held_out = vietnamese.dev
    after = scores(adapted, held_out, False)["accuracy"]
    assert after >= scores(base, held_out, False)["accuracy"] - 0.03


def test_a_workspace_model_survives_bytes_round_trip() -> None:
    adapted = retrain_with_corrections(
        load_base_model(), [Correction("the kettle was kaput", "negative", "en")]
    )
    for half in (True, False):
        loaded = LinearModel.from_bytes(adapted.to_bytes(half=half))
        assert loaded.vocabulary == adapted.vocabulary
        assert loaded.trained_languages == adapted.trained_languages
        assert np.allclose(loaded.weights, adapted.weights, atol=1e-2 if half else 0)
    [result] = SentimentAnalyser(LinearModel.from_bytes(adapted.to_bytes())).analyse(
        ["kaput again"], ["en"]
    )
    assert result.probabilities["negative"] > result.probabilities["positive"]


def test_bad_model_bytes_and_labels_are_clear_errors() -> None:
    with pytest.raises(Invalid, match="sentiment_model"):
        LinearModel.from_bytes(b"not a model")
    with pytest.raises(Invalid, match="label"):
        Correction("fine", "great", "en")


def test_a_label_rare_among_the_corrections_still_counts() -> None:
    """Corrections are class-balanced by default: two neutral corrections among 24 one-sided
    ones teach neutral more than they would by row count alone."""
    items = ("lamp", "chair", "kettle", "phone", "bike", "sofa", "fridge", "desk")
    items += ("toaster", "radio", "clock", "mirror")
    corrections = [Correction(f"the {item} was awful", "negative", "en") for item in items]
    corrections += [Correction(f"the {item} was awesome", "positive", "en") for item in items]
    corrections += [Correction(f"the {i} came on tuesday", "neutral", "en") for i in items[:2]]
    text = ["the rug came on tuesday"]
    neutral = {
        balance: SentimentAnalyser(
            retrain_with_corrections(load_base_model(), corrections, balance=balance)
        ).analyse(text, ["en"])[0]
        for balance in (0.0, 0.5)
    }
    assert neutral[0.5].label == "neutral"
    assert neutral[0.5].probabilities["neutral"] > neutral[0.0].probabilities["neutral"] + 0.03

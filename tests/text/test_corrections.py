from __future__ import annotations

from cxloop.text.corrections import Correction, retrain_with_corrections
from cxloop.text.sentiment import SentimentAnalyser, load_base_model


def test_corrections_teach_a_workspace_model_its_own_words() -> None:
    base = load_base_model()
    # A workspace whose customers call a broken item "kaput" and a great one "mega".
    corrections = [
        Correction(f"the {item} was kaput", "negative", "en")
        for item in ("lamp", "chair", "kettle", "phone", "bike", "sofa", "fridge", "desk")
    ] + [
        Correction(f"the {item} is mega", "positive", "en")
        for item in ("lamp", "chair", "kettle", "phone", "bike", "sofa", "fridge", "desk")
    ]
    adapted = retrain_with_corrections(base, corrections)
    before = SentimentAnalyser(base).analyse(
        ["my toaster arrived kaput", "this toaster is mega"], ["en", "en"]
    )
    after = SentimentAnalyser(adapted).analyse(
        ["my toaster arrived kaput", "this toaster is mega"], ["en", "en"]
    )
    assert after[0].label == "negative" and after[1].label == "positive"
    assert after[0].score < before[0].score and after[1].score > before[1].score
    # what the base model knew still holds, and the base model itself is unchanged
    kept = SentimentAnalyser(adapted).analyse(["terrible service, very rude staff"], ["en"])
    assert kept[0].label == "negative"
    assert load_base_model().info.get("corrections") is None


def test_a_language_without_training_data_learns_words_from_corrections() -> None:
    base = load_base_model()
    assert "lt" not in base.trained_languages
    corrections = [
        Correction(f"{w} kavinė, vėl ateisiu", "positive", "lt")
        for w in ("jauki", "šilta", "miela", "šviesi")
    ]
    corrections += [
        Correction(f"kavinė {w}, daugiau neateisiu", "negative", "lt")
        for w in ("tamsi", "šalta", "triukšminga", "ankšta")
    ]
    adapted = retrain_with_corrections(base, corrections)
    assert "lt" in adapted.trained_languages
    [result] = SentimentAnalyser(adapted).analyse(["triukšminga ir ankšta, neateisiu"], ["lt"])
    assert result.label == "negative"

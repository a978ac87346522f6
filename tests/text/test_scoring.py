from __future__ import annotations

from pathlib import Path

import numpy as np

from cxloop.text import benchmark
from cxloop.text.corrections import Correction, retrain_with_corrections
from cxloop.text.pipeline import DefaultAnalyser
from cxloop.text.sentiment import SentimentAnalyser, load_base_model
from cxloop.text.taxonomy import Taxonomy

TEXTS = [
    "Fast delivery, but the staff were not helpful at all!",
    "Giao hàng nhanh, nhưng sản phẩm không tốt",
    "san pham rat tot",
    "อาหารอร่อยมาก แต่พนักงานไม่สุภาพ",
    "Puikus aptarnavimas, bet pristatymas vėlavo",
    "",
    "😀😀",
]
LANGUAGES = ["en", "vi", "vi", "th", "lt", "en", "en"]


def test_fast_scorer_equals_the_reference_feature_path() -> None:
    analyser = SentimentAnalyser()
    fast = np.array([list(r.probabilities.values()) for r in analyser.analyse(TEXTS, LANGUAGES)])
    reference = benchmark.reference_probabilities(analyser, TEXTS, LANGUAGES)
    assert np.allclose(fast, reference, atol=1e-5)


def test_workspace_model_and_taxonomy_are_used_by_the_default_analyser() -> None:
    taxonomy = Taxonomy.from_dict({"themes": [{"key": "kettles", "keywords": {"en": ["kettle*"]}}]})
    model = retrain_with_corrections(
        load_base_model(),
        [Correction(f"the {w} was kaput", "negative", "en") for w in ("lamp", "desk", "sofa")],
    )
    [result] = DefaultAnalyser(taxonomy=taxonomy, sentiment_model=model).analyse(
        ["my kettles arrived kaput"], languages=["en"]
    )
    assert result.theme_keys == ["kettles"]
    [plain] = DefaultAnalyser().analyse(["my kettles arrived kaput"], languages=["en"])
    assert result.sentiment_score < plain.sentiment_score


def test_benchmark_reports_demo_throughput_with_baselines(tmp_path: Path) -> None:
    lines: list[str] = []
    report = benchmark.run(tmp_path / "missing", TEXTS * 5, lines.append)
    demo = report["demo"]
    assert isinstance(demo, dict) and demo["comments"] == len(TEXTS) * 5
    assert demo["pipeline_per_s"] > 0 and demo["pipeline_vs_py3langid"] > 0
    assert "data_sets" not in report
    assert lines[0].startswith("demo comments:") and "shared data sets not found" in lines[-1]
    # theme and pillar tagging are scored on cxloop's own labelled comments, without shared data
    for which in ("themes", "pillars"):
        scores = report[which]
        assert isinstance(scores, dict) and {"cx_en", "cx_vi", "cx_th", "cx_lt"} <= set(scores)
        assert any(line.startswith(f"cx_vi {which}: theme micro-F1") for line in lines)

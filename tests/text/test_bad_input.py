from __future__ import annotations

import pytest

from cxloop.core.errors import Invalid
from cxloop.text.analysers import Analyser, CommentAnalysis, load_analyser
from cxloop.text.pipeline import DefaultAnalyser

SENTIMENTS = {"positive", "neutral", "negative", "mixed"}


def test_bad_inputs_never_crash_and_get_sensible_labels(analyser: DefaultAnalyser) -> None:
    garbage = bytes(range(256)).decode("latin-1") * 20
    texts = [
        "",
        "   \n\t ",
        "😀😀👍",
        "😡😡",
        "great " * 20_000,  # 120,000 characters
        "<p>The <b>delivery</b> was <i>late</i></p><script>alert(1)</script>",
        garbage,
        "\x00\x01\x02\ufffd\ufffd",
        "ส่งเร็ว fast delivery giao hàng nhanh",
        "1234567890",
        "Ζητώ επιστροφή χρημάτων",
    ]
    results = analyser.analyse(texts, languages=("en", "vi", "th", "lt"))
    assert len(results) == len(texts)
    assert all(r.sentiment in SENTIMENTS and -1 <= r.sentiment_score <= 1 for r in results)
    empty, blank, happy, angry, long, html, junk, control, mixed, digits, _ = results
    assert (empty.language, empty.sentiment, empty.themes) == ("und", "neutral", [])
    assert blank.language == "und"
    assert happy.language == "und" and happy.sentiment == "positive"
    assert angry.sentiment == "negative"
    assert long.sentiment == "positive" and len(long.text) <= 5000
    assert "<" not in html.text and "alert" not in html.text
    assert "delivery" in html.theme_keys and html.sentiment == "negative"
    assert control.language == "und" and control.sentiment == "neutral"
    assert junk.sentiment in SENTIMENTS
    assert mixed.language in ("th", "en", "vi")
    assert digits.language == "und" and digits.theme_keys == []


def test_analyser_is_chosen_by_dotted_path(monkeypatch: pytest.MonkeyPatch) -> None:
    assert isinstance(load_analyser(), DefaultAnalyser)
    monkeypatch.setenv("CXLOOP_TEXT_ANALYSER", "tests.text.test_bad_input:ShoutingAnalyser")
    custom = load_analyser()
    assert isinstance(custom, Analyser)
    assert custom.analyse(["hello"])[0].language == "xx"
    with pytest.raises(Invalid, match="CXLOOP_TEXT_ANALYSER"):
        load_analyser("cxloop.text.nowhere:Missing")


class ShoutingAnalyser:
    """A stand-in 'bigger model' that a deployment could name in CXLOOP_TEXT_ANALYSER."""

    def analyse(self, texts: list[str], *, languages: object = None) -> list[CommentAnalysis]:
        return [CommentAnalysis(t.upper(), "xx", 1.0, "neutral", 0.0) for t in texts]

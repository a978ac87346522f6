from __future__ import annotations

from cxloop.text.phrases import summarise_themes
from cxloop.text.pipeline import DefaultAnalyser


def test_key_phrases_say_what_the_comment_is_about(analyser: DefaultAnalyser) -> None:
    [en, vi, lt] = analyser.analyse(
        [
            "The delivery driver was extremely rude and the package was damaged",
            "Giao hàng rất chậm nhưng chất lượng sản phẩm tốt",
            "Labai greitas pristatymas, bet prekės kokybė prasta",
        ],
        languages=("en", "vi", "lt"),
    )
    assert "delivery driver" in en.key_phrases
    assert any("rude" in p for p in en.key_phrases), en.key_phrases
    assert any("damaged" in p for p in en.key_phrases), en.key_phrases
    assert any("giao hàng" in p for p in vi.key_phrases), vi.key_phrases
    assert any("chất lượng" in p for p in vi.key_phrases), vi.key_phrases
    assert any("pristatymas" in p for p in lt.key_phrases), lt.key_phrases
    assert all(1 <= len(r.key_phrases) <= 3 for r in (en, vi, lt))


def test_theme_summary_counts_sentiment_phrases_and_quotes(analyser: DefaultAnalyser) -> None:
    comments = [
        "The delivery was late again",
        "Late delivery, very disappointed",
        "Delivery was quick, thank you",
        "The staff were lovely and helpful",
        "",
    ]
    summaries = summarise_themes(analyser.analyse(comments), quotes=2)
    delivery = next(s for s in summaries if s.key == "delivery")
    assert summaries[0].key == "delivery"
    assert delivery.comments == 3
    assert delivery.share == 0.6
    assert delivery.sentiment["negative"] == 2 and delivery.sentiment["positive"] == 1
    assert delivery.mean_score < 0
    assert len(delivery.quotes) == 2
    assert all("late" in q.lower() for q in delivery.quotes)  # the majority view is quoted

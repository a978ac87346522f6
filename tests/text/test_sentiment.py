from __future__ import annotations

import pytest

from cxloop.text.evaluation.datasets import three_way
from cxloop.text.features import clauses_of
from cxloop.text.lexicon import score_clause
from cxloop.text.linear import softmax
from cxloop.text.pipeline import DefaultAnalyser
from cxloop.text.sentiment import SentimentAnalyser
from cxloop.text.training import decide

LANGS = ("en", "vi", "th", "lt")


@pytest.mark.parametrize(
    ("text", "sentiment"),
    [
        ("Great service, the staff were very friendly and helpful!", "positive"),
        ("Terrible experience, the parcel arrived broken and nobody answered.", "negative"),
        ("The support was not helpful at all", "negative"),
        ("not bad at all, I would recommend it", "positive"),
        ("Sản phẩm rất tốt, giao hàng nhanh, tôi rất hài lòng", "positive"),
        ("Hàng bị lỗi, shop không phản hồi, rất thất vọng", "negative"),
        ("không hài lòng với chất lượng", "negative"),
        ("san pham rat tot, giao hang nhanh", "positive"),
        ("อาหารอร่อยมาก พนักงานบริการดี ประทับใจ", "positive"),
        ("รอนานมาก พนักงานไม่สุภาพ แย่มาก", "negative"),
        ("ไม่อร่อยเลย", "negative"),
        ("Puikus aptarnavimas, labai ačiū!", "positive"),
        ("Prekė atkeliavo sugadinta, labai nusivyliau.", "negative"),
        ("Nepatiko aptarnavimas, konsultantas buvo grubus.", "negative"),
        ("labai geras aptarnavimas aciu", "positive"),
        ("Nhân viên tư vấn rõ ràng, không phải chờ lâu.", "positive"),
        ("Mở thẻ xong trong 15 phút, quá tiện.", "positive"),
        ("Refund came through in two days, no hassle.", "positive"),
    ],
)
def test_clear_comments(analyser: DefaultAnalyser, text: str, sentiment: str) -> None:
    [result] = analyser.analyse([text], languages=LANGS)
    assert result.sentiment == sentiment, result
    assert (result.sentiment_score > 0) == (sentiment == "positive")


@pytest.mark.parametrize(
    "text",
    ["พนักงานเป็นมิตร สินค้าดี แนะนำเลย", "พนักงานเอาใจใส่ลูกค้าดี", "พนักงานใจดี ช่วยหาของให้"],
)
def test_thai_staff_praise_is_positive_for_the_staff_theme(
    analyser: DefaultAnalyser, text: str
) -> None:
    # wisesight mentions staff mostly in complaints, so "พนักงาน" (staff) alone had read negative
    [result] = analyser.analyse([text], languages=["th"])
    assert result.sentiment == "positive", result
    assert {theme.key: theme.sentiment for theme in result.themes}["staff"] == "positive"


@pytest.mark.parametrize(
    "text",
    [
        "What time do you open on Sunday?",
        "Kiek kainuoja pristatymas į Klaipėdą?",
        "Cửa hàng có mở cửa vào Chủ nhật không ạ?",
        "Cho mình hỏi phí vận chuyển ra Đà Nẵng bao nhiêu vậy?",
        "Đề nghị thêm phương thức thanh toán qua ví điện tử.",
        "ร้านรับบัตรเครดิตไหมครับ",
        "Please add an option to pay by invoice.",
    ],
)
def test_questions_and_facts_are_not_negative(analyser: DefaultAnalyser, text: str) -> None:
    [result] = analyser.analyse([text], languages=LANGS)
    assert result.sentiment in ("neutral", "positive"), result


@pytest.mark.parametrize(
    ("text", "language", "sign"),
    [
        ("no hassle", "en", 1),  # "no" is itself a negative word in VADER's lexicon
        ("no problem at all", "en", 1),
        ("never again", "en", -1),  # a phrase that starts with a negator keeps its valence
        ("không đáng tiền", "vi", -1),
    ],
)
def test_a_negator_negates_and_is_not_scored_itself(text: str, language: str, sign: int) -> None:
    [clause], lexicon = clauses_of(text, language)
    score = score_clause(clause, lexicon)
    assert score.hits == 1 and score.net * sign > 0, score


def test_negation_flips_sentiment(analyser: DefaultAnalyser) -> None:
    good, not_good = analyser.analyse(["The staff were very helpful", "The staff were not helpful"])
    assert good.sentiment == "positive"
    assert not_good.sentiment == "negative"


@pytest.mark.parametrize(
    ("text", "positive_theme", "negative_theme"),
    [
        ("fast delivery but rude staff", "delivery", "staff"),
        ("love the app but the delivery was slow", "website_app", "delivery"),
        ("Giao hàng nhanh nhưng nhân viên thô lỗ", "delivery", "staff"),
        ("จัดส่งเร็วมาก แต่พนักงานหยาบคาย", "delivery", "staff"),
    ],
)
def test_mixed_comment_gives_each_theme_its_polarity(
    analyser: DefaultAnalyser, text: str, positive_theme: str, negative_theme: str
) -> None:
    [result] = analyser.analyse([text], languages=LANGS)
    assert result.sentiment == "mixed", result
    polarity = {theme.key: theme.sentiment for theme in result.themes}
    assert polarity[positive_theme] == "positive", result.themes
    assert polarity[negative_theme] == "negative", result.themes


def test_vectorised_decisions_match_the_analyser() -> None:
    """training.decide (used to tune the bias offsets) labels comments as analyse() does."""
    analyser = SentimentAnalyser()
    texts = [
        "fast delivery but rude staff",
        "love the app but the delivery was slow",
        "Giao hàng nhanh nhưng nhân viên thô lỗ",
        "จัดส่งเร็วมาก แต่พนักงานหยาบคาย",
        "Great service, the staff were very friendly and helpful!",
        "What time do you open on Sunday?",
        "Puikus aptarnavimas, bet pristatymas vėlavo",
        "giáo trình chưa cụ thể .",
        "",
    ]
    languages = ["en", "en", "vi", "th", "en", "en", "lt", "vi", "en"]
    results = analyser.analyse(texts, languages)
    comments, lexicons = [], []
    for text, language in zip(texts, languages, strict=True):
        clauses, lexicon = clauses_of(text, language)
        comments.append((clauses, [score_clause(clause, lexicon) for clause in clauses]))
        lexicons.append(lexicon)
    logits, spans = analyser.scorer.logits(comments, languages, lexicons)
    three, binary = decide(softmax(logits), spans)
    assert three == [three_way(result.label) for result in results]
    assert binary == ["pos" if result.score >= 0 else "neg" for result in results]

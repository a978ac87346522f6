from __future__ import annotations

import pytest

from cxloop.text.language import LanguageDetector

EXPECTED = ("en", "vi", "th", "lt")


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Fast delivery, rude staff", "en"),
        ("The app keeps crashing", "en"),
        ("bad", "en"),
        ("giao hàng nhanh, nhân viên thân thiện", "vi"),
        ("giao hang nhanh", "vi"),  # Vietnamese typed without diacritics
        ("san pham tot", "vi"),
        ("hang dep lam", "vi"),
        ("ko hai long", "vi"),
        ("ส่งของเร็วมาก", "th"),
        ("พนักงานไม่สุภาพ", "th"),
        ("Labai greitas pristatymas", "lt"),
        ("aciu labai", "lt"),  # Lithuanian without diacritics
        ("prekė atkeliavo sugadinta", "lt"),
        ("nepatiko aptarnavimas", "lt"),
    ],
)
def test_short_comments_with_expected_languages(text: str, language: str) -> None:
    assert LanguageDetector(EXPECTED).detect(text)[0] == language


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("giao hàng nhanh, nhân viên thân thiện", "vi"),
        ("giao hang nhanh nhung nhan vien khong nhiet tinh", "vi"),
        ("Prekė atkeliavo sugadinta, labai nusivyliau", "lt"),
        ("La commande est arrivée en retard et le colis était abîmé", "fr"),
        ("Die Lieferung war schnell und der Kundenservice sehr freundlich", "de"),
        ("พนักงานบริการดีมาก", "th"),
    ],
)
def test_without_expected_languages(text: str, language: str) -> None:
    assert LanguageDetector().detect(text)[0] == language


def test_a_long_clear_comment_keeps_its_language_outside_the_expected_set() -> None:
    text = "La commande est arrivée en retard et le colis était complètement abîmé"
    assert LanguageDetector(EXPECTED).detect(text)[0] == "fr"


@pytest.mark.parametrize("text", ["", "   ", "😀👍", "12345", "!!!", "\x00\x01"])
def test_nothing_to_detect_is_und(text: str) -> None:
    assert LanguageDetector(EXPECTED).detect(text) == ("und", 0.0)

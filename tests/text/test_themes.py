from __future__ import annotations

import pytest

from cxloop.core.errors import Invalid
from cxloop.text.evaluation.datasets import customer_examples
from cxloop.text.evaluation.themes import measure, theme_scores
from cxloop.text.features import clauses_of
from cxloop.text.pipeline import DefaultAnalyser
from cxloop.text.taxonomy import Taxonomy, load_taxonomy

LANGS = ("en", "vi", "th", "lt")
# theme micro-F1 on the held-out comments, a few points below what was measured (en 0.833,
# vi 0.802, th 0.814, lt 0.838; before the keywords were widened: 0.667, 0.612, 0.619, 0.816)
HELD_OUT_FLOOR = {"en": 0.78, "vi": 0.72, "th": 0.75, "lt": 0.78}
PILLAR_FLOOR = {"en": 0.67, "vi": 0.64, "th": 0.65, "lt": 0.76}  # measured 0.72/0.69/0.70/0.83
REQUIRED = {
    "delivery",
    "price",
    "staff",
    "product_quality",
    "wait_time",
    "website_app",
    "billing_refund",
    "communication",
    "cleanliness",
    "availability",
    "ease_of_use",
    "other",
}


def test_default_taxonomies_cover_the_cx_themes_and_six_pillars() -> None:
    assert {t.key for t in load_taxonomy("cx_themes").themes} >= REQUIRED
    pillars = {t.key for t in load_taxonomy("cx_pillars").themes}
    assert pillars == {
        "personalisation",
        "integrity",
        "expectations",
        "resolution",
        "time_and_effort",
        "empathy",
    }
    for theme in load_taxonomy("cx_themes").themes:
        if theme.key != "other":
            assert set(theme.keywords) >= set(LANGS), theme.key
            assert {theme.label(lang) for lang in LANGS} and theme.label("lt") != theme.key


@pytest.mark.parametrize(
    ("text", "themes"),
    [
        ("The courier delivered my parcel two days late", {"delivery"}),
        ("Way too expensive for what you get", {"price"}),
        ("I waited 40 minutes in the queue", {"wait_time"}),
        ("The app keeps crashing when I log in", {"website_app"}),
        ("Still waiting for my refund", {"billing_refund"}),
        ("The toilets were dirty", {"cleanliness"}),
        ("My size was out of stock", {"availability"}),
        ("giao hàng nhanh, giá rẻ", {"delivery", "price"}),
        ("giao hang cham, nhan vien thai do kem", {"delivery", "staff"}),
        ("phòng vệ sinh bẩn", {"cleanliness"}),
        ("ราคาแพงเกินไป", {"price"}),
        ("พนักงานไม่สุภาพ แอปค้างบ่อย", {"staff", "website_app"}),
        ("Kaina per didelė, o pristatymas vėlavo", {"price", "delivery"}),
        ("Programėlė nuolat užstringa", {"website_app"}),
        ("pinigu grazinimo laukiu menesi", {"billing_refund"}),
    ],
)
def test_themes_in_each_language(analyser: DefaultAnalyser, text: str, themes: set[str]) -> None:
    [result] = analyser.analyse([text], languages=LANGS)
    assert themes <= set(result.theme_keys), result.theme_keys


def test_comment_without_a_known_theme_is_other(analyser: DefaultAnalyser) -> None:
    [result] = analyser.analyse(["Nothing special to add, see you next year"])
    assert result.theme_keys == ["other"]


def test_pillars_are_a_second_taxonomy(analyser: DefaultAnalyser) -> None:
    [result] = analyser.analyse(["They charged hidden fees and nobody fixed the problem"])
    assert {"integrity", "resolution"} <= {p.key for p in result.pillars}


def test_workspace_themes_with_keywords_and_examples() -> None:
    custom = load_taxonomy("cx_themes").with_themes(
        [
            {
                "key": "loyalty_card",
                "name": {"en": "Loyalty card", "lt": "Lojalumo kortelė"},
                "description": "Points and the loyalty programme",
                "keywords": {"en": ["loyalty card", "points"], "lt": ["lojalumo kortel*"]},
                "examples": {"en": ["my bonus stamps vanished from the account"]},
            }
        ]
    )
    analyser = DefaultAnalyser(taxonomy=custom)
    texts = [
        "My points were not added after shopping",
        "Pamečiau lojalumo kortelę",
        "all bonus stamps vanished again",  # near-copy of an example, no keyword
    ]
    results = analyser.analyse(texts, languages=LANGS)
    assert all("loyalty_card" in r.theme_keys for r in results), [r.theme_keys for r in results]
    assert custom.themes[-1].key == "other"  # the fallback stays last


def test_bad_workspace_taxonomy_names_the_problem() -> None:
    with pytest.raises(Invalid, match=r"themes\.key"):
        Taxonomy.from_dict({"themes": [{"name": "no key"}]})
    with pytest.raises(Invalid, match=r"keywords\.en: must be a list"):
        Taxonomy.from_dict({"themes": [{"key": "x", "keywords": {"en": 3}}]})
    with pytest.raises(Invalid, match="duplicate"):
        Taxonomy.from_dict({"themes": [{"key": "x"}, {"key": "x"}]})


def test_theme_scores_count_each_theme_of_each_comment() -> None:
    gold = [("delivery", "staff"), ("other",), ("price",)]
    predicted = [("delivery",), ("price",), ("price",)]
    scores = theme_scores(gold, predicted)
    # delivery and price found once each; staff missed; price guessed where the comment had none
    assert (scores.precision, scores.recall) == (2 / 3, 2 / 3)
    assert scores.exact == pytest.approx(1 / 3)
    assert scores.per_theme == {"delivery": 1.0, "price": 0.6667, "staff": 0.0}


@pytest.mark.parametrize("language", LANGS)
def test_themes_of_held_out_customer_comments_are_found(
    analyser: DefaultAnalyser, language: str
) -> None:
    # cxloop's held-out comments (ten industries), theme-labelled by its authors; the keywords
    # were never tuned on them
    scores = measure(customer_examples(language), analyser)
    assert scores.comments >= 80
    assert scores.f1 >= HELD_OUT_FLOOR[language], scores.line()


@pytest.mark.parametrize("language", LANGS)
def test_pillars_of_held_out_customer_comments_are_found(
    analyser: DefaultAnalyser, language: str
) -> None:
    # the same held-out comments, labelled with the six CX pillars; the pillar keywords were
    # widened on the seed sets' pillar labels only (the earlier lists scored 0.44-0.62)
    scores = measure(customer_examples(language), analyser, "pillars")
    assert scores.comments >= 80
    assert scores.precision >= 0.8, scores.line()
    assert scores.f1 >= PILLAR_FLOOR[language], scores.line()


def test_an_abbreviations_full_stop_ends_no_clause(analyser: DefaultAnalyser) -> None:
    # "el. parduotuvė" (e-shop) was cut after "el." and so never matched "el. parduotuv*"
    shop = analyser.analyse(["Užsakiau el. parduotuvėje, pristatė per 2 val."], languages=["lt"])
    assert "website_app" in shop[0].theme_keys
    assert clauses_of("Atsakė el. paštu per 2 val., labai greitai", "lt")[0] == [
        ["atsakė", "el", "paštu", "per", "2", "val"],
        ["labai", "greitai"],
    ]
    assert len(clauses_of("Giao hàng ở TP. HCM rất nhanh", "vi")[0]) == 1
    assert len(clauses_of("Mr. Smith was rude. The food was great", "en")[0]) == 2

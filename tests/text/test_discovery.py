"""Theme discovery: planted topics come back as proposals with sensible labels and quotes."""

from __future__ import annotations

from dataclasses import asdict

import pytest

from cxloop.core.errors import Invalid
from cxloop.text.discovery import (
    ThemeProposal,
    UncoveredComment,
    benchmark_comments,
    discover_themes,
)
from cxloop.text.taxonomy import Theme

PARKING_EN = [
    "Parking was full again, had to circle for 20 minutes",
    "No parking spaces near the entrance",
    "The parking lot is too small for weekends",
    "Parking fee is ridiculous for a supermarket",
    "Could not find parking, the car park was packed",
    "Please add more parking spots",
    "Parking attendants were nowhere, parking chaos",
    "The car park barrier was broken and parking took ages",
]
LOYALTY_EN = [
    "My loyalty points were not added after shopping",
    "Loyalty points disappeared from my account",
    "How do I redeem loyalty points? The app doesn't say",
    "I never received the loyalty points for my last order",
    "Loyalty points expire too fast",
    "Loyalty card points are not showing in the app",
    "Points missing from loyalty account again",
]
OTHER_EN = [
    "The music in the store was too loud",
    "I like the new logo",
    "Opening hours should be longer on Sunday",
    "The toilets were dirty",
    "Bags are too thin and break",
    "Cashier asked about my dog which was nice",
    "The escalator was not working",
    "Too many flyers in my mailbox",
    "Air conditioning too cold inside",
    "Self checkout machine froze twice",
    "Wish you sold gluten free bread",
    "The website looks old",
]
PARKING_VI = [
    "Bãi đỗ xe quá chật, không có chỗ đỗ xe",
    "Không tìm được chỗ gửi xe, bãi đỗ xe luôn kín",
    "bãi đỗ xe nhỏ, phải đỗ xe ngoài đường",
    "Chỗ đỗ xe không đủ vào cuối tuần",
    "nhân viên bãi đỗ xe thu tiền gửi xe quá đắt",
    "bai do xe chat qua",
]
OTHER_VI = [
    "Nhạc trong cửa hàng to quá",
    "Nhà vệ sinh bẩn",
    "Điều hòa lạnh quá",
    "Giờ mở cửa nên muộn hơn",
    "Giỏ hàng bị hỏng",
    "Thang cuốn không hoạt động",
]
PARKING_TH = [
    "ที่จอดรถเต็มตลอด หาที่จอดรถไม่ได้เลย",
    "ที่จอดรถน้อยเกินไป",
    "วนหาที่จอดรถนานครึ่งชั่วโมง",
    "อยากให้เพิ่มที่จอดรถ",
    "ที่จอดรถชั้นใต้ดินมืดมาก",
    "ที่จอดรถไม่พอช่วงเสาร์อาทิตย์",
]
OTHER_TH = [
    "เพลงในร้านดังเกินไป",
    "ห้องน้ำสกปรก",
    "แอร์เย็นเกินไป",
    "ถุงพลาสติกบางเกินไป",
    "บันไดเลื่อนเสีย",
]


def _comments(*groups: tuple[str, list[str]]) -> list[UncoveredComment]:
    comments: list[UncoveredComment] = []
    for language, texts in groups:
        base = len(comments)
        comments += [UncoveredComment(f"c{base + i}", t, language) for i, t in enumerate(texts)]
    return comments


SAMPLE = _comments(
    ("en", PARKING_EN + LOYALTY_EN + OTHER_EN),
    ("vi", PARKING_VI + OTHER_VI),
    ("th", PARKING_TH + OTHER_TH),
)


def _find(proposals: list[ThemeProposal], language: str, word: str) -> ThemeProposal:
    found = [p for p in proposals if p.language == language and word in p.label]
    assert len(found) == 1, [(p.language, p.label) for p in proposals]
    return found[0]


@pytest.fixture(scope="module")
def proposals() -> list[ThemeProposal]:
    return discover_themes(SAMPLE)


def test_planted_topics_are_proposed_with_labels_in_their_language(
    proposals: list[ThemeProposal],
) -> None:
    texts = {c.comment_id: c.text for c in SAMPLE}
    loyalty = _find(proposals, "en", "loyalty points")
    assert loyalty.size == len(LOYALTY_EN)
    assert set(loyalty.comment_ids) == {c for c, t in texts.items() if t in LOYALTY_EN}
    # k-means on a few dozen comments can pull in a stray neighbour (how often depends on the
    # machine's BLAS), so a proposal must be mostly, not only, its planted topic.
    for language, word, planted in (
        ("en", "parking", PARKING_EN),
        ("vi", "đỗ xe", PARKING_VI),  # written with its diacritics
        ("th", "ที่จอดรถ", PARKING_TH),
    ):
        found = [texts[c] for c in _find(proposals, language, word).comment_ids]
        on_topic = [t for t in found if t in planted]
        assert len(on_topic) >= 5 and len(on_topic) >= 0.75 * len(found), (language, found)
    for proposal in proposals:
        assert 3 <= len(proposal.quotes) <= 5
        assert all(texts[q.comment_id] == q.text for q in proposal.quotes)
        assert all(q.comment_id in proposal.comment_ids for q in proposal.quotes)
    sizes = [p.size for p in proposals]
    assert sizes == sorted(sizes, reverse=True)
    assert len({p.key for p in proposals}) == len(proposals)


def test_a_proposal_is_a_valid_taxonomy_theme(proposals: list[ThemeProposal]) -> None:
    loyalty = _find(proposals, "en", "loyalty points")
    theme = Theme.from_dict(loyalty.to_theme())
    assert theme.key == loyalty.key and theme.key.startswith("loyalty_points")
    assert theme.label("en") == "loyalty points"
    assert "loyalty" in theme.keywords["en"]


def test_discovery_is_deterministic(proposals: list[ThemeProposal]) -> None:
    again = discover_themes(list(SAMPLE))
    assert [asdict(p) for p in again] == [asdict(p) for p in proposals]


def test_near_duplicates_count_once_and_do_not_make_a_theme(
    proposals: list[ThemeProposal],
) -> None:
    copies = [
        UncoveredComment(f"dup{i}", text, "en")
        for i, text in enumerate(
            ["Loyalty points expire too fast!!", "loyalty points EXPIRE too fast."] * 5
            + ["Visit cheap-watches shop for great deals"] * 12
        )
    ]
    found = discover_themes(SAMPLE + copies)
    loyalty = _find(found, "en", "loyalty points")
    assert loyalty.size == _find(proposals, "en", "loyalty points").size
    assert {f"dup{i}" for i in range(10)} <= set(loyalty.comment_ids)
    assert not any("watches" in p.label for p in found)


def test_existing_keys_are_not_reused(proposals: list[ThemeProposal]) -> None:
    taken = {p.key for p in proposals}
    again = discover_themes(SAMPLE, existing_keys=taken)
    assert not taken & {p.key for p in again}
    first = _find(proposals, "en", "loyalty points").key
    assert _find(again, "en", "loyalty points").key == f"{first}_2"


def test_max_themes_keeps_the_largest(proposals: list[ThemeProposal]) -> None:
    top = discover_themes(SAMPLE, max_themes=2)
    assert [p.label for p in top] == [p.label for p in proposals[:2]]


def test_too_few_comments_give_no_proposals() -> None:
    assert discover_themes([]) == []
    assert discover_themes(_comments(("en", PARKING_EN[:4]))) == []
    assert discover_themes(_comments(("en", PARKING_EN)), min_cluster_size=10) == []


def test_bad_parameters_are_refused_naming_them() -> None:
    with pytest.raises(Invalid, match="min_cluster_size"):
        discover_themes(SAMPLE, min_cluster_size=1)
    with pytest.raises(Invalid, match="max_themes"):
        discover_themes(SAMPLE, max_themes=0)


def test_benchmark_comments_are_synthetic_without_data(tmp_path: object) -> None:
    from pathlib import Path

    comments, source = benchmark_comments(50, Path(str(tmp_path)) / "none")
    assert source == "synthetic comments" and len(comments) == 50
    assert len({c.comment_id for c in comments}) == 50

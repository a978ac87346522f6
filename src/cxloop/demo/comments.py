"""Hand-written customer comments in English, Vietnamese, Thai and Lithuanian.

The bank (comment_bank.json) holds sentences by topic and sentiment; a comment is one or two
of them plus an optional closing word, so that the same sentence rarely repeats verbatim.
"""

from __future__ import annotations

import json
import random
from functools import cache
from pathlib import Path
from typing import Any

BANK_PATH = Path(__file__).with_name("comment_bank.json")
SENTIMENTS = ("negative", "neutral", "positive")


@cache
def bank() -> dict[str, dict[str, Any]]:
    data: dict[str, dict[str, Any]] = json.loads(BANK_PATH.read_text(encoding="utf-8"))
    return data


def sentiment_of(kind: str, value: int) -> str:
    """What a score says: NPS 0-6/7-8/9-10, CSAT 1-2/3/4-5, CES 1-3/4-5/6-7 (bad/so-so/good)."""
    low, high = {"nps": (6, 9), "csat": (2, 4), "ces": (3, 6), "review": (2, 4)}[kind]
    if value <= low:
        return "negative"
    return "positive" if value >= high else "neutral"


def comment(rng: random.Random, language: str, topic: str, sentiment: str) -> str:
    """A comment about ``topic`` (or the shop in general) with the given sentiment."""
    lang = bank()[language]
    general: list[str] = lang["general"][sentiment]
    pool: list[str] = lang.get(topic, lang["general"])[sentiment]
    first = rng.choice(pool if rng.random() < 0.7 else general)
    text = first
    if rng.random() < 0.2:
        second = rng.choice(general)
        if second != first:
            text = f"{first} {second}"
    closers: list[str] = lang["closers"][sentiment]
    return text + rng.choice(closers)


def phrase(rng: random.Random, language: str, kind: str) -> str:
    """A ticket subject ("tickets"), a chat opener ("chats") or an agent reply ("replies")."""
    choices: list[str] = bank()[language][kind]
    return rng.choice(choices)


def sample_comments(count: int, seed: int = 7) -> list[str]:
    """`count` demo comments across languages, topics and sentiments (for benchmarks)."""
    rng = random.Random(seed)
    texts = []
    for _ in range(count):
        language = rng.choice(sorted(bank()))
        topic = rng.choice([t for t in bank()[language] if isinstance(bank()[language][t], dict)])
        texts.append(comment(rng, language, topic, rng.choice(("positive", "neutral", "negative"))))
    return texts

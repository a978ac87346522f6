"""The survey and the response payloads every phase of the ingest benchmark sends or inserts.

Payloads are deterministic (seeded), so the HTTP phases and the raw-insert baseline store the
same rows: one response with an NPS answer and, for about half of them, a comment.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from cxloop.surveys.schemas import QuestionIn, QuestionText, SurveyCreate, SurveyText

COMMENTS = (
    "Fast delivery and friendly staff.",
    "The checkout kept asking for my address again.",
    "Giao hàng nhanh, nhân viên thân thiện.",
    "Pristatymas vėlavo dvi dienas.",
    "พนักงานบริการดีมาก",
    "",
)
CHANNELS = ("web", "app", "email", "store", "phone", "chat")


def bench_survey() -> SurveyCreate:
    """A live NPS survey with a comment, as most programmes run at a touchpoint."""
    return SurveyCreate(
        name="Benchmark NPS",
        default_language="en",
        languages=["en"],
        texts={"en": SurveyText(title="How are we doing?")},
        questions=[
            QuestionIn(
                key="nps",
                kind="nps",
                required=True,
                texts={"en": QuestionText(prompt="How likely are you to recommend us?")},
            ),
            QuestionIn(
                key="comment",
                kind="open_text",
                texts={"en": QuestionText(prompt="What is the main reason for your score?")},
            ),
        ],
        publish=True,
    )


def payloads(survey_id: str, count: int, *, seed: int, prefix: str) -> list[dict[str, Any]]:
    """``count`` response submissions; idempotency keys start with ``prefix`` (unique per run)."""
    rng = random.Random(seed)
    start = datetime.now(UTC) - timedelta(days=30)
    items = []
    for n in range(count):
        answers: dict[str, Any] = {"nps": rng.randint(0, 10)}
        comment = rng.choice(COMMENTS)
        if comment:
            answers["comment"] = comment
        submitted = start + timedelta(seconds=rng.randint(0, 29 * 86400))
        items.append(
            {
                "survey_id": survey_id,
                "answers": answers,
                "channel": rng.choice(CHANNELS),
                "language": "en",
                "submitted_at": submitted.isoformat(),
                "idempotency_key": f"{prefix}-{n}",
                "hidden": {"order_id": f"B{seed}-{n}"},
            }
        )
    return items

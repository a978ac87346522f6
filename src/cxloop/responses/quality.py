"""Response quality flags, decided when a response is stored.

- ``speeder``: answered faster than 2 seconds per answer, or faster than a third of the
  survey's median completion time (once 20 timed responses exist). Needs the start time
  (the public page sends it; API clients may send ``started_at``).
- ``straight_lining``: 3 or more rating-style answers (rating, CSAT, CES) all the same value.
- ``duplicate``: the same contact gave the same answers to the same survey within an hour.
- ``honeypot``: a bot filled the public page's hidden field; those submissions are kept apart
  (as blocked progress rows) and never reach responses or metrics.

Flagged responses still count in metrics (a flag is a hint, not proof); the API shows them
(``flags``) and filters them (``GET /api/v1/responses?flagged=true``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from statistics import median
from typing import Any

from sqlalchemy.orm import Session

from cxloop.responses import repository as repo
from cxloop.responses.scoring import CheckedAnswer
from cxloop.surveys.models import QuestionKind

SPEEDER = "speeder"
STRAIGHT_LINING = "straight_lining"
DUPLICATE = "duplicate"
HONEYPOT = "honeypot"
ALL_FLAGS = (SPEEDER, STRAIGHT_LINING, DUPLICATE, HONEYPOT)

SECONDS_PER_ANSWER = 2.0
MEDIAN_FRACTION = 1 / 3
MIN_TIMED_FOR_MEDIAN = 20
STRAIGHT_LINE_MIN = 3
DUPLICATE_WINDOW = timedelta(hours=1)
_GRID_KINDS = {QuestionKind.rating, QuestionKind.csat, QuestionKind.ces}


def duration(started_at: datetime | None, submitted_at: datetime) -> float | None:
    """Seconds from start to submission; None when unknown or nonsensical."""
    if started_at is None or started_at.tzinfo is None:
        return None
    seconds = (submitted_at - started_at).total_seconds()
    return round(seconds, 3) if 0 <= seconds <= 7 * 86400 else None


def answer_flags(answers: Sequence[CheckedAnswer], seconds: float | None) -> list[str]:
    """Flags that need nothing but the response itself."""
    flags: list[str] = []
    if seconds is not None and seconds < SECONDS_PER_ANSWER * max(len(answers), 1):
        flags.append(SPEEDER)
    grid = [a.number for a in answers if a.question.kind in _GRID_KINDS]
    if len(grid) >= STRAIGHT_LINE_MIN and len(set(grid)) == 1:
        flags.append(STRAIGHT_LINING)
    return flags


def _values(answers: Sequence[CheckedAnswer]) -> dict[str, Any]:
    return {
        a.question.id: a.number if a.number is not None else (a.text or sorted(a.choices or []))
        for a in answers
    }


def history_flags(
    db: Session, row: dict[str, Any], answers: Sequence[CheckedAnswer], seconds: float | None
) -> list[str]:
    """Flags that compare with earlier responses (one or two indexed queries)."""
    flags: list[str] = []
    if seconds is not None:
        timed = repo.recent_durations(db, row["workspace_id"], row["survey_id"], 200)
        if len(timed) >= MIN_TIMED_FOR_MEDIAN and seconds < median(timed) * MEDIAN_FRACTION:
            flags.append(SPEEDER)
    if row.get("contact_id"):
        since = row["submitted_at"] - DUPLICATE_WINDOW
        earlier = repo.recent_answers_of_contact(
            db, row["workspace_id"], row["survey_id"], row["contact_id"], since
        )
        mine = _values(answers)
        if any(values == mine for values in earlier):
            flags.append(DUPLICATE)
    return flags


def mark(
    db: Session | None,
    row: dict[str, Any],
    answers: Sequence[CheckedAnswer],
    started_at: datetime | None,
) -> None:
    """Sets ``flags`` and ``duration_seconds`` on a response row about to be inserted.

    ``db`` None skips the checks against history (bulk imports and batches).
    """
    seconds = duration(started_at, row["submitted_at"])
    flags = answer_flags(answers, seconds)
    if db is not None:
        flags += history_flags(db, row, answers, seconds)
    row["flags"] = ",".join(dict.fromkeys(flags))
    row["duration_seconds"] = seconds


def split(flags: str) -> list[str]:
    return [f for f in flags.split(",") if f]

"""Demo survey responses over the last 12 months: seasonal volume, touchpoints whose scores
improve (or not) over the year, answers that agree with each other and comments that fit."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from cxloop.demo.comments import comment, sentiment_of
from cxloop.demo.people import LANGUAGE_MIX, Person
from cxloop.demo.plan import REASONS, TouchpointPlan

DAYS = 365
# Relative volume by month (holiday peak, quiet February) and by weekday (Monday = 0).
MONTH_VOLUME = {1: 0.85, 2: 0.7, 3: 0.9, 4: 0.95, 5: 1.0, 6: 1.0, 7: 0.9, 8: 0.95, 9: 1.0,
                10: 1.05, 11: 1.5, 12: 1.6}  # fmt: skip
WEEKDAY_VOLUME = (1.0, 0.95, 0.95, 1.0, 1.1, 1.25, 1.1)
HOUR_VOLUME = (1, 1, 1, 1, 1, 2, 3, 5, 7, 9, 10, 10, 11, 10, 9, 9, 10, 11, 12, 12, 11, 8, 5, 2)
PEAK_MONTHS = (11, 12)


@dataclass(frozen=True)
class Place:
    """A created touchpoint and its plan."""

    id: str
    plan: TouchpointPlan


@dataclass(frozen=True)
class Sample:
    """One generated response, before it goes through the ingestion service."""

    place: Place
    person: Person | None
    at: datetime
    language: str
    answers: dict[str, Any]
    hidden: dict[str, Any]


def _days(rng: random.Random, count: int, start: datetime) -> list[int]:
    weights = []
    for d in range(DAYS):
        day = start + timedelta(days=d)
        growth = 0.85 + 0.3 * d / DAYS
        weights.append(MONTH_VOLUME[day.month] * WEEKDAY_VOLUME[day.weekday()] * growth)
    return rng.choices(range(DAYS), weights=weights, k=count)


def _moment(rng: random.Random, start: datetime, day: int, now: datetime) -> datetime:
    hour = rng.choices(range(24), weights=HOUR_VOLUME)[0]
    at = start + timedelta(days=day, hours=hour, seconds=rng.randint(0, 3599))
    return at if at < now else now - timedelta(minutes=rng.randint(1, 600))


def mean_score(place: Place, at: datetime, start: datetime, person: Person | None) -> float:
    """The mean 0-10 answer here and now: the touchpoint's trend, the peak, the customer."""
    plan = place.plan
    t = min(1.0, max(0.0, (at - start).total_seconds() / (DAYS * 86400)))
    mean = plan.start + (plan.end - plan.start) * t
    if at.month in PEAK_MONTHS:
        mean -= plan.peak_penalty
    return mean + (person.mood if person else 0.0)


def _clamp(value: float, low: int, high: int) -> int:
    return max(low, min(high, round(value)))


def answers_for(rng: random.Random, place: Place, mean: float, language: str) -> dict[str, Any]:
    """Answers to the touchpoint's survey, consistent with ``mean`` (0-10)."""
    kind = place.plan.survey
    if kind == "nps":
        score = _clamp(rng.gauss(mean, 2.0), 0, 10)
    elif kind == "csat":
        score = _clamp(rng.gauss(mean / 2, 0.85), 1, 5)
    else:
        score = _clamp(rng.gauss(mean * 0.72, 1.0), 1, 7)
    answers: dict[str, Any] = {kind: score}
    sentiment = sentiment_of(kind, score)
    if kind == "nps" and rng.random() < 0.6:
        answers["reason"] = _reason(rng, place, sentiment)
    if kind == "nps" and rng.random() < 0.7:
        answers.update(_ratings(rng, score))
    if rng.random() < (0.55 if sentiment == "negative" else 0.35):
        answers["comment"] = comment(rng, language, place.plan.topic, sentiment)
    return answers


# How strongly each attribute rating follows the NPS answer (delivery matters most).
RATING_PULL = {"rate_delivery": 0.4, "rate_staff": 0.22, "rate_website": 0.15, "rate_price": 0.05}


def _ratings(rng: random.Random, score: int) -> dict[str, int]:
    return {
        key: _clamp(rng.gauss(3 + pull * (score - 7), 0.8), 1, 5)
        for key, pull in RATING_PULL.items()
    }


def _reason(rng: random.Random, place: Place, sentiment: str) -> str:
    if sentiment == "negative" and place.plan.topic == "delivery":
        return "delivery"
    if sentiment == "negative" and place.plan.topic == "support":
        return "service"
    return rng.choice([key for key, _ in REASONS])


def generate(
    rng: random.Random,
    count: int,
    people: list[Person],
    places: list[Place],
    now: datetime,
) -> list[Sample]:
    """``count`` responses over the 12 months before ``now``, oldest first."""
    start = now - timedelta(days=DAYS)
    weights = [p.plan.volume for p in places]
    samples = []
    for day in sorted(_days(rng, count, start)):
        place = rng.choices(places, weights=weights)[0]
        person = rng.choice(people) if people and rng.random() < 0.9 else None
        language = person.language if person else _language(rng)
        at = _moment(rng, start, day, now)
        answers = answers_for(rng, place, mean_score(place, at, start, person), language)
        hidden = {"campaign": f"{place.plan.key}-{at:%Y-%m}"}
        samples.append(Sample(place, person, at, language, answers, hidden))
    return samples


def _language(rng: random.Random) -> str:
    return rng.choices([lang for lang, _ in LANGUAGE_MIX], [w for _, w in LANGUAGE_MIX])[0]

"""Interactions that make a demo customer's timeline: orders, tickets, calls, chats, visits,
reviews. Gaps between events follow the channel (a chat reply in minutes, an email in hours)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from cxloop.demo.comments import comment, phrase, sentiment_of
from cxloop.demo.people import Person
from cxloop.interactions.schemas import NewInteraction

# First agent reply and time to solve, in minutes, by channel: (low, high) of a uniform draw.
REPLY_MINUTES = {"phone": (1, 12), "chat": (0.5, 6), "email": (45, 36 * 60), "web": (60, 30 * 60)}
SOLVE_MINUTES = {
    "phone": (10, 8 * 60),
    "chat": (5, 3 * 60),
    "email": (4 * 60, 72 * 60),
    "web": (6 * 60, 96 * 60),
}
REOPEN_RATE = {"phone": 0.25, "chat": 0.08, "email": 0.12, "web": 0.10}


@dataclass
class Timeline:
    """Collects interactions; ``tickets`` numbers the support threads."""

    rng: random.Random
    items: list[NewInteraction] = field(default_factory=list)
    tickets: int = 0
    orders: int = 0

    def add(self, person: Person, kind: str, at: datetime, **extra: object) -> None:
        self.items.append(NewInteraction(contact_id=person.id, kind=kind, occurred_at=at, **extra))  # type: ignore[arg-type]

    def order(self, person: Person, at: datetime, touchpoint_id: str, channel: str) -> str:
        """An order placed at ``at``; returns its order number."""
        self.orders += 1
        number = f"ORD-{200000 + self.orders}"
        items = self.rng.randint(1, 5)
        amount = round(items * self.rng.lognormvariate(3.3, 0.6), 2)
        self.add(
            person,
            "order",
            at,
            touchpoint_id=touchpoint_id,
            channel=channel,
            value=amount,
            external_id=f"order:{number}",
            thread_id=number,
            properties={"order_id": number, "items": items, "currency": "EUR"},
        )
        return number

    def ticket(self, person: Person, solved_by: datetime, touchpoint_id: str, channel: str) -> None:
        """A ticket that is opened, answered, solved (and maybe reopened) before ``solved_by``."""
        rng = self.rng
        self.tickets += 1
        thread = f"T-{50000 + self.tickets}"
        reply = timedelta(minutes=rng.uniform(*REPLY_MINUTES[channel]))
        solve = max(reply * 1.5, timedelta(minutes=rng.uniform(*SOLVE_MINUTES[channel])))
        reopened = rng.random() < REOPEN_RATE[channel]
        extra = timedelta(days=rng.uniform(1, 4)) if reopened else timedelta(0)
        opened = solved_by - solve - extra - timedelta(minutes=rng.uniform(5, 120))
        common = {"touchpoint_id": touchpoint_id, "channel": channel, "thread_id": thread}
        lang = person.language
        self.add(person, "ticket_opened", opened, text=phrase(rng, lang, "tickets"), **common)
        if channel == "phone":
            minutes = round(rng.uniform(3, 25), 1)
            self.add(
                person, "call", opened, value=minutes, properties={"minutes": minutes}, **common
            )
        self.add(
            person, "agent_replied", opened + reply, text=phrase(rng, lang, "replies"), **common
        )
        self.add(person, "ticket_solved", opened + solve, **common)
        if reopened:
            final = opened + solve + extra
            again = final - timedelta(hours=rng.uniform(2, 20))
            answer = again + min(reply, (final - again) / 2)
            self.add(person, "ticket_reopened", again, **common)
            self.add(person, "agent_replied", answer, text=phrase(rng, lang, "replies"), **common)
            self.add(person, "ticket_solved", final, **common)

    def extras(
        self, person: Person, start: datetime, end: datetime, places: dict[str, str]
    ) -> None:
        """Store visits, the odd chat and review, spread over the year."""
        rng = self.rng
        span = (end - start).total_seconds()

        def when() -> datetime:
            return start + timedelta(seconds=rng.uniform(0, span))

        for _ in range(rng.choice((0, 0, 0, 1, 1, 2))):
            self.add(
                person, "visit", when(), touchpoint_id=places["checkout-store"], channel="store"
            )
        if rng.random() < 0.1:
            self.add(
                person,
                "chat",
                when(),
                touchpoint_id=places["live-chat"],
                channel="chat",
                text=phrase(rng, person.language, "chats"),
            )
        if rng.random() < 0.08:
            stars = max(1, min(5, round(rng.gauss(3.9 + person.mood * 0.5, 1.1))))
            text = comment(rng, person.language, "general", sentiment_of("review", stars))
            self.add(
                person,
                "review",
                when(),
                channel="review_site",
                value=float(stars),
                text=text,
                properties={"site": rng.choice(("Trustpilot", "Google", "App Store"))},
            )

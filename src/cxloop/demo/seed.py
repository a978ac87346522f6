"""Demo workspace (placeholder until the demo generator lands)."""

from __future__ import annotations

from sqlalchemy.orm import Session


def seed_demo(db: Session, *, contacts: int, responses: int, seed: int, reset: bool) -> str:
    raise NotImplementedError

"""Pydantic shapes of responses: one submission, a batch, and what is read back."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field, JsonValue, field_validator

from cxloop.journeys.models import Channel


class ContactRef(BaseModel):
    """Who answered: an existing contact id, or an identity to find or create the contact."""

    id: str | None = None
    external_id: str | None = Field(None, max_length=200)
    email: str | None = Field(None, max_length=320)
    name: str | None = Field(None, max_length=200)
    language: str | None = Field(None, max_length=16)


class ResponseCreate(BaseModel):
    survey_id: str
    answers: dict[str, JsonValue] = Field(
        description='Answers by question key, e.g. {"nps": 9, "comment": "Fast"}.'
    )
    contact: ContactRef | None = None
    language: str | None = Field(None, max_length=16)
    channel: Channel | None = None
    touchpoint_id: str | None = None
    submitted_at: datetime | None = None
    started_at: datetime | None = Field(
        None, description="When the respondent began; gives the completion time (speeders)."
    )
    idempotency_key: str | None = Field(None, min_length=1, max_length=200)
    hidden: dict[str, JsonValue] = Field(
        default_factory=dict, description="Hidden fields, e.g. order id or store id."
    )

    @field_validator("hidden")
    @classmethod
    def _small_hidden(cls, v: dict[str, Any]) -> dict[str, Any]:
        if len(v) > 50:
            raise ValueError("at most 50 hidden fields")
        return v


class ResponseBatch(BaseModel):
    items: list[ResponseCreate] = Field(min_length=1)


class AnswerRead(BaseModel):
    question_key: str
    kind: str
    value: float | str | list[str] | None


class ResponseRead(BaseModel):
    id: str
    survey_id: str
    version_id: str
    touchpoint_id: str | None
    contact_id: str | None
    channel: str | None
    language: str
    source: str
    submitted_at: datetime
    hidden: dict[str, Any]
    answers: dict[str, float | str | list[str] | None]
    duplicate: bool = Field(False, description="True when the idempotency key was seen before.")
    flags: list[str] = Field(
        default_factory=list,
        description="Quality flags: speeder, straight_lining, duplicate (counted in metrics).",
    )
    duration_seconds: float | None = Field(None, description="Completion time, when known.")


class BatchResult(BaseModel):
    accepted: int
    duplicates: int
    ids: list[str]

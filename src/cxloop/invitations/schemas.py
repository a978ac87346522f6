"""Invitations API shapes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class OfferCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    survey_id: str
    contact_id: str
    channel: str = Field("email", description="email, sms, link or widget")
    touchpoint_id: str | None = None
    hidden: dict[str, str] = Field(default_factory=dict)
    send_after: datetime | None = None


class OfferRead(BaseModel):
    invitation_id: str | None
    allowed: bool
    rule: str | None
    reason: str
    url: str | None = Field(None, description="The personal link (when allowed).")


class CampaignCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    survey_id: str
    contact_ids: list[str] | None = Field(None, max_length=10000)
    segment_id: str | None = None
    channel: str = Field("email", description="email or sms")
    send_at: datetime | None = None
    reminder_after_days: int | None = Field(None, ge=1, le=60)
    max_reminders: int = Field(0, ge=0, le=5)


class CampaignRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    survey_id: str
    channel: str
    segment_id: str | None
    send_at: datetime | None
    reminder_after_days: int | None
    max_reminders: int
    contacts: int
    created_at: datetime


class InvitationRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    survey_id: str
    contact_id: str
    channel: str
    touchpoint_id: str | None
    language: str
    hidden: dict[str, Any]
    source: str
    status: str
    blocked_rule: str | None
    blocked_reason: str | None
    sent_at: datetime | None
    delivered_at: datetime | None
    opened_at: datetime | None
    started_at: datetime | None
    completed_at: datetime | None
    reminders_sent: int
    nps_score: int | None


class DeliveryEvent(BaseModel):
    model_config = ConfigDict(extra="forbid")

    stage: str = Field(description="delivered, bounced or failed")


class FunnelRow(BaseModel):
    group: str | None = None
    invitations: int
    sent: int
    delivered: int
    opened: int
    started: int
    completed: int
    responses: int
    open_rate: float | None = Field(description="opened ÷ delivered")
    start_rate: float | None = Field(description="started ÷ opened")
    completion_rate: float | None = Field(description="completed ÷ started")
    response_rate: float | None = Field(description="responses ÷ invitations delivered")


class Funnel(BaseModel):
    total: FunnelRow
    by_channel: list[FunnelRow]
    by_language: list[FunnelRow]
    blocked: dict[str, int] = Field(description="Invitations governance blocked, by rule.")

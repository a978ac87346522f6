"""Governance API shapes."""

from __future__ import annotations

import re
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
CHANNELS = ("email", "sms", "link", "widget")


class SettingsWrite(BaseModel):
    model_config = ConfigDict(extra="forbid")

    workspace_cap: int | None = Field(None, ge=1, le=1000, description="Invitations per period.")
    workspace_period_days: int = Field(30, ge=1, le=365)
    survey_cap: int | None = Field(None, ge=1, le=1000)
    survey_period_days: int = Field(90, ge=1, le=365)
    touchpoint_cap: int | None = Field(None, ge=1, le=1000)
    touchpoint_period_days: int = Field(30, ge=1, le=365)
    reminders_count: bool = Field(False, description="Whether reminders count toward the caps.")
    quarantine_days: int = Field(0, ge=0, le=365, description="No invitation after a response.")
    quiet_start: str | None = Field(None, description="Quiet hours start, HH:MM local time.")
    quiet_end: str | None = Field(None, description="Quiet hours end, HH:MM local time.")

    @field_validator("quiet_start", "quiet_end")
    @classmethod
    def _hhmm(cls, value: str | None) -> str | None:
        if value is not None and not HHMM.match(value):
            raise ValueError("use HH:MM on a 24-hour clock, e.g. 21:00")
        return value


class SettingsRead(SettingsWrite):
    model_config = ConfigDict(from_attributes=True)


class SuppressionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: str | None = None
    phone: str | None = Field(None, max_length=40)
    note: str = Field("", max_length=500)


class SuppressionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    kind: str
    value: str
    reason: str
    note: str
    created_at: datetime


class BounceCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: str | None = None
    phone: str | None = Field(None, max_length=40)
    note: str = Field("", max_length=500)


class OptOutWrite(BaseModel):
    model_config = ConfigDict(extra="forbid")

    channel: str = Field("all", description="email, sms, link, widget, or all")
    source: str = Field("api", max_length=200)

    @field_validator("channel")
    @classmethod
    def _channel(cls, value: str) -> str:
        if value not in (*CHANNELS, "all"):
            raise ValueError(f"channel must be one of {', '.join((*CHANNELS, 'all'))}")
        return value


class ConsentWrite(OptOutWrite):
    granted: bool = True


class ConsentRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    channel: str
    granted: bool
    source: str
    created_at: datetime


class DecisionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    at: datetime
    survey_id: str | None
    touchpoint_id: str | None
    channel: str
    is_reminder: bool
    allowed: bool
    rule: str | None
    reason: str


class Eligibility(BaseModel):
    contact_id: str
    survey_id: str | None
    channel: str
    allowed: bool = Field(description="Whether an invitation would be allowed now.")
    rule: str | None = Field(None, description="The rule that blocks it, e.g. cap.workspace.")
    reason: str
    opt_outs: list[str]
    consents: list[ConsentRead]
    history: list[DecisionRead] = Field(description="Past decisions, newest first.")

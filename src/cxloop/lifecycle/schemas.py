"""Customer lifecycle shapes: the workspace's definitions and churn, retention and CLV results."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from cxloop.interactions.models import InteractionKind


class CustomerSettings(BaseModel):
    """How a workspace defines an active customer and values one (stored on the workspace)."""

    model_config = ConfigDict(extra="forbid")

    activity_kinds: list[InteractionKind] = Field(
        default=[InteractionKind.order],
        min_length=1,
        description="Interactions that make a contact an active customer (e.g. order).",
    )
    churn_window_days: int = Field(
        180, ge=7, le=1095, description="A customer with no activity for this long is lost."
    )
    support_kinds: list[InteractionKind] = Field(
        default=[InteractionKind.ticket_opened, InteractionKind.chat, InteractionKind.call],
        min_length=1,
        description="Interactions that count as contacting support.",
    )
    acquisition_cost: float = Field(0.0, ge=0, description="Cost to win one customer.")
    margin_pct: float = Field(
        100.0, gt=0, le=100, description="Share of revenue that is margin (discounted CLV)."
    )
    discount_rate: float = Field(0.10, gt=-1, le=1, description="Yearly discount rate i.")
    horizon_years: int = Field(5, ge=1, le=30, description="Years T of the discounted CLV sum.")


class GroupRead(BaseModel):
    name: str
    customers_start: int
    customers_end: int
    new_customers: int
    lost: int
    churn_pct: float | None
    retention_pct: float | None
    annual_revenue_per_customer: float
    relationship_years: float | None
    clv_simple: float | None
    clv_discounted: float | None
    insufficient: bool


class ChurnComparison(BaseModel):
    delta_points: float = Field(description="Churn of those who contacted support minus others.")
    p_value: float
    significant: bool


class CustomerMetrics(BaseModel):
    date_from: date
    date_to: date
    settings: CustomerSettings
    all_customers: GroupRead
    contacted_support: GroupRead
    no_support_contact: GroupRead
    churn_difference: ChurnComparison | None

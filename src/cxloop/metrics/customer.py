"""Customer metrics from counts (the database counts, Python finishes the arithmetic).

DESIGN.md "Metric definitions":

- churn rate = customers lost in the period ÷ customers at its start * 100
- retention rate = (customers at end E - new customers N) ÷ customers at start S * 100
- CLV (simple) = annual revenue per customer * relationship years - acquisition cost
- CLV (discounted) = Σ_{t=1..T} m·rᵗ/(1+i)ᵗ - AC, with m the yearly margin per customer, r the
  yearly retention share (0..1), i the yearly discount rate and T the horizon in years.
  The sum starts at t = 1: the first margin is earned at the end of year one, after one year of
  retention and discounting (t = 0 would count a margin before any churn or discounting).
"""

from __future__ import annotations

from dataclasses import dataclass

from cxloop.core.errors import Invalid
from cxloop.metrics.significance import Comparison, compare_proportions


def _non_negative(**values: float) -> None:
    for name, value in values.items():
        if value < 0:
            raise Invalid(f"{name} cannot be negative, got {value}")


def churn_rate(lost: int, customers_start: int) -> float:
    """Churn % = lost ÷ customers at start * 100."""
    _non_negative(lost=lost, customers_start=customers_start)
    if customers_start == 0:
        raise Invalid("customers_start must be at least 1 to compute a churn rate")
    return 100.0 * lost / customers_start


def retention_rate(customers_end: int, new_customers: int, customers_start: int) -> float:
    """Retention % = (E - N) ÷ S * 100."""
    _non_negative(
        customers_end=customers_end, new_customers=new_customers, customers_start=customers_start
    )
    if customers_start == 0:
        raise Invalid("customers_start must be at least 1 to compute a retention rate")
    if new_customers > customers_end:
        raise Invalid(
            f"new_customers ({new_customers}) cannot exceed customers_end ({customers_end}): "
            "retention counts the customers at the end who were already customers at the start"
        )
    return 100.0 * (customers_end - new_customers) / customers_start


def clv_simple(
    annual_revenue: float, relationship_years: float, acquisition_cost: float = 0.0
) -> float:
    """CLV = annual revenue per customer * relationship years - acquisition cost."""
    _non_negative(
        annual_revenue=annual_revenue,
        relationship_years=relationship_years,
        acquisition_cost=acquisition_cost,
    )
    return annual_revenue * relationship_years - acquisition_cost


def clv_discounted(
    margin: float,
    retention: float,
    discount_rate: float,
    years: int,
    acquisition_cost: float = 0.0,
) -> float:
    """CLV = Σ_{t=1..T} m·rᵗ/(1+i)ᵗ - AC (t from 1: see the module docstring).

    ``retention`` r is a share 0..1 (retention_rate / 100), ``discount_rate`` i e.g. 0.10.
    """
    _non_negative(margin=margin, years=years, acquisition_cost=acquisition_cost)
    if not 0.0 <= retention <= 1.0:
        raise Invalid(f"retention must be a share between 0 and 1, got {retention}")
    if discount_rate <= -1.0:
        raise Invalid(f"discount_rate must be greater than -1 (e.g. 0.10), got {discount_rate}")
    factor = retention / (1.0 + discount_rate)
    return sum(margin * factor**t for t in range(1, years + 1)) - acquisition_cost


@dataclass(frozen=True)
class GroupInput:
    """Counts and money of one group of customers over one period (a year for CLV)."""

    name: str
    customers_start: int
    customers_end: int
    new_customers: int
    lost: int
    annual_revenue: float  # per customer
    relationship_years: float
    acquisition_cost: float = 0.0
    margin: float | None = None  # yearly margin per customer; the revenue when omitted
    discount_rate: float = 0.10
    horizon_years: int = 5


@dataclass(frozen=True)
class GroupMetrics:
    name: str
    customers_start: int
    churn_pct: float
    retention_pct: float
    clv_simple: float
    clv_discounted: float


@dataclass(frozen=True)
class GroupComparison:
    """Both groups side by side; ``churn_test`` tests churn of b against a (delta in points)."""

    a: GroupMetrics
    b: GroupMetrics
    churn_test: Comparison


def group_metrics(group: GroupInput) -> GroupMetrics:
    """Churn, retention and both CLV forms; retention r = retention % / 100 feeds the CLV sum."""
    retention = retention_rate(group.customers_end, group.new_customers, group.customers_start)
    margin = group.annual_revenue if group.margin is None else group.margin
    return GroupMetrics(
        name=group.name,
        customers_start=group.customers_start,
        churn_pct=churn_rate(group.lost, group.customers_start),
        retention_pct=retention,
        clv_simple=clv_simple(
            group.annual_revenue, group.relationship_years, group.acquisition_cost
        ),
        clv_discounted=clv_discounted(
            margin,
            min(retention, 100.0) / 100.0,
            group.discount_rate,
            group.horizon_years,
            group.acquisition_cost,
        ),
    )


def compare_groups(a: GroupInput, b: GroupInput, confidence: float = 0.95) -> GroupComparison:
    """E.g. customers who contacted support (b) vs those who did not (a).

    Churn is tested with the pooled two-proportion z-test on (lost, customers at start).
    """
    for group in (a, b):
        if group.lost > group.customers_start:
            raise Invalid(
                f"{group.name}: lost ({group.lost}) cannot exceed customers_start "
                f"({group.customers_start}) when churn is compared"
            )
    metrics_a, metrics_b = group_metrics(a), group_metrics(b)
    test = compare_proportions((a.lost, a.customers_start), (b.lost, b.customers_start), confidence)
    return GroupComparison(metrics_a, metrics_b, test)

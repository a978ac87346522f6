"""Churn, retention and CLV for a period, for all customers and for those who contacted
support versus those who did not (the seeds' comparison), with a significance test on churn.

Formulas: cxloop.metrics.customer (DESIGN.md). Relationship years = 1 / annual churn, where
the period's churn is annualised as 1 - (1 - churn)^(365 / days); the discounted CLV uses the
annual retention 1 - annual churn.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.orm import Session

from cxloop.accounts import service as accounts
from cxloop.lifecycle import repository as repo
from cxloop.lifecycle.schemas import ChurnComparison, CustomerMetrics, CustomerSettings, GroupRead
from cxloop.metrics import customer
from cxloop.metrics.significance import compare_proportions

MAX_YEARS = 50.0


def settings_of(db: Session, workspace_id: str) -> CustomerSettings:
    workspace = accounts.get_workspace(db, workspace_id)
    return CustomerSettings.model_validate(workspace.customer_settings or {})


def update_settings(db: Session, workspace_id: str, change: CustomerSettings) -> CustomerSettings:
    workspace = accounts.get_workspace(db, workspace_id)
    workspace.customer_settings = change.model_dump(mode="json")
    db.flush()
    return change


def _group(
    name: str, counts: repo.Counts, days: int, settings: CustomerSettings, min_sample: int
) -> GroupRead:
    revenue = counts.revenue_last_year / counts.customers_end if counts.customers_end else 0.0
    read = GroupRead(
        name=name,
        customers_start=counts.customers_start,
        customers_end=counts.customers_end,
        new_customers=counts.new_customers,
        lost=counts.lost,
        churn_pct=None,
        retention_pct=None,
        annual_revenue_per_customer=round(revenue, 2),
        relationship_years=None,
        clv_simple=None,
        clv_discounted=None,
        insufficient=counts.customers_start < min_sample,
    )
    if counts.customers_start == 0:
        return read
    churn = customer.churn_rate(counts.lost, counts.customers_start)
    retention = customer.retention_rate(
        counts.customers_end, counts.new_customers, counts.customers_start
    )
    annual_churn = 1.0 - (1.0 - churn / 100.0) ** (365.0 / days)
    years = min(1.0 / annual_churn, MAX_YEARS) if annual_churn > 0 else MAX_YEARS
    clv = customer.clv_simple(revenue, years, settings.acquisition_cost)
    discounted = customer.clv_discounted(
        revenue * settings.margin_pct / 100.0,
        1.0 - annual_churn,
        settings.discount_rate,
        settings.horizon_years,
        settings.acquisition_cost,
    )
    return read.model_copy(
        update={
            "churn_pct": round(churn, 2),
            "retention_pct": round(retention, 2),
            "relationship_years": round(years, 2),
            "clv_simple": round(clv, 2),
            "clv_discounted": round(discounted, 2),
        }
    )


def _add(a: repo.Counts, b: repo.Counts) -> repo.Counts:
    return repo.Counts(
        a.customers_start + b.customers_start,
        a.customers_end + b.customers_end,
        a.new_customers + b.new_customers,
        a.lost + b.lost,
        a.revenue_last_year + b.revenue_last_year,
    )


def customer_metrics(
    db: Session, workspace_id: str, date_from: date, date_to: date
) -> CustomerMetrics:
    """Customer metrics for the days date_from..date_to (inclusive, workspace time zone)."""
    start, end = accounts.workspace_days(db, workspace_id, date_from, date_to)
    assert start is not None and end is not None
    workspace = accounts.get_workspace(db, workspace_id)
    settings = settings_of(db, workspace_id)
    counts = repo.group_counts(
        db,
        workspace_id,
        start,
        end,
        timedelta(days=settings.churn_window_days),
        [k.value for k in settings.activity_kinds],
        [k.value for k in settings.support_kinds],
    )
    days = (date_to - date_from).days + 1
    support, others = counts[True], counts[False]
    groups = [
        _group(name, c, days, settings, workspace.min_sample)
        for name, c in (
            ("all customers", _add(support, others)),
            ("contacted support", support),
            ("no support contact", others),
        )
    ]
    comparison = None
    if support.customers_start and others.customers_start:
        test = compare_proportions(
            (others.lost, others.customers_start), (support.lost, support.customers_start)
        )
        comparison = ChurnComparison(
            delta_points=round(test.delta, 2),
            p_value=round(test.p_value, 5),
            significant=test.significant,
        )
    return CustomerMetrics(
        date_from=date_from,
        date_to=date_to,
        settings=settings,
        all_customers=groups[0],
        contacted_support=groups[1],
        no_support_contact=groups[2],
        churn_difference=comparison,
    )

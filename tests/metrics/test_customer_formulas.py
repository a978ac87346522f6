"""Churn, retention and CLV, pinned against hand-computed numbers."""

from __future__ import annotations

import pytest

from cxloop.core.errors import Invalid
from cxloop.metrics import customer


def test_churn_and_retention_rates() -> None:
    # 1000 at start, 80 lost → 8 %; 1050 at end of whom 130 new → (1050-130)/1000 = 92 %
    assert customer.churn_rate(80, 1000) == pytest.approx(8.0)
    assert customer.retention_rate(1050, 130, 1000) == pytest.approx(92.0)


def test_simple_clv() -> None:
    # 1200/year * 3.5 years - 300 acquisition = 3900
    assert customer.clv_simple(1200.0, 3.5, 300.0) == pytest.approx(3900.0)


def test_discounted_clv_starts_at_year_one() -> None:
    # m=1000, r=0.8, i=0.10, T=3: factor 0.8/1.1 = 0.727273
    # 1000·(0.727273 + 0.528926 + 0.384673) = 1640.872; - AC 200 = 1440.872
    assert customer.clv_discounted(1000.0, 0.8, 0.10, 3, 200.0) == pytest.approx(1440.872, abs=1e-3)
    # no discount, full retention: T margins exactly
    assert customer.clv_discounted(50.0, 1.0, 0.0, 4) == pytest.approx(200.0)
    assert customer.clv_discounted(50.0, 0.9, 0.1, 0, 10.0) == pytest.approx(-10.0)


def test_compare_groups_side_by_side_with_a_churn_test() -> None:
    # no contact: 2000 start, 200 lost (10 %); contacted support: 500 start, 75 lost (15 %)
    # pooled p̂ = 275/2500 = 0.11, se = √(0.11·0.89·(1/2000 + 1/500)) = 0.015644
    # z = 0.05/0.015644 = 3.1960 → significant, churn up 5 points
    no_contact = customer.GroupInput("no contact", 2000, 1950, 150, 200, 600.0, 4.0, 100.0)
    contacted = customer.GroupInput("contacted", 500, 470, 45, 75, 800.0, 3.0, 100.0, margin=300.0)
    result = customer.compare_groups(no_contact, contacted)
    assert (result.a.churn_pct, result.b.churn_pct) == pytest.approx((10.0, 15.0))
    # retention: (1950-150)/2000 = 90 %, (470-45)/500 = 85 %
    assert (result.a.retention_pct, result.b.retention_pct) == pytest.approx((90.0, 85.0))
    assert result.a.clv_simple == pytest.approx(600.0 * 4 - 100)
    assert result.b.clv_simple == pytest.approx(800.0 * 3 - 100)
    # b's discounted CLV uses its margin 300 and r = 0.85 over 5 years at 10 %
    expected_b = sum(300.0 * (0.85 / 1.1) ** t for t in range(1, 6)) - 100.0
    assert result.b.clv_discounted == pytest.approx(expected_b)
    assert result.churn_test.delta == pytest.approx(5.0)
    assert result.churn_test.statistic == pytest.approx(3.1960, abs=1e-4)
    assert result.churn_test.significant is True
    assert result.churn_test.direction == "up"


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: customer.churn_rate(5, 0), "customers_start must be at least 1"),
        (lambda: customer.churn_rate(-1, 10), "lost cannot be negative"),
        (lambda: customer.retention_rate(10, 2, 0), "customers_start must be at least 1"),
        (lambda: customer.retention_rate(10, 12, 20), "new_customers"),
        (lambda: customer.clv_discounted(100.0, 0.8, -1.0, 3), "greater than -1"),
        (lambda: customer.clv_discounted(100.0, 80.0, 0.1, 3), "share between 0 and 1"),
        (lambda: customer.clv_simple(-5.0, 2.0), "annual_revenue cannot be negative"),
        (
            lambda: customer.compare_groups(
                customer.GroupInput("vip", 10, 10, 0, 12, 1.0, 1.0),
                customer.GroupInput("rest", 10, 10, 0, 1, 1.0, 1.0),
            ),
            "vip: lost",
        ),
    ],
)
def test_invalid_inputs_name_the_problem(call: object, message: str) -> None:
    assert callable(call)
    with pytest.raises(Invalid, match=message):
        call()

"""The analytics marts equal answers computed from the simulator's files.

Read at the end of the session scenario, when the warehouse holds every day of both
sources (files and the Kafka feed that repeated them): the truth is computed from the
generated files of all days (tests/analytics_truth.py) and, for the telecom charges,
from the simulator's rating in the manifest.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

from tests import analytics_truth
from tests.conftest import Scenario
from tests.pipeline import query

FINAL_STAGE = "replayed"


@pytest.fixture(scope="module")
def generated_dir(scenario: Scenario) -> Path:
    # The scenario's last generation covers every day it delivered (conftest.py).
    path = scenario.sandbox.root / "generated_today"
    assert (path / "shop_orders").is_dir(), path
    return path


@pytest.fixture(scope="module")
def truth_orders(generated_dir: Path) -> dict[int, analytics_truth.Order]:
    return analytics_truth.orders(generated_dir)


@pytest.fixture(scope="module")
def usage(scenario: Scenario) -> list[dict[str, object]]:
    return scenario.stages[FINAL_STAGE].manifest["usage_per_customer_day"]


def test_daily_sales_match_the_files(
    scenario: Scenario, truth_orders: dict[int, analytics_truth.Order]
) -> None:
    rows = query(
        scenario.sandbox,
        """
        select order_date, order_channel, order_count, revenue_order_count, revenue_eur,
               item_count, unit_count, cancelled_order_count, returned_order_count,
               average_order_value_eur, cancelled_order_share
        from marts.fct_daily_sales
        """,
    )
    expected = analytics_truth.daily_sales(truth_orders)
    actual = {
        (row[0].isoformat(), row[1]): dict(
            zip(
                ("order_count", "revenue_order_count", "revenue_eur", "item_count",
                 "unit_count", "cancelled_order_count", "returned_order_count"),
                row[2:9],
                strict=True,
            )
        )
        for row in rows
    }  # fmt: skip
    assert actual == expected
    assert any(day["cancelled_order_count"] for day in expected.values())
    for row in rows:
        order_count, revenue_orders, revenue, aov, cancelled_share = (
            row[2], row[3], row[4], row[9], row[10],
        )  # fmt: skip
        if revenue_orders:
            # Both engines round half away from zero when casting to numeric.
            assert aov == (revenue / revenue_orders).quantize(Decimal("0.01"), ROUND_HALF_UP)
        assert abs(float(cancelled_share) - row[7] / order_count) < 1e-6


def test_monthly_top_products_match_the_files(
    scenario: Scenario, generated_dir: Path, truth_orders: dict[int, analytics_truth.Order]
) -> None:
    rows = query(
        scenario.sandbox,
        "select month_start_date, revenue_rank, product_id from marts.fct_monthly_top_products",
    )
    actual = {(month.isoformat(), rank): product for month, rank, product in rows}
    expected = analytics_truth.top_products(generated_dir, truth_orders)
    assert len(expected) == 10
    assert actual == expected


def test_monthly_top_customers_match_the_files(
    scenario: Scenario, truth_orders: dict[int, analytics_truth.Order]
) -> None:
    rows = query(
        scenario.sandbox,
        "select month_start_date, revenue_rank, customer_id from marts.fct_monthly_top_customers",
    )
    actual = {(month.isoformat(), rank): customer for month, rank, customer in rows}
    assert actual == analytics_truth.top_customers(truth_orders)


def test_customer_value_and_rfm_match_the_files(
    scenario: Scenario,
    generated_dir: Path,
    truth_orders: dict[int, analytics_truth.Order],
    usage: list[dict[str, object]],
) -> None:
    rows = query(
        scenario.sandbox,
        """
        select customer_id, recency_score, frequency_score, monetary_score, rfm_segment,
               shop_revenue_eur, telecom_charge_eur, customer_value_eur
        from marts.dim_customer_value
        """,
    )
    columns = (
        "recency_score", "frequency_score", "monetary_score", "rfm_segment",
        "shop_revenue_eur", "telecom_charge_eur", "customer_value_eur",
    )  # fmt: skip
    actual = {
        row[0]: {
            name: str(value) if isinstance(value, Decimal) else value
            for name, value in zip(columns, row[1:], strict=True)
        }
        for row in rows
    }
    expected = analytics_truth.customer_value(generated_dir, truth_orders, usage)
    assert actual == expected
    segments = {row["rfm_segment"] for row in expected.values()}
    assert {"champions", "no_orders"} <= segments
    # The combined value needs both businesses: some customers are worth something to each.
    assert any(
        Decimal(row["shop_revenue_eur"]) > 0 and Decimal(row["telecom_charge_eur"]) > 0
        for row in expected.values()
    )


def test_cohort_retention_matches_the_files(
    scenario: Scenario,
    generated_dir: Path,
    truth_orders: dict[int, analytics_truth.Order],
    usage: list[dict[str, object]],
) -> None:
    rows = query(
        scenario.sandbox,
        """
        select cohort_month, activity_month, cohort_size, active_customer_count, retention_share
        from marts.fct_cohort_retention
        """,
    )
    actual = {(c.isoformat(), a.isoformat()): (size, active) for c, a, size, active, _ in rows}
    assert actual == analytics_truth.cohort_retention(generated_dir, truth_orders, usage)
    for _, _, size, active, share in rows:
        assert abs(float(share) - active / size) < 1e-6


def test_cell_hourly_kpis_match_the_files(scenario: Scenario, generated_dir: Path) -> None:
    rows = query(
        scenario.sandbox,
        """
        select cell_id, strftime(call_hour, '%Y-%m-%d %H:%M:%S'), call_count, voice_call_count,
               sms_count, data_session_count, voice_minutes, data_mb, dropped_call_count
        from marts.fct_cell_hourly_kpis
        """,
    )
    actual = {
        (cell, hour): {
            "call_count": calls,
            "voice_call_count": voice,
            "sms_count": sms,
            "data_session_count": data,
            "voice_seconds": round(minutes * 60),
            "data_bytes": round(megabytes * 1_000_000),
            "dropped_call_count": dropped,
        }
        for cell, hour, calls, voice, sms, data, minutes, megabytes, dropped in rows
    }
    expected = analytics_truth.cell_hourly_kpis(generated_dir)
    assert actual == expected
    manifest_calls = scenario.stages[FINAL_STAGE].manifest["calls"]["distinct_valid"]
    assert sum(kpi["call_count"] for kpi in expected.values()) == manifest_calls
    assert sum(kpi["dropped_call_count"] for kpi in expected.values()) > 0


def test_cell_daily_busy_hour_is_the_hour_with_most_calls(
    scenario: Scenario, generated_dir: Path
) -> None:
    hourly = analytics_truth.cell_hourly_kpis(generated_dir)
    expected: dict[tuple[str, str], tuple[int, int, str]] = {}
    for (cell, hour), kpi in sorted(hourly.items()):
        day = hour[:10]
        total, best, best_hour = expected.get((cell, day), (0, -1, ""))
        if kpi["call_count"] > best:
            best, best_hour = kpi["call_count"], hour
        expected[(cell, day)] = (total + kpi["call_count"], best, best_hour)
    rows = query(
        scenario.sandbox,
        "select cell_id, call_date, call_count, busy_hour, busy_hour_call_count "
        "from marts.fct_cell_daily_kpis",
    )
    actual = {
        (cell, day.isoformat()): (calls, busy_calls, f"{day.isoformat()} {busy:02d}:00:00")
        for cell, day, calls, busy, busy_calls in rows
    }
    assert actual == expected


def test_plan_revenue_adds_up_to_the_rated_calls(
    scenario: Scenario, generated_dir: Path, usage: list[dict[str, object]]
) -> None:
    (usage_charges, subscriptions, fees, revenue, arpu_checked), *_ = query(
        scenario.sandbox,
        """
        select sum(usage_charge_eur), sum(active_subscription_count), sum(monthly_fee_eur),
               sum(total_revenue_eur),
               bool_and(arpu_eur is null
                        or abs(arpu_eur - total_revenue_eur / active_subscription_count) < 0.0001)
        from marts.fct_plan_monthly_revenue
        """,
    )
    rated = sum(Decimal(str(row["charge_eur"])) for row in usage)
    assert usage_charges == rated
    # One month of data: every subscription the files carried is active once.
    subscription_ids = {
        row["subscription_id"]
        for row in analytics_truth.table_rows(generated_dir, "telecom_subscriptions")
    }
    assert subscriptions == len(subscription_ids)
    assert revenue == fees + usage_charges and fees > 0
    assert arpu_checked

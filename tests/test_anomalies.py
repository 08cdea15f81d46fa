"""fct_anomalies flags an injected spike and leaves a normal period alone.

Five simulated weeks (enough for a full trailing baseline of 28 periods) are turned into
the two series fct_anomalies scores, straight from the generated files: daily revenue
per channel and hourly calls per region. A spike is injected into each, the inputs are
written as the marts fct_anomalies reads into a small DuckDB of its own, and dbt builds
only fct_anomalies on it: the spikes must be flagged, the day and hour before them not.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from tests import analytics_truth
from tests.pipeline import Sandbox, dbt, query
from tools.simulator import SimulatorConfig, generate

CONFIG = dataclasses.replace(
    SimulatorConfig(),
    seed=11,
    days=35,
    customers=80,
    products=30,
    plans=3,
    cells=6,
    calls_per_day=600,
    orders_per_day=40,
)
SPIKE_DAY = date(2026, 2, 2)  # day 33
SPIKE_CHANNEL = "web"
SPIKE_HOUR = datetime(2026, 2, 2, 11)
SPIKE_FACTOR = 10


@pytest.fixture(scope="module")
def anomalies(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str, datetime], float]:
    root = tmp_path_factory.mktemp("anomalies")
    generated = root / "generated"
    generate(CONFIG, generated, root / "manifest.json")
    sandbox = Sandbox(root)
    _write_inputs(generated, sandbox.warehouse)
    dbt(sandbox, "run", "--select", "fct_anomalies")
    rows = query(
        sandbox,
        "select metric_name, dimension_value, period_start_at, z_score from marts.fct_anomalies",
    )
    return {(metric, dimension, start): float(z) for metric, dimension, start, z in rows}


def _write_inputs(generated: Path, warehouse: Path) -> None:
    sales = analytics_truth.daily_sales(analytics_truth.orders(generated))
    assert (SPIKE_DAY.isoformat(), SPIKE_CHANNEL) in sales
    spiked = (SPIKE_DAY.isoformat(), SPIKE_CHANNEL)
    sales_rows = [
        (
            date.fromisoformat(day),
            channel,
            day_sales["revenue_eur"] * (SPIKE_FACTOR if (day, channel) == spiked else 1),
        )
        for (day, channel), day_sales in sales.items()
    ]
    region_of = {
        row["cell_id"]: row["region_code"]
        for row in analytics_truth.table_rows(generated, "telecom_cells")
    }
    calls: dict[tuple[str, datetime], int] = defaultdict(int)
    for (cell_id, hour), kpi in analytics_truth.cell_hourly_kpis(generated).items():
        calls[(region_of.get(cell_id), datetime.fromisoformat(hour))] += kpi["call_count"]
    spike_region = sorted(region for region, hour in calls if hour == SPIKE_HOUR)[0]
    calls[(spike_region, SPIKE_HOUR)] *= SPIKE_FACTOR
    first = min(day for day, _, _ in sales_rows)
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute("create schema marts")
        connection.execute(
            "create table marts.fct_daily_sales "
            "(order_date date, order_channel varchar, revenue_eur decimal(18, 2))"
        )
        connection.executemany("insert into marts.fct_daily_sales values (?, ?, ?)", sales_rows)
        connection.execute(
            "create table marts.fct_cell_hourly_kpis "
            "(region_code varchar, call_hour timestamp, hour_of_day integer, call_count bigint)"
        )
        connection.executemany(
            "insert into marts.fct_cell_hourly_kpis values (?, ?, ?, ?)",
            [(region, hour, hour.hour, n) for (region, hour), n in calls.items()],
        )
        connection.execute("create table marts.dim_dates (date_day date)")
        connection.executemany(
            "insert into marts.dim_dates values (?)",
            [(first + timedelta(days=offset),) for offset in range(60)],
        )


def test_revenue_spike_is_flagged(anomalies: dict[tuple[str, str, datetime], float]) -> None:
    key = ("daily_revenue_eur", SPIKE_CHANNEL, datetime.combine(SPIKE_DAY, datetime.min.time()))
    assert key in anomalies, sorted(anomalies)
    assert anomalies[key] >= 3


def test_normal_day_is_not_flagged(anomalies: dict[tuple[str, str, datetime], float]) -> None:
    day_before = datetime.combine(SPIKE_DAY - timedelta(days=1), datetime.min.time())
    assert ("daily_revenue_eur", SPIKE_CHANNEL, day_before) not in anomalies


def test_call_volume_spike_is_flagged_and_the_hour_before_is_not(
    anomalies: dict[tuple[str, str, datetime], float],
) -> None:
    flagged = {
        (dimension, start)
        for metric, dimension, start in anomalies
        if metric == "hourly_call_count"
    }
    spiked = [dimension for dimension, start in flagged if start == SPIKE_HOUR]
    assert spiked, sorted(flagged)
    day_before = SPIKE_HOUR - timedelta(days=1)
    assert not [
        dimension for dimension, start in flagged if start == day_before and dimension in spiked
    ]

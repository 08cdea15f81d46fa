"""Read what the report's charts show from the marts (DuckDB, read-only).

One query per chart, each on an analytics mart (the `analyst_report` exposure lists
them), returned as plain rows so that the charts need no database.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

log = logging.getLogger(__name__)

QUERIES: dict[str, str] = {
    "daily_revenue": """
        select order_date, order_channel, revenue_eur, order_count, average_order_value_eur
        from marts.fct_daily_sales
        order by order_date, order_channel
    """,
    "revenue_anomalies": """
        select cast(period_start_at as date) as order_date, dimension_value as order_channel,
               observed_value, expected_value, z_score
        from marts.fct_anomalies
        where metric_name = 'daily_revenue_eur'
        order by period_start_at, dimension_value
    """,
    "top_products": """
        select month_start_date, revenue_rank, product_name, product_category, revenue_eur
        from marts.fct_monthly_top_products
        where month_start_date = (select max(month_start_date) from marts.fct_monthly_top_products)
        order by revenue_rank
    """,
    "rfm_segments": """
        select rfm_segment, count(*) as customer_count,
               sum(customer_value_eur) as customer_value_eur
        from marts.dim_customer_value
        group by rfm_segment
        order by customer_count desc, rfm_segment
    """,
    "cohort_retention": """
        select cohort_month, months_since_signup, cohort_size, retention_share
        from marts.fct_cohort_retention
        order by cohort_month, months_since_signup
    """,
    "dropped_call_rate": """
        select call_date, region_name,
               sum(dropped_call_count) * 1.0 / nullif(sum(voice_call_count), 0)
                   as dropped_call_rate,
               sum(voice_call_count) as voice_call_count
        from marts.fct_cell_daily_kpis
        group by call_date, region_name
        order by call_date, region_name
    """,
    "plan_arpu": """
        select month_start_date, plan_name || ' (v' || plan_version_number || ')' as plan_version,
               active_subscription_count, arpu_eur
        from marts.fct_plan_monthly_revenue
        where arpu_eur is not null
        order by month_start_date, plan_version
    """,
}


@dataclass(frozen=True)
class ReportData:
    """The rows of each chart, by query name; each row a dict of column -> value."""

    tables: dict[str, list[dict[str, Any]]]
    z_score_threshold: float

    def rows(self, name: str) -> list[dict[str, Any]]:
        return self.tables[name]


def load(warehouse: Path, z_score_threshold: float) -> ReportData:
    """Run every chart's query against the warehouse file."""
    if not warehouse.exists():
        raise FileNotFoundError(f"warehouse {warehouse} does not exist: build it first (make run)")
    began = time.perf_counter()
    tables: dict[str, list[dict[str, Any]]] = {}
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        for name, sql in QUERIES.items():
            cursor = connection.execute(sql)
            columns = [column[0] for column in cursor.description]
            tables[name] = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    log.info(
        "read %d queries (%d rows) from %s in %.2fs",
        len(tables), sum(len(rows) for rows in tables.values()), warehouse,
        time.perf_counter() - began,
    )  # fmt: skip
    return ReportData(tables=tables, z_score_threshold=z_score_threshold)

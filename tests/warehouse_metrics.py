"""Read the marts back in the shape of the simulator's ground-truth manifest.

Each function asks the warehouse one question the manifest answers independently, so a
test compares two computations of the same fact, never a number with itself.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from extract.kafka.topics import known_topics
from tests.pipeline import Sandbox, query

# A DuckDB sandbox, or any function that runs a query and returns its rows (the
# PostgreSQL tests pass their connection's), so the same questions are asked of every
# engine.
Warehouse = Sandbox | Callable[[str], list[tuple]]


def _rows(warehouse: Warehouse, sql: str) -> list[tuple]:
    if isinstance(warehouse, Sandbox):
        return query(warehouse, sql)
    return warehouse(sql)


RAW_TABLES = (
    "shop_customers",
    "shop_products",
    "shop_orders",
    "shop_order_items",
    "telecom_service_plans",
    "telecom_subscriptions",
    "telecom_cells",
    "telecom_cdrs",
)

SCD2_DIMENSIONS = {
    "customers": ("marts.dim_customers", "customer_id"),
    "products": ("marts.dim_products", "product_id"),
    "service_plans": ("marts.dim_service_plans", "plan_id"),
    "subscriptions": ("intermediate.int_subscriptions__versioned", "subscription_id"),
}


def _money(value: Decimal | None, places: int) -> str:
    return str((value or Decimal(0)).quantize(Decimal(1).scaleb(-places)))


def raw_rows(sandbox: Warehouse) -> dict[str, int]:
    return {
        table: _rows(sandbox, f"select count(*) from raw.{table}")[0][0] for table in RAW_TABLES
    }


def kafka_rows(sandbox: Warehouse) -> dict[str, int]:
    """Rows landed per raw Kafka table (tombstones included) and dead letters."""
    tables = [spec.raw_table for spec in known_topics().values()] + ["kafka_dead_letters"]
    return {table: _rows(sandbox, f"select count(*) from raw.{table}")[0][0] for table in tables}


def raw_rows_per_file(sandbox: Sandbox, table: str) -> dict[str, int]:
    rows = _rows(
        sandbox,
        f"select regexp_extract(_sdc_filename, '[^/]+$'), count(*) from raw.{table} group by 1",
    )
    return dict(rows)


def revenue_per_day(sandbox: Warehouse) -> dict[str, str]:
    rows = _rows(
        sandbox,
        "select order_date, sum(revenue_eur) from marts.fct_orders group by 1 "
        "having sum(revenue_eur) <> 0 order by 1",
    )
    return {day.isoformat(): _money(revenue, 2) for day, revenue in rows}


def orders_per_status(sandbox: Warehouse) -> dict[str, int]:
    return dict(_rows(sandbox, "select order_status, count(*) from marts.fct_orders group by 1"))


def usage_per_customer_day(sandbox: Warehouse) -> list[dict[str, Any]]:
    rows = _rows(
        sandbox,
        """
        select customer_id, usage_date, call_count, voice_seconds, sms_count, data_bytes,
               charge_eur
        from marts.fct_daily_customer_usage
        order by customer_id, usage_date
        """,
    )
    return [
        {
            "customer_id": customer_id,
            "usage_date": usage_date.isoformat(),
            "call_count": call_count,
            "voice_seconds": voice_seconds,
            "sms_count": sms_count,
            "data_bytes": data_bytes,
            "charge_eur": _money(charge, 4),
        }
        for (
            customer_id,
            usage_date,
            call_count,
            voice_seconds,
            sms_count,
            data_bytes,
            charge,
        ) in rows
    ]


def scd2_versions(sandbox: Warehouse) -> dict[str, dict[str, int]]:
    versions = {}
    for entity, (relation, key) in SCD2_DIMENSIONS.items():
        rows = _rows(
            sandbox, f"select {key}, count(*) from {relation} where {key} <> -1 group by 1"
        )
        versions[entity] = {str(entity_id): count for entity_id, count in rows}
    return versions


def deleted_products(sandbox: Warehouse) -> list[int]:
    rows = _rows(
        sandbox,
        "select distinct product_id from marts.dim_products where is_deleted order by 1",
    )
    return [product_id for (product_id,) in rows]


def rejected_rows(sandbox: Warehouse) -> dict[str, dict[str, int]]:
    rejected: dict[str, dict[str, int]] = {}
    rows = _rows(
        sandbox,
        "select source_name || '_' || source_table, reject_reason, count(*) "
        "from marts.fct_rejected_rows group by 1, 2",
    )
    for table, reason, count in rows:
        rejected.setdefault(table, {})[reason] = count
    return rejected


def call_counts(sandbox: Warehouse) -> dict[str, int]:
    (distinct_valid, unknown_cell, unknown_msisdn), *_ = _rows(
        sandbox,
        """
        select count(*),
               count(case when cell_sk = '-1' then 1 end),
               count(case when customer_id = -1 then 1 end)
        from marts.fct_calls
        """,
    )
    return {
        "distinct_valid": distinct_valid,
        "unknown_cell": unknown_cell,
        "unknown_msisdn": unknown_msisdn,
    }


def orders_unknown_customer(sandbox: Warehouse) -> int:
    return _rows(sandbox, "select count(*) from marts.fct_orders where customer_sk = '-1'")[0][0]


def order_items_unknown_product(sandbox: Warehouse) -> int:
    return _rows(sandbox, "select count(*) from marts.fct_order_items where product_sk = '-1'")[0][
        0
    ]


def mart_fingerprint(sandbox: Warehouse) -> dict[str, Any]:
    """Everything the manifest can be compared with, for idempotence checks."""
    return {
        "revenue_per_day": revenue_per_day(sandbox),
        "orders_per_status": orders_per_status(sandbox),
        "usage_per_customer_day": usage_per_customer_day(sandbox),
        "scd2_versions": scd2_versions(sandbox),
        "deleted_products": deleted_products(sandbox),
        "rejected_rows": rejected_rows(sandbox),
        "calls": call_counts(sandbox),
        "orders_unknown_customer": orders_unknown_customer(sandbox),
        "order_items_unknown_product": order_items_unknown_product(sandbox),
    }

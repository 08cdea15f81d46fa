"""CSV export files, one per table per day (CDRs: per switch)."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from pathlib import Path

CUSTOMER_HEADER = (
    "customer_id", "first_name", "last_name", "email", "segment", "city", "country_code",
    "created_at", "updated_at",
)  # fmt: skip
PRODUCT_HEADER = (
    "product_id", "sku", "product_name", "category", "price_eur", "created_at", "updated_at",
    "exported_at",
)  # fmt: skip
ORDER_HEADER = ("order_id", "customer_id", "order_status", "channel", "ordered_at", "updated_at")
ORDER_ITEM_HEADER = (
    "order_item_id", "order_id", "product_id", "quantity", "unit_price_eur", "created_at",
)  # fmt: skip
PLAN_HEADER = (
    "plan_id", "plan_name", "monthly_fee_eur", "price_per_minute_eur", "price_per_sms_eur",
    "price_per_mb_eur", "updated_at", "exported_at",
)  # fmt: skip
SUBSCRIPTION_HEADER = (
    "subscription_id", "customer_id", "msisdn", "plan_id", "activated_at", "updated_at",
)  # fmt: skip
CELL_HEADER = (
    "cell_id", "cell_name", "region_code", "technology", "latitude", "longitude", "updated_at",
    "exported_at",
)  # fmt: skip
CDR_HEADER = (
    "record_no", "cdr_id", "switch_id", "msisdn", "call_type", "started_at", "duration_s",
    "bytes_up", "bytes_down", "cell_id", "termination_cause", "is_roaming",
)  # fmt: skip

HEADERS: dict[str, Sequence[str]] = {
    "shop_customers": CUSTOMER_HEADER,
    "shop_products": PRODUCT_HEADER,
    "shop_orders": ORDER_HEADER,
    "shop_order_items": ORDER_ITEM_HEADER,
    "telecom_service_plans": PLAN_HEADER,
    "telecom_subscriptions": SUBSCRIPTION_HEADER,
    "telecom_cells": CELL_HEADER,
    "telecom_cdrs": CDR_HEADER,
}


def export_path(landing_dir: Path, table: str, day_iso: str, switch_id: str | None = None) -> Path:
    suffix = f"_{switch_id}" if switch_id else ""
    return landing_dir / table / f"{table}_{day_iso}{suffix}.csv"


def write_export(path: Path, table: str, rows: Iterable[Sequence[object]]) -> int:
    """Write one export file (header first); return its number of data rows."""
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(HEADERS[table])
        for row in rows:
            writer.writerow(["" if value is None else value for value in row])
            count += 1
    return count


def write_seed(path: Path, header: Sequence[str], rows: Iterable[Sequence[str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)

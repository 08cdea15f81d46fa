"""The source contract's file layout (docs/source_contract.md): tables, headers, dialect.

Shared by the simulator, which writes files in this layout; by intake, which refuses
files that do not follow it; by tap-landing, whose catalog is built from it (never from
the first file seen); and by target-bulk, which parses with exactly this dialect.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CsvDialect:
    """How every delivered file is written: parsed with exactly this, never sniffed."""

    delimiter: str = ","
    quote: str = '"'
    # A quote inside a quoted field is doubled (RFC 4180).
    escape: str = '"'
    header: bool = True
    encoding: str = "utf-8"
    # Spreadsheet exports start with a UTF-8 byte-order mark; it is accepted and ignored.
    byte_order_mark: bytes = b"\xef\xbb\xbf"


DIALECT = CsvDialect()

HEADERS: dict[str, tuple[str, ...]] = {
    "shop_customers": (
        "customer_id", "first_name", "last_name", "email", "segment", "city", "country_code",
        "created_at", "updated_at",
    ),
    "shop_products": (
        "product_id", "sku", "product_name", "category", "price_eur", "created_at",
        "updated_at", "exported_at",
    ),
    "shop_orders": (
        "order_id", "customer_id", "order_status", "channel", "ordered_at", "updated_at",
    ),
    "shop_order_items": (
        "order_item_id", "order_id", "product_id", "quantity", "unit_price_eur", "created_at",
    ),
    "telecom_service_plans": (
        "plan_id", "plan_name", "monthly_fee_eur", "price_per_minute_eur", "price_per_sms_eur",
        "price_per_mb_eur", "updated_at", "exported_at",
    ),
    "telecom_subscriptions": (
        "subscription_id", "customer_id", "msisdn", "plan_id", "activated_at", "updated_at",
    ),
    "telecom_cells": (
        "cell_id", "cell_name", "region_code", "technology", "latitude", "longitude",
        "updated_at", "exported_at",
    ),
    "telecom_cdrs": (
        "record_no", "cdr_id", "switch_id", "msisdn", "call_type", "started_at", "duration_s",
        "bytes_up", "bytes_down", "cell_id", "termination_cause", "is_roaming",
    ),
}  # fmt: skip

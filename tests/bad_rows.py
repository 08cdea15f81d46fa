"""Hand-made source rows, one per rule a row can break, for the tests that land them.

Each bad row changes one good row in one field (two where a rule compares fields) and
names the reject reason staging must give it; `None` is a row that stays clean, among
them rows only a warning test flags (a source's descriptive values are the source's to
keep). No value holds a delimiter or a quote, so the rows can be written as CSV exports.
"""

from __future__ import annotations

GOOD_ROWS: dict[str, dict[str, str]] = {
    "shop_customers": {
        "customer_id": "1", "first_name": "Ada", "last_name": "Lovelace",
        "email": "ada@example.org", "segment": "consumer", "city": "Berlin",
        "country_code": "DE", "created_at": "2026-01-01 08:00:00",
        "updated_at": "2026-01-01 09:00:00",
    },
    "shop_products": {
        "product_id": "1", "sku": "SKU-1", "product_name": "Phone", "category": "devices",
        "price_eur": "199.00", "created_at": "2026-01-01 08:00:00",
        "updated_at": "2026-01-01 09:00:00", "exported_at": "2026-01-01 23:59:59",
    },
    "shop_orders": {
        "order_id": "1", "customer_id": "1", "order_status": "placed", "channel": "web",
        "ordered_at": "2026-01-01 10:00:00", "updated_at": "2026-01-01 10:00:00",
    },
    "shop_order_items": {
        "order_item_id": "1", "order_id": "1", "product_id": "1", "quantity": "2",
        "unit_price_eur": "9.99", "created_at": "2026-01-01 10:00:00",
    },
    "telecom_service_plans": {
        "plan_id": "1", "plan_name": "Basic", "monthly_fee_eur": "9.99",
        "price_per_minute_eur": "0.0900", "price_per_sms_eur": "0.0500",
        "price_per_mb_eur": "0.0100", "updated_at": "2026-01-01 00:00:00",
        "exported_at": "2026-01-01 23:59:59",
    },
    "telecom_subscriptions": {
        "subscription_id": "1", "customer_id": "1", "msisdn": "4915100000001",
        "plan_id": "1", "activated_at": "2026-01-01 08:00:00",
        "updated_at": "2026-01-01 08:00:00",
    },
    "telecom_cells": {
        "cell_id": "cell-1", "cell_name": "Mitte", "region_code": "be",
        "technology": "5g", "latitude": "52.520008", "longitude": "13.404954",
        "updated_at": "2026-01-01 00:00:00", "exported_at": "2026-01-01 23:59:59",
    },
}  # fmt: skip

GOOD_CDR = {
    "switch_id": "sw1", "msisdn": "4915100000001", "call_type": "voice",
    "started_at": "2026-01-01 10:00:00", "duration_s": "60", "bytes_up": "0",
    "bytes_down": "0", "cell_id": "cell-1", "termination_cause": "normal",
    "is_roaming": "false",
}  # fmt: skip

# The key of each table's rows: every case gets a key of its own (`file_row`), so that
# only the collision cases share one.
KEY_COLUMNS = {
    "shop_customers": "customer_id",
    "shop_products": "product_id",
    "shop_orders": "order_id",
    "shop_order_items": "order_item_id",
    "telecom_service_plans": "plan_id",
    "telecom_subscriptions": "subscription_id",
    "telecom_cells": "cell_id",
}

# (table, case, changed fields, expected reject reason): None is a row that stays clean,
# including rows that only a warning test flags (a source's descriptive values).
FILE_CASES: list[tuple[str, str, dict[str, str], str | None]] = [
    ("shop_customers", "good", {}, None),
    ("shop_customers", "id_not_integer", {"customer_id": "c1"}, "invalid_customer_id"),
    (
        "shop_customers",
        "updated_29_feb_2100",
        {"updated_at": "2100-02-29 09:00:00"},
        "unparseable_updated_at",
    ),
    ("shop_customers", "created_not_timestamp", {"created_at": "soon"}, "unparseable_created_at"),
    (
        "shop_customers",
        "updated_before_created",
        {"updated_at": "2026-01-01 07:00:00"},
        "updated_before_created",
    ),
    ("shop_customers", "email_without_at", {"email": "ada.example.org"}, None),
    ("shop_customers", "unknown_segment", {"segment": "gold"}, None),
    ("shop_products", "good", {}, None),
    ("shop_products", "negative_price", {"price_eur": "-1.00"}, "negative_price"),
    ("shop_products", "price_not_decimal", {"price_eur": "1.00 EUR"}, "invalid_price"),
    ("shop_products", "missing_exported_at", {"exported_at": ""}, "unparseable_exported_at"),
    (
        "shop_products",
        "updated_before_created",
        {"created_at": "2026-01-01 10:00:00"},
        "updated_before_created",
    ),
    ("shop_orders", "good", {}, None),
    ("shop_orders", "without_customer", {"customer_id": ""}, None),
    ("shop_orders", "missing_status", {"order_status": ""}, "missing_order_status"),
    (
        "shop_orders",
        "before_dim_dates",
        {"ordered_at": "2024-06-01 10:00:00", "updated_at": "2024-06-01 10:00:00"},
        "ordered_at_out_of_range",
    ),
    (
        "shop_orders",
        "updated_before_ordered",
        {"updated_at": "2026-01-01 09:00:00"},
        "updated_before_ordered",
    ),
    ("shop_orders", "unknown_channel", {"channel": "fax"}, None),
    ("shop_order_items", "good", {}, None),
    ("shop_order_items", "zero_quantity", {"quantity": "0"}, "invalid_quantity"),
    ("shop_order_items", "negative_quantity", {"quantity": "-2"}, "invalid_quantity"),
    ("shop_order_items", "fractional_quantity", {"quantity": "1.5"}, "invalid_quantity"),
    ("shop_order_items", "negative_price", {"unit_price_eur": "-3.00"}, "negative_price"),
    ("shop_order_items", "product_not_integer", {"product_id": "p9"}, "invalid_product_id"),
    (
        "shop_order_items",
        "created_not_timestamp",
        {"created_at": "2026-13-01 10:00:00"},
        "unparseable_created_at",
    ),
    ("telecom_service_plans", "good", {}, None),
    ("telecom_service_plans", "without_monthly_fee", {"monthly_fee_eur": ""}, None),
    (
        "telecom_service_plans",
        "negative_minute_price",
        {"price_per_minute_eur": "-0.0100"},
        "negative_tariff",
    ),
    ("telecom_service_plans", "negative_monthly_fee", {"monthly_fee_eur": "-5"}, "negative_tariff"),
    (
        "telecom_service_plans",
        "monthly_fee_not_decimal",
        {"monthly_fee_eur": "free"},
        "invalid_tariff",
    ),
    ("telecom_service_plans", "missing_sms_price", {"price_per_sms_eur": ""}, "invalid_tariff"),
    ("telecom_subscriptions", "good", {}, None),
    (
        "telecom_subscriptions",
        "updated_before_activated",
        {"updated_at": "2026-01-01 07:00:00"},
        "updated_before_activated",
    ),
    ("telecom_subscriptions", "customer_not_integer", {"customer_id": "c7"}, "invalid_customer_id"),
    ("telecom_subscriptions", "missing_msisdn", {"msisdn": ""}, "missing_msisdn"),
    ("telecom_subscriptions", "msisdn_not_digits", {"msisdn": "call-me"}, None),
    ("telecom_cells", "good", {}, None),
    ("telecom_cells", "without_coordinates", {"latitude": "", "longitude": ""}, None),
    ("telecom_cells", "latitude_above_90", {"latitude": "91"}, "invalid_coordinates"),
    ("telecom_cells", "longitude_below_minus_180", {"longitude": "-180.5"}, "invalid_coordinates"),
    ("telecom_cells", "latitude_not_decimal", {"latitude": "north"}, "invalid_coordinates"),
    ("telecom_cells", "unknown_technology", {"technology": "3g"}, None),
    # Two different rows for one version (the same key and version time): neither is taken.
    ("shop_customers", "collision_a", {"customer_id": "8001", "city": "Paris"}, "key_collision"),
    ("shop_customers", "collision_b", {"customer_id": "8001", "city": "Rome"}, "key_collision"),
    ("shop_products", "collision_a", {"product_id": "8001", "price_eur": "1.00"}, "key_collision"),
    ("shop_products", "collision_b", {"product_id": "8001", "price_eur": "2.00"}, "key_collision"),
    ("shop_orders", "collision_a", {"order_id": "8001", "order_status": "paid"}, "key_collision"),
    (
        "shop_orders",
        "collision_b",
        {"order_id": "8001", "order_status": "cancelled"},
        "key_collision",
    ),
    (
        "shop_order_items",
        "collision_a",
        {"order_item_id": "8001", "quantity": "1"},
        "key_collision",
    ),
    (
        "shop_order_items",
        "collision_b",
        {"order_item_id": "8001", "quantity": "3"},
        "key_collision",
    ),
    (
        "telecom_service_plans",
        "collision_a",
        {"plan_id": "8001", "plan_name": "A"},
        "key_collision",
    ),
    (
        "telecom_service_plans",
        "collision_b",
        {"plan_id": "8001", "plan_name": "B"},
        "key_collision",
    ),
    (
        "telecom_subscriptions",
        "collision_a",
        {"subscription_id": "8001", "plan_id": "1"},
        "key_collision",
    ),
    (
        "telecom_subscriptions",
        "collision_b",
        {"subscription_id": "8001", "plan_id": "2"},
        "key_collision",
    ),
    ("telecom_cells", "collision_a", {"cell_id": "cell-8001", "cell_name": "A"}, "key_collision"),
    ("telecom_cells", "collision_b", {"cell_id": "cell-8001", "cell_name": "B"}, "key_collision"),
]

# The same records in a switch's file and on the real-time feed.
CDR_CASES: list[tuple[str, dict[str, str], str | None]] = [
    ("good", {}, None),
    ("roaming_in_capitals", {"is_roaming": "TRUE"}, None),
    ("blank_cdr_id", {"cdr_id": " "}, "missing_cdr_id"),
    ("started_not_timestamp", {"started_at": "yesterday"}, "unparseable_started_at"),
    ("started_iso_t", {"started_at": "2026-01-05T10:00:00"}, "unparseable_started_at"),
    ("started_30_feb", {"started_at": "2026-02-30 10:00:00"}, "unparseable_started_at"),
    ("started_29_feb_1900", {"started_at": "1900-02-29 10:00:00"}, "unparseable_started_at"),
    ("started_29_feb_2100", {"started_at": "2100-02-29 10:00:00"}, "unparseable_started_at"),
    ("started_hour_24", {"started_at": "2026-01-01 24:00:00"}, "unparseable_started_at"),
    ("started_29_feb_2000", {"started_at": "2000-02-29 10:00:00"}, "started_at_out_of_range"),
    ("started_after_dim_dates", {"started_at": "2028-02-29 10:00:00"}, "started_at_out_of_range"),
    ("duration_with_unit", {"duration_s": "12s"}, "non_numeric_duration"),
    ("negative_duration", {"duration_s": "-5"}, "negative_duration"),
    ("fractional_bytes", {"bytes_up": "1.5"}, "non_numeric_bytes"),
    ("negative_bytes", {"bytes_down": "-1"}, "negative_bytes"),
    ("unknown_call_type", {"call_type": "fax"}, "unknown_call_type"),
    ("missing_call_type", {"call_type": ""}, "unknown_call_type"),
    ("roaming_yes", {"is_roaming": "yes"}, "invalid_roaming_flag"),
    ("two_defects_first_wins", {"cdr_id": "", "duration_s": "abc"}, "missing_cdr_id"),
    ("msisdn_not_digits", {"msisdn": "call-me"}, None),
    ("missing_msisdn", {"msisdn": ""}, "missing_msisdn"),
    ("unknown_termination_cause", {"termination_cause": "meteor"}, None),
]


def cdr_row(position: int, name: str, changes: dict[str, str]) -> dict[str, str]:
    """A CDR of the case `name`, at `position` in its file (`record_no`)."""
    return {"cdr_id": f"cdr-{name}", **GOOD_CDR, **changes, "record_no": str(position)}


def file_row(table: str, position: int, changes: dict[str, str]) -> dict[str, str]:
    """The good row of `table` with a key of its own (from `position`) and `changes`."""
    key = str(9000 + position)
    if table == "telecom_cells":
        key = f"cell-{key}"
    return {**GOOD_ROWS[table], KEY_COLUMNS[table]: key, **changes}

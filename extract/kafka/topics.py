"""Which topics the extractor knows, how each is decoded, and where its rows land.

The raw tables keep every decoded field as text (like the batch path's raw schema):
staging casts. Column kinds drive decoding: Debezium's `precise` decimals need a scale,
and without the `{"schema", "payload"}` wrapper the message does not carry it, so the
scale declared here is the fallback (and is checked against the schema when present).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Kind(Enum):
    INT = "int"
    TEXT = "text"
    DECIMAL = "decimal"
    MICRO_TIMESTAMP = "micro_timestamp"


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind
    scale: int = 0  # decimals only


@dataclass(frozen=True)
class TopicSpec:
    topic: str
    raw_table: str  # unqualified; lands in schema `raw`
    format: str  # "debezium" or "cdr"
    columns: tuple[Column, ...]
    key_columns: tuple[str, ...] = ()


def _cols(*specs: tuple[str, Kind] | tuple[str, Kind, int]) -> tuple[Column, ...]:
    return tuple(Column(*spec) for spec in specs)


INT, T, D, TS = Kind.INT, Kind.TEXT, Kind.DECIMAL, Kind.MICRO_TIMESTAMP

SHOP_TABLES: dict[str, tuple[tuple[Column, ...], tuple[str, ...]]] = {
    "customers": (
        _cols(
            ("customer_id", INT), ("first_name", T), ("last_name", T), ("email", T),
            ("segment", T), ("city", T), ("country_code", T), ("created_at", TS),
            ("updated_at", TS),
        ),
        ("customer_id",),
    ),
    "products": (
        _cols(
            ("product_id", INT), ("sku", T), ("product_name", T), ("category", T),
            ("price_eur", D, 2), ("created_at", TS), ("updated_at", TS),
        ),
        ("product_id",),
    ),
    "orders": (
        _cols(
            ("order_id", INT), ("customer_id", INT), ("order_status", T), ("channel", T),
            ("ordered_at", TS), ("updated_at", TS),
        ),
        ("order_id",),
    ),
    "order_items": (
        _cols(
            ("order_item_id", INT), ("order_id", INT), ("product_id", INT), ("quantity", INT),
            ("unit_price_eur", D, 2), ("created_at", TS),
        ),
        ("order_item_id",),
    ),
}  # fmt: skip

# CDR fields as in the files (docs/source_contract.md) minus `record_no`, which numbers
# rows within a file and has no meaning on a stream. Kept as text: defects (e.g. a
# duration of "12s") must reach staging to be quarantined, not be refused here.
CDR_COLUMNS = tuple(
    Column(name, Kind.TEXT)
    for name in (
        "cdr_id", "switch_id", "msisdn", "call_type", "started_at", "duration_s", "bytes_up",
        "bytes_down", "cell_id", "termination_cause", "is_roaming",
    )
)  # fmt: skip
CDR_TOPIC = "telecom.cdr"


def shop_topic(table: str) -> str:
    return f"shop.public.{table}"


def known_topics() -> dict[str, TopicSpec]:
    """Every topic the extractor can land, by name."""
    specs = {
        shop_topic(table): TopicSpec(shop_topic(table), f"kafka_shop_{table}", "debezium", c, k)
        for table, (c, k) in SHOP_TABLES.items()
    }
    specs[CDR_TOPIC] = TopicSpec(CDR_TOPIC, "kafka_telecom_cdrs", "cdr", CDR_COLUMNS, ("cdr_id",))
    return specs


def resolve(topics: list[str]) -> list[TopicSpec]:
    """The specs of the requested topics; an unknown name is an error that names it."""
    specs = known_topics()
    unknown = [topic for topic in topics if topic not in specs]
    if unknown:
        raise ValueError(f"unknown topics {unknown}; known: {sorted(specs)}")
    return [specs[topic] for topic in topics]

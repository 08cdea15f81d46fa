"""Which topics the extractor knows, how each column is encoded, and where rows land.

The raw tables keep every decoded field as text (like the batch path's raw schema):
staging casts. A column's `Kind` is its encoding on the wire, one per Debezium logical
type. A wrapped message (`{"schema", "payload"}`) declares it, and the schema wins; a bare
message does not, so the kind declared here (derived from the column's PostgreSQL type
and the connector's settings in shop_topics.toml) is what the value must fit.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

SHOP_TOPICS_CONFIG = Path(__file__).with_name("shop_topics.toml")
UNAVAILABLE_VALUE = "__debezium_unavailable_value"


class Kind(Enum):
    """A column's encoding in a Debezium message (the logical type, or a plain one)."""

    INT = "int"  # int8..int64 without a logical name
    TEXT = "text"  # string without a logical name
    DECIMAL = "decimal"  # org.apache.kafka.connect.data.Decimal: base64, scale in schema
    VARIABLE_DECIMAL = "variable_decimal"  # io.debezium.data.VariableScaleDecimal
    DECIMAL_STRING = "decimal_string"  # decimal.handling.mode=string
    DATE = "date"  # io.debezium.time.Date: days since the epoch
    TIME_MS = "time_ms"  # io.debezium.time.Time: milliseconds past midnight
    MICRO_TIME = "micro_time"  # io.debezium.time.MicroTime
    NANO_TIME = "nano_time"  # io.debezium.time.NanoTime
    TIMESTAMP_MS = "timestamp_ms"  # io.debezium.time.Timestamp: epoch milliseconds
    MICRO_TIMESTAMP = "micro_timestamp"  # io.debezium.time.MicroTimestamp
    NANO_TIMESTAMP = "nano_timestamp"  # io.debezium.time.NanoTimestamp
    ZONED_TIMESTAMP = "zoned_timestamp"  # io.debezium.time.ZonedTimestamp: ISO-8601 text
    JSON = "json"  # io.debezium.data.Json: JSON document as text
    UUID = "uuid"  # io.debezium.data.Uuid
    ENUM = "enum"  # io.debezium.data.Enum: text, `allowed` in the schema


# Logical type names (`name` of a schema field) and the kind each one means.
LOGICAL_TYPES: dict[str, Kind] = {
    "org.apache.kafka.connect.data.Decimal": Kind.DECIMAL,
    "io.debezium.data.VariableScaleDecimal": Kind.VARIABLE_DECIMAL,
    "io.debezium.time.Date": Kind.DATE,
    "org.apache.kafka.connect.data.Date": Kind.DATE,
    "io.debezium.time.Time": Kind.TIME_MS,
    "org.apache.kafka.connect.data.Time": Kind.TIME_MS,
    "io.debezium.time.MicroTime": Kind.MICRO_TIME,
    "io.debezium.time.NanoTime": Kind.NANO_TIME,
    "io.debezium.time.Timestamp": Kind.TIMESTAMP_MS,
    "org.apache.kafka.connect.data.Timestamp": Kind.TIMESTAMP_MS,
    "io.debezium.time.MicroTimestamp": Kind.MICRO_TIMESTAMP,
    "io.debezium.time.NanoTimestamp": Kind.NANO_TIMESTAMP,
    "io.debezium.time.ZonedTimestamp": Kind.ZONED_TIMESTAMP,
    "io.debezium.data.Json": Kind.JSON,
    "io.debezium.data.Uuid": Kind.UUID,
    "io.debezium.data.Enum": Kind.ENUM,
}
# Plain Kafka Connect types (no logical name).
PLAIN_TYPES: dict[str, Kind] = {
    "int8": Kind.INT, "int16": Kind.INT, "int32": Kind.INT, "int64": Kind.INT,
    "string": Kind.TEXT,
}  # fmt: skip


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind
    scale: int = 0  # DECIMAL only
    allowed: tuple[str, ...] = ()  # ENUM only; empty: any text


@dataclass(frozen=True)
class TopicSpec:
    topic: str
    raw_table: str  # unqualified; lands in schema `raw`
    format: str  # "debezium" or "cdr"
    columns: tuple[Column, ...]
    key_columns: tuple[str, ...] = ()
    unavailable_value: str = UNAVAILABLE_VALUE


DECIMAL_MODES = ("precise", "string")
TIME_MODES = ("adaptive", "adaptive_time_microseconds", "connect")
_NUMERIC = re.compile(r"^(?:numeric|decimal)\s*(?:\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\))?$")
_PRECISION = re.compile(r"^(timestamp|time)(?:\s*\((\d)\))?(\s+with(?:out)?\s+time\s+zone)?$")
_INTEGERS = frozenset({"smallint", "integer", "int", "bigint", "int2", "int4", "int8"})
_TEXTS = frozenset({"text", "varchar", "character varying", "char", "character", "bpchar"})
_ZONED = frozenset({"timestamptz", "timestamp with time zone"})


def column_kind(pg_type: str, connector: Mapping[str, str]) -> tuple[Kind, int]:
    """The encoding the Debezium PostgreSQL connector gives a column of `pg_type` under
    its `decimal.handling.mode` and `time.precision.mode` (and, for decimals, the scale)."""
    decimal_mode = connector.get("decimal.handling.mode", "precise")
    time_mode = connector.get("time.precision.mode", "adaptive")
    if decimal_mode not in DECIMAL_MODES:
        raise ValueError(f"decimal.handling.mode {decimal_mode!r} unsupported: {DECIMAL_MODES}")
    if time_mode not in TIME_MODES:
        raise ValueError(f"time.precision.mode {time_mode!r} unsupported: {TIME_MODES}")
    declared = " ".join(pg_type.lower().split())
    if declared in _INTEGERS:
        return Kind.INT, 0
    if declared in _TEXTS or declared.startswith(("varchar(", "character varying(", "char(")):
        return Kind.TEXT, 0
    if declared in ("json", "jsonb"):
        return Kind.JSON, 0
    if declared == "uuid":
        return Kind.UUID, 0
    if declared == "date":
        return Kind.DATE, 0
    if declared in _ZONED or re.fullmatch(r"timestamptz\s*\(\d\)", declared):
        return Kind.ZONED_TIMESTAMP, 0
    if numeric := _NUMERIC.match(declared):
        if decimal_mode == "string":
            return Kind.DECIMAL_STRING, 0
        if numeric.group(1) is None:  # no precision: the scale travels with each value
            return Kind.VARIABLE_DECIMAL, 0
        return Kind.DECIMAL, int(numeric.group(2) or 0)
    if precision := _PRECISION.match(declared):
        base, digits, zone = precision.groups()
        if base == "timestamp" and zone and "without" not in zone:
            return Kind.ZONED_TIMESTAMP, 0
        micro = digits is None or int(digits) > 3
        if base == "timestamp":
            if time_mode == "connect" or not micro:
                return Kind.TIMESTAMP_MS, 0
            return Kind.MICRO_TIMESTAMP, 0
        if time_mode == "connect" or (time_mode == "adaptive" and not micro):
            return Kind.TIME_MS, 0
        return Kind.MICRO_TIME, 0
    raise ValueError(f"PostgreSQL type {pg_type!r} has no declared Debezium encoding")


def load_shop_tables(
    path: Path = SHOP_TOPICS_CONFIG,
) -> tuple[dict[str, tuple[tuple[Column, ...], tuple[str, ...]]], str]:
    """The shop tables' columns (with their encodings) and keys, and the placeholder
    the connector writes for an unchanged TOASTed value, from the topic configuration."""
    config: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8"))
    connector = config.get("connector", {})
    tables: dict[str, tuple[tuple[Column, ...], tuple[str, ...]]] = {}
    for table, spec in config["tables"].items():
        columns = tuple(
            Column(name, *column_kind(pg_type, connector)) for name, pg_type in spec["columns"]
        )
        tables[table] = (columns, tuple(spec["key"]))
    return tables, connector.get("unavailable.value.placeholder", UNAVAILABLE_VALUE)


SHOP_TABLES, SHOP_UNAVAILABLE_VALUE = load_shop_tables()

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
        shop_topic(table): TopicSpec(
            shop_topic(table), f"kafka_shop_{table}", "debezium", c, k, SHOP_UNAVAILABLE_VALUE
        )
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

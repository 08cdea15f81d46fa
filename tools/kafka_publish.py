"""Publish the simulator's data as Debezium change events and real-time CDR events.

The story: the nightly files of days 1..F have been delivered (the simulator wrote them
into the inbox); today is day D > F, and its changes reach the warehouse only through
Kafka. The simulator's exports of days 1..D (docs/source_contract.md) are replayed as the
PostgreSQL connector would have captured them since go-live: day 1 as a snapshot (op
`r`), then per day a new key as `c`, a changed row as `u`, a product missing from the
full export as `d` (at that export's time) followed by a tombstone. Every second event
uses the `{"schema", "payload"}` wrapper, so both value shapes are on every topic.

The mediation system's real-time feed (`telecom.cdr`, JSON with the files' fields)
carries the CDR drops of days F..D: day F overlaps the files on purpose, since the same
CDR arriving both ways must count once.

The ground truth is the simulator's manifest for D days (what the marts must show once
both paths are landed) joined with what was published.

Usage: python -m tools.kafka_publish --bootstrap-servers HOST:PORT --days 15 --file-days 14
"""

from __future__ import annotations

import argparse
import base64
import csv
import dataclasses
import json
import logging
import os
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from confluent_kafka import Producer

from extract.kafka.topics import (
    CDR_COLUMNS,
    CDR_TOPIC,
    LOGICAL_TYPES,
    SHOP_TABLES,
    Column,
    Kind,
    shop_topic,
)
from tools.simulator import SimulatorConfig, generate
from tools.simulator.clock import Clock
from tools.simulator.config import add_config_flags, config_from_flags

log = logging.getLogger("tools.kafka_publish")

_EPOCH = datetime(1970, 1, 1)
FULL_EXPORTS = frozenset({"products"})  # a key missing from a full export was deleted
# Kafka Connect type of each column kind, and its logical type name (topics.LOGICAL_TYPES).
_CONNECT_TYPES = {
    Kind.INT: "int64",
    Kind.TEXT: "string",
    Kind.DECIMAL: "bytes",
    Kind.VARIABLE_DECIMAL: "struct",
    Kind.DECIMAL_STRING: "string",
    Kind.DATE: "int32",
    Kind.TIME_MS: "int32",
    Kind.MICRO_TIME: "int64",
    Kind.NANO_TIME: "int64",
    Kind.TIMESTAMP_MS: "int64",
    Kind.MICRO_TIMESTAMP: "int64",
    Kind.NANO_TIMESTAMP: "int64",
    Kind.ZONED_TIMESTAMP: "string",
    Kind.JSON: "string",
    Kind.UUID: "string",
    Kind.ENUM: "string",
}
# The io.debezium name of each logical kind (the connector's own), Decimal's from Connect.
_LOGICAL_NAMES = {
    kind: name for name, kind in reversed(LOGICAL_TYPES.items()) if name.startswith("io.")
} | {Kind.DECIMAL: "org.apache.kafka.connect.data.Decimal"}


# ---------- encodings (Debezium defaults)


def encode_decimal(value: Decimal | str, scale: int) -> str:
    """`decimal.handling.mode=precise`: base64 of the big-endian two's-complement unscaled int."""
    unscaled = int(Decimal(value).scaleb(scale).to_integral_exact())
    length = max(1, (unscaled + (unscaled < 0)).bit_length() // 8 + 1)
    return base64.b64encode(unscaled.to_bytes(length, "big", signed=True)).decode("ascii")


def encode_micro_timestamp(text: str) -> int:
    """`io.debezium.time.MicroTimestamp`: microseconds since the epoch (UTC)."""
    moment = datetime.fromisoformat(text) - _EPOCH
    return (moment.days * 86_400 + moment.seconds) * 1_000_000 + moment.microseconds


def encode_column(column: Column, text: str | None) -> Any:
    if text is None or text == "":
        return None
    if column.kind is Kind.INT:
        return int(text)
    if column.kind is Kind.DECIMAL:
        return encode_decimal(text, column.scale)
    if column.kind is Kind.MICRO_TIMESTAMP:
        return encode_micro_timestamp(text)
    return text


def connect_schema(table: str, columns: tuple[Column, ...]) -> dict[str, Any]:
    """The Kafka Connect JSON schema of a change event (what the wrapper carries)."""
    fields = []
    for column in columns:
        spec: dict[str, Any] = {
            "type": _CONNECT_TYPES[column.kind],
            "optional": True,
            "field": column.name,
        }
        if column.kind in _LOGICAL_NAMES:
            spec.update(name=_LOGICAL_NAMES[column.kind], version=1)
        if column.kind is Kind.DECIMAL:
            spec["parameters"] = {"scale": str(column.scale)}
        elif column.kind is Kind.ENUM and column.allowed:
            spec["parameters"] = {"allowed": ",".join(column.allowed)}
        fields.append(spec)
    value_name = f"shop.public.{table}.Value"
    return {
        "type": "struct",
        "name": f"shop.public.{table}.Envelope",
        "optional": False,
        "fields": [
            {"type": "struct", "fields": fields, "optional": True, "name": value_name,
             "field": "before"},
            {"type": "struct", "fields": fields, "optional": True, "name": value_name,
             "field": "after"},
            {"type": "struct", "optional": False, "field": "source",
             "name": "io.debezium.connector.postgresql.Source", "fields": []},
            {"type": "string", "optional": False, "field": "op"},
            {"type": "int64", "optional": True, "field": "ts_ms"},
        ],
    }  # fmt: skip


def change_event(
    table: str,
    op: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    lsn: int,
    ts_ms: int,
    wrapped: bool,
    schema: dict[str, Any] | None = None,
) -> bytes:
    """One Debezium envelope as JSON bytes."""
    payload = {
        "before": before,
        "after": after,
        "source": {
            "version": "2.7.0.Final",
            "connector": "postgresql",
            "name": "shop",
            "ts_ms": ts_ms,
            "snapshot": "true" if op == "r" else "false",
            "db": "shop",
            "schema": "public",
            "table": table,
            "txId": lsn // 16,
            "lsn": lsn,
        },
        "op": op,
        "ts_ms": ts_ms,
    }
    if wrapped:
        schema = schema or connect_schema(table, SHOP_TABLES[table][0])
        return json.dumps({"schema": schema, "payload": payload}).encode()
    return json.dumps(payload).encode()


def key_bytes(key: dict[str, Any]) -> bytes:
    return json.dumps(key, separators=(",", ":")).encode()


# ---------- from the simulator's exports


def _rows(folder: Path) -> Iterator[tuple[str, list[dict[str, str]]]]:
    """(file name, rows) of a table's exports in delivery order."""
    for path in sorted(folder.glob("*.csv")):
        with path.open(newline="", encoding="utf-8") as handle:
            yield path.name, list(csv.DictReader(handle))


@dataclasses.dataclass
class Published:
    """What went out, for the ground truth."""

    messages: Counter[str] = dataclasses.field(default_factory=Counter)
    ops: dict[str, Counter[str]] = dataclasses.field(default_factory=dict)

    def add(self, topic: str, op: str) -> None:
        self.messages[topic] += 1
        self.ops.setdefault(topic, Counter())[op] += 1

    def as_json(self) -> dict[str, Any]:
        return {
            "messages": dict(self.messages),
            "total_messages": sum(self.messages.values()),
            "ops": {topic: dict(ops) for topic, ops in self.ops.items()},
        }


def _milliseconds(text: str) -> int:
    return encode_micro_timestamp(text) // 1000


def shop_events(exports_dir: Path, clock: Clock) -> Iterator[tuple[str, bytes, bytes | None, str]]:
    """(topic, key, value, op) for the shop tables; op `tombstone` for a null value."""
    lsn, sequence = 1_000_000, 0
    for table, (columns, key_columns) in SHOP_TABLES.items():
        topic = shop_topic(table)
        schema = connect_schema(table, columns)
        state: dict[tuple[Any, ...], dict[str, Any]] = {}
        for day_index, (_, rows) in enumerate(_rows(exports_dir / f"shop_{table}")):
            seen: set[tuple[Any, ...]] = set()
            for row in rows:
                image = {c.name: encode_column(c, row.get(c.name)) for c in columns}
                key = tuple(image[name] for name in key_columns)
                seen.add(key)
                before = state.get(key)
                if before == image:
                    continue  # a full export repeats unchanged rows: no change event
                op = "r" if day_index == 0 else ("u" if before is not None else "c")
                state[key] = image
                lsn, sequence = lsn + 64, sequence + 1
                ts_ms = (image.get("updated_at") or image.get("created_at") or 0) // 1000
                value = change_event(
                    table, op, before if op == "u" else None, image, lsn, ts_ms,
                    wrapped=sequence % 2 == 0, schema=schema,
                )  # fmt: skip
                yield topic, key_bytes(dict(zip(key_columns, key, strict=True))), value, op
            if table in FULL_EXPORTS and day_index > 0:
                # The export is the first to miss the key: the delete committed before it.
                deleted_ms = _milliseconds(clock.exported_at(day_index + 1))
                for key in sorted(set(state) - seen):
                    before = state.pop(key)
                    lsn, sequence = lsn + 64, sequence + 1
                    key_json = key_bytes(dict(zip(key_columns, key, strict=True)))
                    value = change_event(
                        table, "d", before, None, lsn, deleted_ms,
                        wrapped=sequence % 2 == 0, schema=schema,
                    )  # fmt: skip
                    yield topic, key_json, value, "d"
                    yield topic, key_json, None, "tombstone"


def cdr_events(
    exports_dir: Path, delivery_dates: Iterable[str]
) -> Iterator[tuple[str, bytes, bytes | None, str]]:
    """The CDR drops of the given delivery dates, record by record, as JSON events."""
    names = [column.name for column in CDR_COLUMNS]
    for delivery_date in sorted(delivery_dates):
        for path in sorted((exports_dir / "telecom_cdrs").glob(f"*_{delivery_date}_*.csv")):
            with path.open(newline="", encoding="utf-8") as handle:
                for row in csv.DictReader(handle):
                    event = {name: row.get(name) or None for name in names}
                    yield CDR_TOPIC, row["cdr_id"].encode(), json.dumps(event).encode(), "cdr"


def produce_all(
    producer: Producer, events: Iterator[tuple[str, bytes, bytes | None, str]], published: Published
) -> None:
    for topic, key, value, op in events:
        while True:
            try:
                producer.produce(topic, key=key, value=value)
                break
            except BufferError:  # local queue full: let librdkafka send, then retry
                producer.poll(0.1)
        published.add(topic, op)
    producer.flush()


def stream_cdr_truth(manifest: dict[str, Any], delivery_dates: list[str]) -> dict[str, Any]:
    """Records and rejects per reason the feed carried, from the manifest's daily tallies."""
    deliveries = [manifest["cdr_deliveries"][day] for day in delivery_dates]
    reasons = manifest["rejected_rows"]["telecom_cdrs"]
    return {
        "delivery_dates": delivery_dates,
        "records": sum(day["records"] for day in deliveries),
        "rejected": {
            reason: sum(day["rejected"][reason] for day in deliveries) for reason in reasons
        },
    }


def publish_simulation(
    bootstrap_servers: str,
    config: SimulatorConfig,
    file_days: int,
    truth_path: Path,
    producer_settings: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Simulate `config.days` days; publish every shop change since go-live and the CDR
    drops from day `file_days` on; write and return the ground truth."""
    if not 1 <= file_days <= config.days:
        raise ValueError(f"file_days must be within 1..{config.days}, got {file_days}")
    producer = Producer(
        {
            "bootstrap.servers": bootstrap_servers,
            "linger.ms": "20",
            "enable.idempotence": "true",
            **(producer_settings or {}),
        }
    )
    clock = Clock(config.start_date)
    stream_dates = [clock.date_of(day).isoformat() for day in range(file_days, config.days + 1)]
    published = Published()
    with tempfile.TemporaryDirectory(prefix="kafka-publish-") as scratch:
        exports = Path(scratch) / "exports"
        manifest = generate(config, exports, Path(scratch) / "manifest.json")
        produce_all(producer, shop_events(exports, clock), published)
        produce_all(producer, cdr_events(exports, stream_dates), published)
    truth: dict[str, Any] = {
        "file_days": file_days,
        "manifest": manifest,
        "published": published.as_json(),
        "stream_cdrs": stream_cdr_truth(manifest, stream_dates),
    }
    truth_path.parent.mkdir(parents=True, exist_ok=True)
    truth_path.write_text(json.dumps(truth, indent=1) + "\n", encoding="utf-8")
    log.info(
        "published %d messages (shop changes of days 1-%d, CDR drops of %s to %s); "
        "ground truth in %s",
        truth["published"]["total_messages"], config.days, stream_dates[0], stream_dates[-1],
        truth_path,
    )  # fmt: skip
    return truth


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.kafka_publish",
        description="Simulate --days days; publish every shop change since day 1 as Debezium "
        "events (shop.public.<table>) and the CDR drops from day --file-days on (telecom.cdr); "
        "write the ground truth. The simulator flags must match the files' run.",
    )
    parser.add_argument(
        "--bootstrap-servers",
        default=os.environ.get("KAFKA_BOOTSTRAP_SERVERS"),
        help="Kafka bootstrap servers (default: $KAFKA_BOOTSTRAP_SERVERS)",
    )
    parser.add_argument(
        "--file-days",
        type=int,
        help="days already delivered as files; the feed repeats the last one's CDRs "
        "(default: --days minus 1)",
    )
    parser.add_argument(
        "--truth", type=Path, default=Path("data/kafka_truth.json"), help="ground-truth JSON path"
    )
    add_config_flags(parser)
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    if not args.bootstrap_servers:
        raise SystemExit("--bootstrap-servers or $KAFKA_BOOTSTRAP_SERVERS is required")
    config = config_from_flags(args)
    file_days = config.days - 1 if args.file_days is None else args.file_days
    publish_simulation(args.bootstrap_servers, config, max(file_days, 1), args.truth)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Publish the simulator's data as Debezium change events and real-time CDR events.

The simulator's daily exports (docs/source_contract.md) are replayed as the PostgreSQL
connector would have captured them: day 1 as a snapshot (op `r`), then per day a new key
as `c`, a changed row as `u`, a product missing from the full export as `d` followed by
a tombstone. Every second event uses the `{"schema", "payload"}` wrapper, so both value
shapes are on every topic. CDRs go to `telecom.cdr` as JSON with the files' fields.
A ground-truth JSON says what was published.

Usage: python -m extract.kafka.publish --bootstrap-servers HOST:PORT --days 2
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
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from confluent_kafka import Producer

from extract.kafka.topics import CDR_COLUMNS, CDR_TOPIC, SHOP_TABLES, Column, Kind, shop_topic
from extract.simulator import SimulatorConfig, generate

log = logging.getLogger("extract.kafka.publish")

_EPOCH = datetime(1970, 1, 1)
FULL_EXPORTS = frozenset({"products"})  # a key missing from a full export was deleted
_CONNECT_TYPES = {
    Kind.INT: "int64",
    Kind.TEXT: "string",
    Kind.DECIMAL: "bytes",
    Kind.MICRO_TIMESTAMP: "int64",
}


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
        if column.kind is Kind.DECIMAL:
            spec.update(
                name="org.apache.kafka.connect.data.Decimal",
                version=1,
                parameters={"scale": str(column.scale)},
            )
        elif column.kind is Kind.MICRO_TIMESTAMP:
            spec.update(name="io.debezium.time.MicroTimestamp", version=1)
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
    current_keys: dict[str, int] = dataclasses.field(default_factory=dict)

    def add(self, topic: str, op: str) -> None:
        self.messages[topic] += 1
        self.ops.setdefault(topic, Counter())[op] += 1

    def as_json(self) -> dict[str, Any]:
        return {
            "messages": dict(self.messages),
            "total_messages": sum(self.messages.values()),
            "ops": {topic: dict(ops) for topic, ops in self.ops.items()},
            "current_keys": self.current_keys,
        }


def shop_events(exports_dir: Path) -> Iterator[tuple[str, bytes, bytes | None, str]]:
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
                ts_ms = image.get("updated_at", image.get("created_at")) or 0
                value = change_event(
                    table, op, before if op == "u" else None, image, lsn, ts_ms // 1000,
                    wrapped=sequence % 2 == 0, schema=schema,
                )  # fmt: skip
                yield topic, key_bytes(dict(zip(key_columns, key, strict=True))), value, op
            if table in FULL_EXPORTS and day_index > 0:
                for key in sorted(set(state) - seen):
                    before = state.pop(key)
                    lsn, sequence = lsn + 64, sequence + 1
                    key_json = key_bytes(dict(zip(key_columns, key, strict=True)))
                    value = change_event(
                        table, "d", before, None, lsn, 0, wrapped=sequence % 2 == 0, schema=schema
                    )
                    yield topic, key_json, value, "d"
                    yield topic, key_json, None, "tombstone"


def cdr_events(exports_dir: Path) -> Iterator[tuple[str, bytes, bytes | None, str]]:
    names = [column.name for column in CDR_COLUMNS]
    for _, rows in _rows(exports_dir / "telecom_cdrs"):
        for row in rows:
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


def publish_simulation(
    bootstrap_servers: str,
    config: SimulatorConfig,
    truth_path: Path,
    producer_settings: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Simulate, publish every shop change and CDR, write and return the ground truth."""
    producer = Producer(
        {
            "bootstrap.servers": bootstrap_servers,
            "linger.ms": "20",
            "enable.idempotence": "true",
            **(producer_settings or {}),
        }
    )
    published = Published()
    with tempfile.TemporaryDirectory(prefix="kafka-publish-") as scratch:
        exports = Path(scratch) / "exports"
        generate(config, exports, Path(scratch) / "manifest.json")
        produce_all(producer, shop_events(exports), published)
        produce_all(producer, cdr_events(exports), published)
    truth = {"config": config.as_json(), **published.as_json()}
    truth_path.parent.mkdir(parents=True, exist_ok=True)
    truth_path.write_text(json.dumps(truth, indent=1) + "\n", encoding="utf-8")
    log.info("published %d messages; ground truth in %s", truth["total_messages"], truth_path)
    return truth


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m extract.kafka.publish",
        description="Publish the simulator's shop changes as Debezium events "
        "(shop.public.<table>) and its CDRs (telecom.cdr), and write the ground truth.",
    )
    parser.add_argument(
        "--bootstrap-servers",
        default=os.environ.get("KAFKA_BOOTSTRAP_SERVERS"),
        help="Kafka bootstrap servers (default: $KAFKA_BOOTSTRAP_SERVERS)",
    )
    parser.add_argument("--seed", type=int, default=42, help="simulator seed (%(default)s)")
    parser.add_argument("--days", type=int, default=3, help="days to simulate (%(default)s)")
    parser.add_argument(
        "--calls-per-day", type=int, default=4000, help="CDRs per day (%(default)s)"
    )
    parser.add_argument(
        "--truth", type=Path, default=Path("data/kafka_truth.json"), help="ground-truth JSON path"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    if not args.bootstrap_servers:
        raise SystemExit("--bootstrap-servers or $KAFKA_BOOTSTRAP_SERVERS is required")
    config = dataclasses.replace(
        SimulatorConfig(), seed=args.seed, days=args.days, calls_per_day=args.calls_per_day
    )
    publish_simulation(args.bootstrap_servers, config, args.truth)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

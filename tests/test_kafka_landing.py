"""Landing from a real broker (Tansu): poison messages, crash safety, scale-out.

Every test starts its own in-memory broker, so topics and offsets never leak between
tests. Extractors run as subprocesses where the test kills or races them.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import logging
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest
from confluent_kafka import Producer

from extract.kafka.config import ExtractorConfig
from extract.kafka.runner import land
from extract.kafka.sink_duckdb import SCRATCH_PREFIX, remove_orphaned_scratch
from extract.kafka.topics import SHOP_TABLES, Kind, shop_topic
from tests import warehouse_metrics
from tests.ground_truth import expected_rejected_rows
from tests.pipeline import PROJECT_ROOT, Sandbox, deliver_days, meltano, query
from tools.kafka_broker import LOCAL_CONSUMER_SETTINGS, KafkaBroker, running_broker
from tools.kafka_publish import change_event, encode_decimal, key_bytes, publish_simulation
from tools.simulator import SimulatorConfig, generate

log = logging.getLogger(__name__)

CDR_TOPIC = "telecom.cdr"
# Shorter sessions for the kill test: each kill leaves a dead member that the broker
# evicts only when its session expires, and joins wait half a session on Tansu.
CRASH_CONSUMER_SETTINGS = {"session.timeout.ms": "1000", "heartbeat.interval.ms": "250"}
ITEMS_TOPIC = "shop.public.order_items"


@pytest.fixture
def broker() -> Iterator[KafkaBroker]:
    with running_broker() as running:
        yield running


def producer(broker: KafkaBroker) -> Producer:
    return Producer(
        {"bootstrap.servers": broker.bootstrap_servers, "linger.ms": "5",
         "enable.idempotence": "true"}
    )  # fmt: skip


def cdr_id(number: int) -> str:
    return f"sw1-20260101-{number:06d}"


def cdr_event(number: int) -> bytes:
    return json.dumps(
        {"cdr_id": cdr_id(number), "switch_id": "sw1", "msisdn": "4915100000001",
         "call_type": "voice", "started_at": "2026-01-01 00:00:01", "duration_s": number % 300,
         "bytes_up": 0, "bytes_down": 0, "cell_id": "C0001", "termination_cause": "16",
         "is_roaming": False}
    ).encode()  # fmt: skip


def item_image(item_id: int, price: str = "19.90") -> dict[str, object]:
    return {
        "order_item_id": item_id,
        "order_id": 1,
        "product_id": 2,
        "quantity": 1,
        "unit_price_eur": encode_decimal(price, 2),
        "created_at": 1_767_225_600_000_000,
    }


def extractor_command(
    broker: KafkaBroker,
    warehouse: Path,
    group: str,
    *extra: str,
    consumer_settings: dict[str, str] = LOCAL_CONSUMER_SETTINGS,
) -> list[str]:
    settings = [f"--kafka-config={key}={value}" for key, value in consumer_settings.items()]
    return [
        sys.executable, "-m", "extract.kafka", "--bootstrap-servers", broker.bootstrap_servers,
        "--topics", f"{CDR_TOPIC},{ITEMS_TOPIC}", "--group", group, "--duckdb-path",
        str(warehouse), "--batch-age-s", "0.2", "--progress-interval-s", "1", *settings, *extra,
    ]  # fmt: skip


def spawn(command: list[str], log_path: Path) -> subprocess.Popen[bytes]:
    handle = log_path.open("ab")
    return subprocess.Popen(command, cwd=PROJECT_ROOT, stdout=handle, stderr=handle)


def drain(
    broker: KafkaBroker,
    warehouse: Path,
    group: str,
    log_path: Path,
    consumer_settings: dict[str, str] = LOCAL_CONSUMER_SETTINGS,
) -> None:
    """One last extractor run that lands whatever is left, then exits.

    Killed members stay in the group until their session expires and would keep their
    partitions; wait that out so this run is assigned every partition.
    """
    time.sleep(int(consumer_settings["session.timeout.ms"]) / 1000 + 1)
    command = extractor_command(
        broker, warehouse, group, "--until-caught-up", consumer_settings=consumer_settings
    )
    process = spawn(command, log_path)
    try:
        assert process.wait(timeout=90) == 0, log_path.read_text()[-3000:]
    finally:
        if process.poll() is None:  # timed out: leave no extractor behind
            process.kill()
            process.wait()


# (rows + dead letters, distinct (topic, partition, offset), dead letters) on both engines.
LANDED_COUNTS_SQL = """
        with every_message as (
            select kafka_topic as topic, kafka_partition as p, kafka_offset as o
            from raw.kafka_telecom_cdrs
            union all
            select kafka_topic, kafka_partition, kafka_offset from raw.kafka_shop_order_items
            union all
            select topic, "partition", "offset" from raw.kafka_dead_letters
        )
        select count(*), count(distinct (topic, p, o)),
            (select count(*) from raw.kafka_dead_letters)
        from every_message
"""


def landed(warehouse: Path) -> tuple[int, int, int]:
    """(rows + dead letters, distinct (topic, partition, offset), dead letters)."""
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        return connection.execute(LANDED_COUNTS_SQL).fetchone()


def landed_ids(warehouse: Path) -> tuple[list[str], list[str]]:
    """Every landed cdr_id and order_item_id (one per raw row)."""
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        cdr_ids = connection.execute("select cdr_id from raw.kafka_telecom_cdrs").fetchall()
        item_ids = connection.execute(
            "select order_item_id from raw.kafka_shop_order_items"
        ).fetchall()
    return [row[0] for row in cdr_ids], [row[0] for row in item_ids]


def assignments_logged(log_path: Path) -> int:
    return log_path.read_text().count(" assigned ") if log_path.exists() else 0


def kill_once_assigned(
    start: Callable[[], subprocess.Popen[bytes]], log_path: Path, delay_s: float
) -> None:
    """Start an extractor and SIGKILL it `delay_s` after it logs its partition assignment:
    a dead member delays the next join, so killing before the join would mostly test
    start-up."""
    assignments = assignments_logged(log_path)
    process = start()
    deadline = time.monotonic() + 30
    while assignments_logged(log_path) <= assignments and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(delay_s)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()


class Publisher(threading.Thread):
    """Publishes in small bursts while extractors come and go: CDR events and, with
    `with_items`, order-item change events (every second one in the schema wrapper).

    Runs `bursts` bursts, or until `stop()` when `bursts` is None. Remembers the id of
    every message the broker acknowledged, per topic (cdr_id, order_item_id as text).
    """

    def __init__(
        self,
        broker: KafkaBroker,
        per_burst: int,
        pause_s: float,
        bursts: int | None = None,
        with_items: bool = False,
    ) -> None:
        super().__init__(daemon=True)
        self._producer = producer(broker)
        self._bursts, self._per_burst, self._pause_s = bursts, per_burst, pause_s
        self._with_items = with_items
        self._stopping = threading.Event()
        self.delivered: dict[str, list[str]] = {CDR_TOPIC: [], ITEMS_TOPIC: []}
        self.failed = 0

    @property
    def delivered_count(self) -> int:
        return sum(len(ids) for ids in self.delivered.values())

    def stop(self) -> None:
        self._stopping.set()

    def _report(self, topic: str, payload_id: str, error: object, _message: object) -> None:
        # Delivery reports are served by poll()/flush(), i.e. on this thread.
        if error is None:
            self.delivered[topic].append(payload_id)
        else:
            self.failed += 1

    def _produce(self, topic: str, payload_id: str, key: bytes, value: bytes) -> None:
        while True:
            try:
                self._producer.produce(
                    topic, key=key, value=value,
                    on_delivery=functools.partial(self._report, topic, payload_id),
                )  # fmt: skip
                return
            except BufferError:  # local queue full: let librdkafka send, then retry
                self._producer.poll(0.05)

    def run(self) -> None:
        number, bursts = 0, 0
        while not self._stopping.is_set() and (self._bursts is None or bursts < self._bursts):
            for _ in range(self._per_burst):
                number += 1
                self._produce(CDR_TOPIC, cdr_id(number), cdr_id(number).encode(),
                              cdr_event(number))  # fmt: skip
                if self._with_items:
                    value = change_event("order_items", "c", None, item_image(number), number,
                                         0, wrapped=number % 2 == 0)  # fmt: skip
                    self._produce(ITEMS_TOPIC, str(number),
                                  key_bytes({"order_item_id": number}), value)  # fmt: skip
            self._producer.poll(0)
            bursts += 1
            time.sleep(self._pause_s)
        self._producer.flush(30)


def test_poison_messages_go_to_dead_letters_and_the_run_goes_on(
    broker: KafkaBroker, tmp_path: Path
) -> None:
    good = [change_event("order_items", "c", None, item_image(n), n, 0, n % 2 == 0)
            for n in range(1, 5)]  # fmt: skip
    poison = {
        "not_json": b"this is not json",
        "unknown_op": json.dumps({"op": "z", "after": item_image(90)}).encode(),
        "wrong_type": json.dumps({"op": "c", "after": item_image(91) | {"quantity": "1"}}).encode(),
        "missing_after": json.dumps({"op": "u", "before": item_image(92)}).encode(),
        "undecodable_decimal": json.dumps(
            {"op": "c", "after": item_image(93) | {"unit_price_eur": "%%%"}}
        ).encode(),
    }
    messages = [good[0], *poison.values(), good[1], good[2], None, good[3]]
    sending = producer(broker)
    # One key: every message on one partition, in this order, good ones around each poison.
    for value in messages:
        sending.produce(ITEMS_TOPIC, key=key_bytes({"order_item_id": 1}), value=value)
    sending.flush(10)

    warehouse = tmp_path / "warehouse.duckdb"
    config = ExtractorConfig(
        bootstrap_servers=broker.bootstrap_servers,
        topics=(ITEMS_TOPIC,),
        group_id="poison",
        duckdb_path=warehouse,
        batch_age_s=0.2,
        kafka_settings=dict(LOCAL_CONSUMER_SETTINGS),
    )
    stats = land(config)
    assert stats.messages == len(messages)

    with duckdb.connect(str(warehouse), read_only=True) as connection:
        reasons = connection.execute(
            'select "offset", reason, payload from raw.kafka_dead_letters order by "offset"'
        ).fetchall()
        rows = connection.execute(
            "select kafka_offset, op, order_item_id, unit_price_eur"
            " from raw.kafka_shop_order_items order by kafka_offset"
        ).fetchall()
        stored = connection.execute("select sum(next_offset) from raw.kafka_offsets").fetchone()
    assert [(offset, reason.split(":")[0]) for offset, reason, _ in reasons] == [
        (index + 1, kind) for index, kind in enumerate(poison)
    ]
    assert reasons[0][2] == "this is not json"
    assert rows == [
        (0, "c", "1", "19.90"), (6, "c", "2", "19.90"), (7, "c", "3", "19.90"),
        (8, None, None, None), (9, "c", "4", "19.90"),
    ]  # fmt: skip
    assert stored == (len(messages),)


def test_sigkill_while_publishing_lands_every_message_exactly_once(
    broker: KafkaBroker, tmp_path: Path
) -> None:
    """SIGKILL the extractor 20 times while a publisher keeps producing to both topics, so
    that kills hit mid-fetch, mid-decode, mid-write (DuckDB must recover its WAL) or
    between batches with messages in flight; then drain, and find every acknowledged
    message in raw exactly once."""
    kills_wanted = 20
    rng = random.Random(20260101)
    warehouse, log_path = tmp_path / "warehouse.duckdb", tmp_path / "extractor.log"
    publisher = Publisher(broker, per_burst=40, pause_s=0.05, with_items=True)
    publisher.start()
    command = extractor_command(
        broker, warehouse, "crash", "--follow", consumer_settings=CRASH_CONSUMER_SETTINGS
    )
    # Per kill: messages the killed process had landed, and messages published but not
    # landed when it died (what it had in flight).
    landed_by_process: list[int] = []
    in_flight: list[int] = []
    try:
        while len(in_flight) < kills_wanted:
            landed_before = landed(warehouse)[0] if warehouse.exists() else 0
            # Its first batch lands some 0.7 s after the assignment.
            kill_once_assigned(lambda: spawn(command, log_path), log_path, rng.uniform(0.2, 1.8))
            landed_after = landed(warehouse)[0] if warehouse.exists() else 0
            landed_by_process.append(landed_after - landed_before)
            in_flight.append(publisher.delivered_count - landed_after)
    finally:
        publisher.stop()
        publisher.join(timeout=60)
    assert publisher.failed == 0

    drain(broker, warehouse, "crash", log_path, CRASH_CONSUMER_SETTINGS)
    total, distinct, dead = landed(warehouse)
    cdr_ids, item_ids = landed_ids(warehouse)
    log.info("kills %d, published %d, landed %d (distinct %d); landed by each killed process"
             " %s, in flight at each kill %s", len(in_flight), publisher.delivered_count, total,
             distinct, landed_by_process, in_flight)  # fmt: skip
    assert len(in_flight) >= 20
    # Every kill hit a process with messages to land, and many one that had been landing.
    assert all(pending > 0 for pending in in_flight), in_flight
    assert sum(count > 0 for count in landed_by_process) >= kills_wanted // 4, landed_by_process
    assert dead == 0
    assert total == distinct == publisher.delivered_count > 0
    assert sorted(cdr_ids) == sorted(publisher.delivered[CDR_TOPIC])
    assert sorted(item_ids) == sorted(publisher.delivered[ITEMS_TOPIC])


def test_two_extractors_in_one_group_split_partitions_and_land_once(
    broker: KafkaBroker, tmp_path: Path
) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    publisher = Publisher(broker, per_burst=60, pause_s=0.1, bursts=100)
    publisher.start()
    command = extractor_command(broker, warehouse, "scale", "--follow", "--duckdb-release-lock")
    first = spawn(command, tmp_path / "first.log")
    # The second member joins midway: once the first owns every partition and lands.
    deadline = time.monotonic() + 30
    while assignments_logged(tmp_path / "first.log") == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(1.0)
    second = spawn(command, tmp_path / "second.log")
    publisher.join(timeout=60)
    time.sleep(8.0)  # rebalance settles, both members drain their partitions
    for process in (first, second):
        process.send_signal(signal.SIGTERM)
    for process in (first, second):
        assert process.wait(timeout=60) == 0
    logs = [(tmp_path / name).read_text() for name in ("first.log", "second.log")]
    done = [json.loads(text.rsplit("done: ", 1)[1].splitlines()[0]) for text in logs]

    total, distinct, dead = landed(warehouse)
    assert publisher.delivered_count == 6_000
    assert total == distinct == publisher.delivered_count
    assert sum(summary["messages"] for summary in done) == publisher.delivered_count
    assert dead == 0
    assert all(summary["messages"] > 0 for summary in done), done
    assert "revoked" in logs[0]


def test_scratch_of_a_killed_extractor_is_removed_on_the_next_start(tmp_path: Path) -> None:
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                              capture_output=True, text=True, check=True)  # fmt: skip
    dead = tmp_path / f"{SCRATCH_PREFIX}{finished.stdout.strip()}-x1"
    alive = tmp_path / f"{SCRATCH_PREFIX}{os.getpid()}-x2"
    for folder in (dead, alive):
        folder.mkdir()
        (folder / "kafka_telecom_cdrs.json").write_text("{}")
    remove_orphaned_scratch(tmp_path)
    assert not dead.exists()
    assert alive.exists()


# ---------- real-world Debezium input through the broker, the extractor and dbt
# Values are hand-written from Debezium's documented encodings: base64 big-endian
# two's-complement unscaled integers with the scale in the schema, epoch milli- and
# microseconds, ISO-8601 zoned strings.

SMALL_CONFIG = dataclasses.replace(
    SimulatorConfig(), seed=11, days=2, customers=20, products=10, plans=2, cells=4,
    switches=1, calls_per_day=80, orders_per_day=8,
)  # fmt: skip
HOUR_US = 3_600_000_000
T10 = 1_767_261_600_000_000  # 2026-01-01 10:00:00 UTC, epoch microseconds
LSN = 9_000_000_000  # after every simulated change


def debezium(
    table: str,
    op: str,
    after: dict[str, Any] | None,
    lsn: int | None,
    commit_us: int,
    before: dict[str, Any] | None = None,
) -> bytes:
    """An unwrapped change event as the PostgreSQL connector writes it."""
    source = {"version": "2.7.0.Final", "connector": "postgresql", "name": "shop",
              "ts_ms": commit_us // 1000, "snapshot": "false", "db": "shop",
              "schema": "public", "table": table, "txId": 77, "lsn": lsn}  # fmt: skip
    if lsn is None:
        del source["lsn"]
    return json.dumps(
        {"before": before, "after": after, "source": source, "op": op,
         "ts_ms": commit_us // 1000 + 5}
    ).encode()  # fmt: skip


def customer(customer_id: int, name: str, updated_us: int | None, **fields: Any) -> dict:
    return {"customer_id": customer_id, "first_name": name, "last_name": "Probe",
            "email": f"c{customer_id}@example.com", "segment": "consumer", "city": "Bonn",
            "country_code": "DE", "created_at": T10 - 24 * HOUR_US,
            "updated_at": updated_us} | fields  # fmt: skip


def product(product_id: int, price: str | Any, **fields: Any) -> dict:
    return {"product_id": product_id, "sku": f"SKU-{product_id}", "product_name": "Probe",
            "category": "accessories", "price_eur": price, "created_at": T10 - HOUR_US,
            "updated_at": T10} | fields  # fmt: skip


def order(order_id: int, updated_us: int) -> dict:
    return {"order_id": order_id, "customer_id": 900001, "order_status": "placed",
            "channel": "web", "ordered_at": T10, "updated_at": updated_us}  # fmt: skip


def item(item_id: int, quantity: int, created_us: int | None) -> dict:
    return {"order_item_id": item_id, "order_id": 900020, "product_id": 1,
            "quantity": quantity, "unit_price_eur": "B9w=", "created_at": created_us}  # fmt: skip


def products_schema(**kinds: tuple[str, str | None, dict[str, str] | None]) -> dict:
    """The Connect schema of a products event, with the given (type, logical name,
    parameters) per column; other columns as the topic declares them."""
    fields = []
    for column in SHOP_TABLES["products"][0]:
        spec: dict[str, Any] = {"type": {Kind.INT: "int64", Kind.TEXT: "string",
                                         Kind.DECIMAL: "bytes"}.get(column.kind, "int64"),
                                "optional": True, "field": column.name}  # fmt: skip
        if column.kind is Kind.DECIMAL:
            spec |= {"name": "org.apache.kafka.connect.data.Decimal",
                     "parameters": {"scale": str(column.scale)}}  # fmt: skip
        elif column.kind is Kind.MICRO_TIMESTAMP:
            spec["name"] = "io.debezium.time.MicroTimestamp"
        if column.name in kinds:
            kind, name, parameters = kinds[column.name]
            spec = {"type": kind, "optional": True, "field": column.name}
            spec |= {"name": name} if name else {}
            spec |= {"parameters": parameters} if parameters else {}
        fields.append(spec)
    value = {"type": "struct", "fields": fields, "optional": True,
             "name": "shop.public.products.Value"}  # fmt: skip
    return {"type": "struct", "name": "shop.public.products.Envelope", "optional": False,
            "fields": [value | {"field": "before"}, value | {"field": "after"},
                       {"type": "string", "optional": False, "field": "op"}]}  # fmt: skip


def wrapped_products(schema: dict, event: bytes) -> bytes:
    return json.dumps({"schema": schema, "payload": json.loads(event)}).encode()


PLACEHOLDER = "__debezium_unavailable_value"
# (topic table, key, value): every bad kind and every semantic case, on night 1.
NIGHT_ONE_EVENTS = [
    # Commit order wins: the update commits after the create but its updated_at reads an
    # hour earlier (a writer's skewed clock); before = null (REPLICA IDENTITY DEFAULT).
    ("customers", 900001, debezium("customers", "c", customer(900001, "Before", T10),
                                   LSN, T10)),
    ("customers", 900001, debezium("customers", "u", customer(900001, "After", T10 - HOUR_US),
                                   LSN + 64, T10 + 60_000_000)),
    # An unchanged TOASTed column: the placeholder keeps the previous first name.
    ("customers", 900001, debezium("customers", "u",
                                   customer(900001, PLACEHOLDER, T10 + 120_000_000,
                                            city="Berlin"),
                                   LSN + 128, T10 + 120_000_000)),
    # Rejected: an inverted validity range, a missing updated_at, a key wider than bigint.
    ("customers", 900002, debezium("customers", "c",
                                   customer(900002, "Skew", T10 - 48 * HOUR_US), LSN + 192, T10)),
    ("customers", 900003, debezium("customers", "c", customer(900003, "NoTime", None),
                                   LSN + 256, T10)),
    ("customers", 900004, debezium("customers", "c", customer(2**70, "Huge", T10),
                                   LSN + 320, T10)),
    # Rejected: a negative price on a real product (-19.90, unscaled -1990).
    ("products", 1, debezium("products", "u", product(1, "+Do="), LSN + 384, T10)),
    # Rejected: two images claiming one log position.
    ("products", 2, debezium("products", "u", product(2, "B9w="), LSN + 448, T10)),
    ("products", 2, debezium("products", "u", product(2, "EGg="), LSN + 448, T10)),
    # Dead letter: a decimal written as a JSON number where precise mode is declared.
    ("products", 900012, debezium("products", "c", product(900012, 19.9), LSN + 512, T10)),
    # Rejected: the schema declares updated_at as plain text, and it is not a timestamp.
    ("products", 900010, wrapped_products(
        products_schema(updated_at=("string", None, None)),
        debezium("products", "c", product(900010, "B9w=", updated_at="yesterday"),
                 LSN + 576, T10))),
    # Clean, by the schema: a VariableScaleDecimal 42 (scale 0), a timestamptz column
    # (ZonedTimestamp, 11:00 at +01:00 = 10:00 UTC), a millisecond Timestamp.
    ("products", 900011, wrapped_products(
        products_schema(price_eur=("struct", "io.debezium.data.VariableScaleDecimal", None),
                        updated_at=("string", "io.debezium.time.ZonedTimestamp", None),
                        created_at=("int64", "io.debezium.time.Timestamp", None)),
        debezium("products", "c",
                 product(900011, {"scale": 0, "value": "Kg=="},
                         updated_at="2026-01-01T11:00:00+01:00",
                         created_at=(T10 - HOUR_US) // 1000),
                 LSN + 640, T10))),
    # A late delete: created with an application clock two hours ahead, deleted half an
    # hour after the create committed; the delete's `before` holds only the key.
    ("orders", 900020, debezium("orders", "c", order(900020, T10 + 2 * HOUR_US),
                                LSN + 704, T10)),
    ("orders", 900020, debezium("orders", "d", None, LSN + 768, T10 + HOUR_US // 2,
                                before={"order_id": 900020})),
    # Rejected: no log position, so no commit order.
    ("orders", 900021, debezium("orders", "c", order(900021, T10), None, T10)),
    # Skipped and counted: a logical decoding message, not a row change.
    ("orders", 900022, json.dumps({"op": "m", "ts_ms": T10 // 1000,
                                   "source": {"lsn": LSN + 832, "ts_ms": T10 // 1000},
                                   "message": {"prefix": "audit", "content": "aGk="}}).encode()),
    # Rejected: a quantity of zero, a missing created_at.
    ("order_items", 900030, debezium("order_items", "c", item(900030, 0, T10), LSN + 896, T10)),
    ("order_items", 900031, debezium("order_items", "c", item(900031, 1, None), LSN + 960, T10)),
]  # fmt: skip
NIGHT_ONE_REJECTS = {
    "shop_cdc_customers": {"updated_before_created": 1, "missing_updated_at": 1,
                           "invalid_customer_id": 1},
    "shop_cdc_products": {"negative_price": 1, "conflicting_event_at_log_position": 2,
                          "unparseable_updated_at": 1},
    "shop_cdc_orders": {"missing_log_position": 1},
    "shop_cdc_order_items": {"non_positive_quantity": 1, "missing_created_at": 1},
}  # fmt: skip
PROBE_KEYS = {"customers": {"900001"}, "products": {"900011"}}


def _publish(broker: KafkaBroker, events: list[tuple[str, int, bytes]]) -> None:
    sending = producer(broker)
    for table, key, value in events:
        sending.produce(shop_topic(table), key=key_bytes({"id": key}), value=value)
    sending.flush(30)


def _without_probes(fingerprint: dict[str, Any]) -> dict[str, Any]:
    versions = {
        entity: {k: n for k, n in counts.items() if k not in PROBE_KEYS.get(entity, set())}
        for entity, counts in fingerprint["scd2_versions"].items()
    }
    return fingerprint | {"scd2_versions": versions}


def test_bad_change_events_are_quarantined_and_the_next_night_reaches_every_mart(
    broker: KafkaBroker, tmp_path: Path
) -> None:
    sandbox = Sandbox(tmp_path / "run", kafka_bootstrap_servers=broker.bootstrap_servers)
    sandbox.root.mkdir()
    generated = tmp_path / "generated"
    generate(SMALL_CONFIG, generated, tmp_path / "manifest.json")
    dates = [str(SMALL_CONFIG.start_date + timedelta(days=n)) for n in range(SMALL_CONFIG.days)]

    # Night 1: day 1's files, and every bad kind on the change streams.
    deliver_days(generated, sandbox.inbox_dir, dates[:1])
    _publish(broker, NIGHT_ONE_EVENTS)
    meltano(sandbox, "run", "elt")  # fails the test on a red build
    night_one = warehouse_metrics.rejected_rows(sandbox)
    assert {t: r for t, r in night_one.items() if t.startswith("shop_cdc")} == NIGHT_ONE_REJECTS
    dead = query(sandbox, "select reason from raw.kafka_dead_letters")
    assert [reason for (reason,) in dead] == [
        "undecodable_decimal: expected base64 text, got 19.9 (column price_eur)"
    ]
    landed_orders = query(sandbox, "select count(*) from raw.kafka_shop_orders")
    assert landed_orders == [(3,)]  # the logical message was skipped, not landed
    assert query(
        sandbox, "select first_name, city from marts.dim_customers"
        " where customer_id = 900001 and is_current"
    ) == [("After", "Berlin")]  # fmt: skip
    assert query(
        sandbox,
        "select price_eur, created_at, updated_at from staging.stg_shop_cdc__products"
        " where product_id = 900011",
    ) == [(Decimal("42.00"), datetime(2026, 1, 1, 9, 0), datetime(2026, 1, 1, 10, 0))]
    assert query(sandbox, "select price_eur from marts.dim_products where product_id = 900011") == [
        (Decimal("42.00"),)
    ]
    assert query(sandbox, "select count(*) from marts.fct_orders where order_id = 900020") == [(0,)]

    # Night 2: day 2's files and the shop's whole change log since go-live; the bad
    # events are still in raw (append-only) and still quarantined.
    deliver_days(generated, sandbox.inbox_dir, dates[1:])
    truth = publish_simulation(
        broker.bootstrap_servers, SMALL_CONFIG, SMALL_CONFIG.days, tmp_path / "truth.json"
    )
    meltano(sandbox, "run", "elt")
    fingerprint = _without_probes(warehouse_metrics.mart_fingerprint(sandbox))
    manifest = truth["manifest"]
    kafka_truth = {key: value for key, value in truth.items() if key != "manifest"}
    assert fingerprint["revenue_per_day"] == {
        day: v for day, v in manifest["revenue_per_day"].items() if float(v) != 0
    }
    assert fingerprint["orders_per_status"] == {
        status: n for status, n in manifest["orders_per_status"].items() if n
    }
    assert fingerprint["usage_per_customer_day"] == manifest["usage_per_customer_day"]
    for entity in ("customers", "products", "service_plans", "subscriptions"):
        assert fingerprint["scd2_versions"][entity] == manifest["scd2_versions"][entity]
    assert fingerprint["deleted_products"] == sorted(manifest["deleted_products"])
    assert fingerprint["rejected_rows"] == (
        expected_rejected_rows(manifest, kafka_truth, SMALL_CONFIG.days) | NIGHT_ONE_REJECTS
    )


def test_truncates_land_and_logical_messages_are_skipped_with_a_count(
    broker: KafkaBroker, tmp_path: Path
) -> None:
    truncate = json.dumps(
        {
            "op": "t",
            "ts_ms": 1_767_261_600_005,
            "source": {"lsn": 700, "txId": 9, "ts_ms": 1_767_261_600_000},
        }
    )
    message = json.dumps({"op": "m", "ts_ms": 1_767_261_600_005, "source": {"lsn": 710},
                          "message": {"prefix": "audit", "content": "aGk="}})  # fmt: skip
    values = [change_event("order_items", "c", None, item_image(1), 600, 0, False),
              truncate.encode(), message.encode(),
              change_event("order_items", "c", None, item_image(2), 720, 0, True)]  # fmt: skip
    sending = producer(broker)
    for value in values:
        sending.produce(ITEMS_TOPIC, key=key_bytes({"order_item_id": 1}), value=value)
    sending.flush(10)
    warehouse = tmp_path / "warehouse.duckdb"
    stats = land(
        ExtractorConfig(
            bootstrap_servers=broker.bootstrap_servers, topics=(ITEMS_TOPIC,),
            group_id="ops", duckdb_path=warehouse, batch_age_s=0.2,
            kafka_settings=dict(LOCAL_CONSUMER_SETTINGS),
        )
    )  # fmt: skip
    assert (stats.messages, stats.skipped, stats.dead_letters) == (4, 1, 0)
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        rows = connection.execute(
            "select kafka_offset, op, lsn, order_item_id from raw.kafka_shop_order_items"
            " order by kafka_offset"
        ).fetchall()
        stored = connection.execute("select sum(next_offset) from raw.kafka_offsets").fetchone()
    assert rows == [(0, "c", 600, "1"), (1, "t", 700, None), (3, "c", 720, "2")]
    assert stored == (4,)  # the skipped message's offset advanced with the batch

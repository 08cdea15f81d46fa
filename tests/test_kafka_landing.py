"""Landing from a real broker (Tansu): poison messages, crash safety, scale-out.

Every test starts its own in-memory broker, so topics and offsets never leak between
tests. Extractors run as subprocesses where the test kills or races them.
"""

from __future__ import annotations

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
from pathlib import Path

import duckdb
import pytest
from confluent_kafka import Producer

from extract.kafka.broker import LOCAL_CONSUMER_SETTINGS, KafkaBroker, running_broker
from extract.kafka.config import ExtractorConfig
from extract.kafka.publish import change_event, encode_decimal, key_bytes
from extract.kafka.runner import land
from extract.kafka.sink_duckdb import SCRATCH_PREFIX, remove_orphaned_scratch
from tests.pipeline import PROJECT_ROOT

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

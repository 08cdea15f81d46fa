"""Landing from a real broker (Tansu): poison messages, crash safety, scale-out.

Every test starts its own in-memory broker, so topics and offsets never leak between
tests. Extractors run as subprocesses where the test kills or races them.
"""

from __future__ import annotations

import json
import logging
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from confluent_kafka import Producer

from extract.kafka.broker import LOCAL_CONSUMER_SETTINGS, KafkaBroker, running_broker
from extract.kafka.config import ExtractorConfig
from extract.kafka.publish import change_event, encode_decimal, key_bytes
from extract.kafka.runner import land
from tests.pipeline import PROJECT_ROOT

log = logging.getLogger(__name__)

CDR_TOPIC = "telecom.cdr"
# Shorter sessions for the kill test: each kill leaves a dead member that the broker
# evicts only when its session expires, and joins wait half a session on Tansu.
CRASH_CONSUMER_SETTINGS = {"session.timeout.ms": "2000", "heartbeat.interval.ms": "500"}
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


def cdr_event(number: int) -> bytes:
    return json.dumps(
        {"cdr_id": f"sw1-20260101-{number:06d}", "switch_id": "sw1", "msisdn": "4915100000001",
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
    assert process.wait(timeout=90) == 0, log_path.read_text()[-3000:]


def landed(warehouse: Path) -> tuple[int, int, int]:
    """(rows + dead letters, distinct (topic, partition, offset), dead letters)."""
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        return connection.execute(
            """
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
        ).fetchone()


def assignments_logged(log_path: Path) -> int:
    return log_path.read_text().count(" assigned ") if log_path.exists() else 0


class Publisher(threading.Thread):
    """Publishes CDR events in small bursts while extractors come and go."""

    def __init__(self, broker: KafkaBroker, bursts: int, per_burst: int, pause_s: float) -> None:
        super().__init__(daemon=True)
        self._producer = producer(broker)
        self._bursts, self._per_burst, self._pause_s = bursts, per_burst, pause_s
        self.delivered = 0
        self.failed = 0

    def _report(self, error: object, _message: object) -> None:
        if error is None:
            self.delivered += 1
        else:
            self.failed += 1

    def run(self) -> None:
        number = 0
        for _ in range(self._bursts):
            for _ in range(self._per_burst):
                number += 1
                self._producer.produce(
                    CDR_TOPIC, key=str(number).encode(), value=cdr_event(number),
                    on_delivery=self._report,
                )  # fmt: skip
            self._producer.poll(0)
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


def test_sigkill_at_random_moments_lands_every_message_exactly_once(
    broker: KafkaBroker, tmp_path: Path
) -> None:
    kills_wanted = 20
    rng = random.Random(20260101)
    warehouse, log_path = tmp_path / "warehouse.duckdb", tmp_path / "extractor.log"
    publisher = Publisher(broker, bursts=160, per_burst=125, pause_s=0.4)
    publisher.start()

    kills, progress = 0, []
    command = extractor_command(
        broker, warehouse, "crash", "--follow", consumer_settings=CRASH_CONSUMER_SETTINGS
    )
    while kills < kills_wanted:
        assignments = assignments_logged(log_path)
        process = spawn(command, log_path)
        # Kill at a random moment after the process owns partitions (mid-fetch, mid-decode,
        # mid-write or between batches); a dead member delays the next join, so killing
        # before the join would mostly test start-up.
        deadline = time.monotonic() + 30
        while assignments_logged(log_path) == assignments and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(rng.uniform(0.2, 2.5))
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        kills += 1
        if warehouse.exists():
            progress.append(landed(warehouse)[0])
    publisher.join(timeout=60)
    assert publisher.failed == 0

    drain(broker, warehouse, "crash", log_path, CRASH_CONSUMER_SETTINGS)
    total, distinct, dead = landed(warehouse)
    log.info("kills %d, published %d, landed %d (distinct %d), landed after each kill %s",
             kills, publisher.delivered, total, distinct, progress)  # fmt: skip
    assert kills >= 20
    assert dead == 0
    assert publisher.delivered == 20_000
    assert total == distinct == publisher.delivered
    # The kills hit a process that was landing, not only ones still starting up.
    assert len(set(progress)) >= 4, progress


def test_two_extractors_in_one_group_split_partitions_and_land_once(
    broker: KafkaBroker, tmp_path: Path
) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    publisher = Publisher(broker, bursts=100, per_burst=60, pause_s=0.1)
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
    assert publisher.delivered == 6_000
    assert total == distinct == publisher.delivered
    assert sum(summary["messages"] for summary in done) == publisher.delivered
    assert dead == 0
    assert all(summary["messages"] > 0 for summary in done), done
    assert "revoked" in logs[0]

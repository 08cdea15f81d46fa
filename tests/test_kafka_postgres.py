"""Landing into PostgreSQL from a real broker (Tansu): decoded rows and offsets, poison
messages, crash safety, and several writers of one consumer group at once.

Every test starts its own in-memory broker and gets its own empty database in one
throwaway cluster, so topics, offsets and raw tables never leak between tests. Extractors
run as subprocesses where the test kills or races them; they get the password from the
environment, as production does.
"""

from __future__ import annotations

import itertools
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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest

from extract.kafka.config import ExtractorConfig
from extract.kafka.runner import land
from extract.kafka.sink import Batch, DeadLetter, StaleBatchError, raw_columns
from extract.kafka.sink_postgres import PostgresSink, postgres_conninfo
from extract.kafka.topics import known_topics
from tests.pipeline import PROJECT_ROOT
from tests.postgres_fixtures import (
    LOADER_PASSWORD,
    LOADER_ROLE,
    PostgresWarehouse,
    postgres_warehouse,  # noqa: F401 (a fixture, used by name)
)
from tests.test_kafka_landing import (
    CDR_TOPIC,
    ITEMS_TOPIC,
    LANDED_COUNTS_SQL,
    Publisher,
    assignments_logged,
    cdr_event,
    item_image,
    kill_once_assigned,
    producer,
)
from tools.kafka_broker import LOCAL_CONSUMER_SETTINGS, KafkaBroker, running_broker
from tools.kafka_publish import change_event, key_bytes

log = logging.getLogger(__name__)

_database_numbers = itertools.count(1)
# Shorter sessions than test_kafka_landing's for the kill test: each kill leaves a dead
# member that delays the next join until its session expires, and this file must stay
# quick; correctness does not depend on them.
CRASH_CONSUMER_SETTINGS = {"session.timeout.ms": "1000", "heartbeat.interval.ms": "250"}


@dataclass(frozen=True)
class Database:
    """One empty database of the throwaway cluster, owned by the loader role."""

    host: str
    port: int
    name: str

    def conninfo(self) -> str:
        return postgres_conninfo(self.host, self.port, LOADER_ROLE, LOADER_PASSWORD, self.name)

    def query(self, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
        with psycopg.connect(self.conninfo(), autocommit=True) as connection:
            return connection.execute(sql, params).fetchall()

    def execute(self, sql: str, params: list[Any]) -> None:
        with psycopg.connect(self.conninfo(), autocommit=True) as connection:
            connection.execute(sql, params)

    def config(self, broker: KafkaBroker, topics: tuple[str, ...], group: str) -> ExtractorConfig:
        return ExtractorConfig(
            bootstrap_servers=broker.bootstrap_servers,
            topics=topics,
            group_id=group,
            target="postgres",
            pg_host=self.host,
            pg_port=self.port,
            pg_user=LOADER_ROLE,
            pg_password=LOADER_PASSWORD,
            pg_database=self.name,
            batch_age_s=0.2,
            kafka_settings=dict(LOCAL_CONSUMER_SETTINGS),
        )


@pytest.fixture
def broker() -> Iterator[KafkaBroker]:
    with running_broker() as running:
        yield running


@pytest.fixture
def database(postgres_warehouse: PostgresWarehouse) -> Iterator[Database]:  # noqa: F811
    cluster = postgres_warehouse.cluster
    name = f"kafka_landing_{next(_database_numbers)}"
    with psycopg.connect(cluster.dsn(), autocommit=True) as admin:
        admin.execute(f"create database {name} owner {LOADER_ROLE}")
    yield Database(cluster.host, cluster.port, name)
    with psycopg.connect(cluster.dsn(), autocommit=True) as admin:
        admin.execute(f"drop database {name} with (force)")


def extractor_command(
    broker: KafkaBroker,
    database: Database,
    group: str,
    *extra: str,
    consumer_settings: dict[str, str] = LOCAL_CONSUMER_SETTINGS,
) -> list[str]:
    settings = [f"--kafka-config={key}={value}" for key, value in consumer_settings.items()]
    return [
        sys.executable, "-m", "extract.kafka", "--target", "postgres",
        "--bootstrap-servers", broker.bootstrap_servers, "--topics", f"{CDR_TOPIC},{ITEMS_TOPIC}",
        "--group", group, "--pg-host", database.host, "--pg-port", str(database.port),
        "--pg-user", LOADER_ROLE, "--pg-database", database.name, "--batch-age-s", "0.2",
        "--progress-interval-s", "1", *settings, *extra,
    ]  # fmt: skip


def spawn(command: list[str], log_path: Path) -> subprocess.Popen[bytes]:
    env = dict(os.environ, TELESTREAM_PG_PASSWORD=LOADER_PASSWORD)
    with log_path.open("ab") as handle:
        return subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=handle, stderr=handle)


def landed(database: Database) -> tuple[int, int, int]:
    """(rows + dead letters, distinct (topic, partition, offset), dead letters)."""
    if database.query("select to_regclass('raw.kafka_offsets')") == [(None,)]:
        return 0, 0, 0  # killed before its first prepare
    (counts,) = database.query(LANDED_COUNTS_SQL)
    return counts


def drain(
    broker: KafkaBroker,
    database: Database,
    group: str,
    log_path: Path,
    consumer_settings: dict[str, str],
) -> None:
    """One last run that lands whatever is left, once killed members' sessions expired."""
    time.sleep(int(consumer_settings["session.timeout.ms"]) / 1000 + 1)
    command = extractor_command(
        broker, database, group, "--until-caught-up", consumer_settings=consumer_settings
    )
    process = spawn(command, log_path)
    assert process.wait(timeout=60) == 0, log_path.read_text()[-3000:]


def offsets_match_rows(database: Database, topic: str) -> bool:
    """Each stored next offset of `topic` is one past its partition's last landed message."""
    raw_table = known_topics()[topic].raw_table
    mismatches = database.query(
        f"""
        select o.topic, o."partition"
        from (select * from raw.kafka_offsets where topic = %s) as o
        full join (
            select kafka_partition, max(kafka_offset) + 1 as next_offset
            from raw.{raw_table} group by kafka_partition
        ) as r on r.kafka_partition = o."partition"
        where o.next_offset is distinct from r.next_offset
        """,
        [topic],
    )
    return not mismatches


def test_debezium_and_cdr_events_land_decoded_with_their_offsets(
    broker: KafkaBroker, database: Database
) -> None:
    item_key = key_bytes({"order_item_id": 7})
    items = [
        change_event("order_items", "r", None, item_image(7), 64, 1_000, wrapped=False),
        change_event("order_items", "u", item_image(7), item_image(7, "-0.05"), 128, 2_000,
                     wrapped=True),
        change_event("order_items", "d", item_image(7, "-0.05"), None, 192, 3_000, wrapped=False),
        None,
    ]  # fmt: skip
    # Text that a hand-built COPY format would have to escape, and NULL beside ''.
    awkward = json.loads(cdr_event(3)) | {"cell_id": 'C\t1\n2\\3"é', "msisdn": "", "bytes_up": None}
    cdrs = [cdr_event(1), cdr_event(2), json.dumps(awkward).encode()]
    sending = producer(broker)
    for value in items:
        sending.produce(ITEMS_TOPIC, key=item_key, value=value)
    for number, value in enumerate(cdrs, start=1):
        sending.produce(CDR_TOPIC, key=str(number).encode(), value=value)
    sending.flush(10)

    stats = land(database.config(broker, (ITEMS_TOPIC, CDR_TOPIC), "decoded"))

    assert stats.messages == len(items) + len(cdrs)
    assert database.query(
        "select kafka_key, op, lsn, tx_id, source_ts_ms, snapshot, event_ts_ms, order_item_id,"
        " quantity, unit_price_eur, created_at from raw.kafka_shop_order_items"
        " order by kafka_offset"
    ) == [
        ('{"order_item_id":7}', "r", 64, 4, 1_000, "true", 1_000, "7", "1", "19.90",
         "2026-01-01 00:00:00"),
        ('{"order_item_id":7}', "u", 128, 8, 2_000, "false", 2_000, "7", "1", "-0.05",
         "2026-01-01 00:00:00"),
        ('{"order_item_id":7}', "d", 192, 12, 3_000, "false", 3_000, "7", "1", "-0.05",
         "2026-01-01 00:00:00"),
        ('{"order_item_id":7}', None, None, None, None, None, None, None, None, None, None),
    ]  # fmt: skip
    assert database.query(
        "select cdr_id, duration_s, is_roaming, cell_id, msisdn, bytes_up"
        " from raw.kafka_telecom_cdrs order by cdr_id"
    ) == [
        ("sw1-20260101-000001", "1", "false", "C0001", "4915100000001", "0"),
        ("sw1-20260101-000002", "2", "false", "C0001", "4915100000001", "0"),
        ("sw1-20260101-000003", "3", "false", 'C\t1\n2\\3"é', "", None),
    ]
    assert offsets_match_rows(database, ITEMS_TOPIC)
    assert database.query(
        "select sum(next_offset) from raw.kafka_offsets where topic = %s", [CDR_TOPIC]
    ) == [(len(cdrs),)]
    # The same columns and types as the DuckDB sink, so dbt reads both engines alike.
    for topic in (ITEMS_TOPIC, CDR_TOPIC):
        spec = known_topics()[topic]
        columns = database.query(
            "select column_name, data_type from information_schema.columns"
            " where table_schema = 'raw' and table_name = %s order by ordinal_position",
            [spec.raw_table],
        )
        assert columns == [
            *raw_columns(spec),
            ("_landed_at", "timestamp without time zone"),
        ]


def test_poison_messages_go_to_dead_letters_and_unstorable_text_is_escaped(
    broker: KafkaBroker, database: Database
) -> None:
    good = [change_event("order_items", "c", None, item_image(n), n, 0, n % 2 == 0)
            for n in range(1, 4)]  # fmt: skip
    poison = {
        "not_json": b"not json \x00 at all",
        "unknown_op": json.dumps({"op": "z", "after": item_image(90)}).encode(),
        "undecodable_decimal": json.dumps(
            {"op": "c", "after": item_image(93) | {"unit_price_eur": "%%%"}}
        ).encode(),
    }
    items = [good[0], *poison.values(), good[1], good[2]]
    # JSON strings may carry NUL and lone surrogates; PostgreSQL text holds neither.
    unstorable = b'{"cdr_id": "sw1-x", "cell_id": "C\\u00001", "msisdn": "49\\ud800"}'
    sending = producer(broker)
    for value in items:
        sending.produce(ITEMS_TOPIC, key=key_bytes({"order_item_id": 1}), value=value)
    sending.produce(CDR_TOPIC, key=b"1", value=unstorable)
    sending.produce(CDR_TOPIC, key=b"1", value=b"[1, 2]")
    sending.flush(10)

    stats = land(database.config(broker, (ITEMS_TOPIC, CDR_TOPIC), "poison"))

    assert stats.messages == len(items) + 2
    assert stats.dead_letters == len(poison) + 1
    letters = database.query(
        'select topic, "offset", reason, payload, consumer_group from raw.kafka_dead_letters'
        ' order by topic, "offset"'
    )
    assert [(topic, offset, reason.split(":")[0]) for topic, offset, reason, *_ in letters] == [
        (ITEMS_TOPIC, index + 1, kind) for index, kind in enumerate(poison)
    ] + [(CDR_TOPIC, 1, "not_an_event")]
    assert letters[0][3] == "not json \\x00 at all"
    assert {group for *_, group in letters} == {"poison"}
    assert database.query(
        "select kafka_offset, order_item_id from raw.kafka_shop_order_items order by 1"
    ) == [(0, "1"), (4, "2"), (5, "3")]
    assert database.query("select cdr_id, cell_id, msisdn from raw.kafka_telecom_cdrs") == [
        ("sw1-x", "C\\x001", "49\\ud800")
    ]
    # One key per topic: one partition each, its offset past every message, poison or not.
    assert database.query(
        "select topic, max(next_offset) from raw.kafka_offsets group by topic order by topic"
    ) == [(ITEMS_TOPIC, len(items)), (CDR_TOPIC, 2)]


@pytest.mark.parametrize(
    ("text", "stored"),
    [("a\x00b", "a\\x00b"), ("a\ud800b", "a\\ud800b")],
    ids=["nul_refused_by_the_server", "lone_surrogate_refused_by_utf8"],
)
def test_text_postgresql_cannot_store_lands_escaped(
    database: Database, text: str, stored: str
) -> None:
    spec = known_topics()[CDR_TOPIC]
    sink = PostgresSink(database.conninfo())
    sink.prepare([spec])
    row = (CDR_TOPIC, 0, 0, text, 0, "sw1-1", *(None,) * (len(spec.columns) - 1))
    batch = Batch(
        rows={CDR_TOPIC: [row]},
        dead_letters=[DeadLetter(CDR_TOPIC, 0, 1, None, text, "not_json: test")],
        next_offsets={(CDR_TOPIC, 0): 2},
    )
    sink.write("escape", batch, {(CDR_TOPIC, 0): 0})
    sink.close()

    assert database.query("select kafka_key, cdr_id from raw.kafka_telecom_cdrs") == [
        (stored, "sw1-1")
    ]
    assert database.query("select payload from raw.kafka_dead_letters") == [(stored,)]
    assert database.query("select next_offset from raw.kafka_offsets") == [(2,)]


def test_extractors_starting_together_create_the_raw_schema_once(database: Database) -> None:
    """CREATE ... IF NOT EXISTS alone fails when run concurrently for one name."""
    specs = list(known_topics().values())
    sinks = [PostgresSink(database.conninfo()) for _ in range(6)]
    ready = threading.Barrier(len(sinks))
    failures: list[BaseException] = []

    def prepare(sink: PostgresSink) -> None:
        ready.wait()
        try:
            sink.prepare(specs)
        except psycopg.Error as error:
            failures.append(error)
        finally:
            sink.close()

    threads = [threading.Thread(target=prepare, args=(sink,)) for sink in sinks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert failures == []
    assert database.query(
        "select count(*) from information_schema.tables where table_schema = 'raw'"
    ) == [(len(specs) + 2,)]


@pytest.mark.parametrize("stored", [None, 100], ids=["first_batch", "later_batch"])
def test_racing_writers_of_one_partition_land_the_batch_once(
    database: Database, stored: int | None
) -> None:
    """Zombie and owner writing the same batch at once: exactly one commits.

    The first batch of a partition has no offsets row to lock; without the placeholder
    insert every writer would see "no row" and all would commit.
    """
    spec = known_topics()[CDR_TOPIC]
    start = stored or 0
    writers = 6
    sinks = [PostgresSink(database.conninfo()) for _ in range(writers)]
    sinks[0].prepare([spec])
    if stored is not None:
        database.execute(
            "insert into raw.kafka_offsets values ('race', %s, 0, %s, now())", [CDR_TOPIC, stored]
        )
    decoded_fields = (None,) * len(spec.columns)
    batch = Batch(
        rows={CDR_TOPIC: [(CDR_TOPIC, 0, offset, None, 0, *decoded_fields)
                          for offset in range(start, start + 50)]},
        next_offsets={(CDR_TOPIC, 0): start + 50},
    )  # fmt: skip
    outcomes: list[str] = []
    ready = threading.Barrier(writers)

    def write(sink: PostgresSink) -> None:
        sink.prepare([spec])
        ready.wait()
        try:
            sink.write("race", batch, {(CDR_TOPIC, 0): start})
            outcomes.append("landed")
        except StaleBatchError:
            outcomes.append("stale")

    threads = [threading.Thread(target=write, args=(sink,)) for sink in sinks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    for sink in sinks:
        sink.close()

    assert sorted(outcomes) == ["landed"] + ["stale"] * (writers - 1)
    assert database.query("select count(*), min(kafka_offset) from raw.kafka_telecom_cdrs") == [
        (50, start)
    ]
    assert database.query("select next_offset from raw.kafka_offsets") == [(start + 50,)]


def test_sigkill_at_random_moments_lands_every_message_exactly_once(
    broker: KafkaBroker, database: Database, tmp_path: Path
) -> None:
    kills_wanted = 10
    rng = random.Random(20260102)
    log_path = tmp_path / "extractor.log"
    publisher = Publisher(broker, per_burst=100, pause_s=0.3)
    publisher.start()

    progress = []
    command = extractor_command(
        broker, database, "crash", "--follow", consumer_settings=CRASH_CONSUMER_SETTINGS
    )
    for _ in range(kills_wanted):
        # Mid-fetch, mid-decode, mid-COPY or between batches.
        kill_once_assigned(lambda: spawn(command, log_path), log_path, rng.uniform(0.3, 2.0))
        progress.append(landed(database)[0])
    # Publishing went on through every kill; only now does it stop.
    publisher.stop()
    publisher.join(timeout=60)
    assert publisher.failed == 0

    drain(broker, database, "crash", log_path, CRASH_CONSUMER_SETTINGS)
    total, distinct, dead = landed(database)
    log.info("kills %d, published %d, landed %d (distinct %d), landed after each kill %s",
             kills_wanted, publisher.delivered_count, total, distinct, progress)  # fmt: skip
    assert dead == 0
    assert publisher.delivered_count > progress[-1] > 0
    assert total == distinct == publisher.delivered_count
    assert offsets_match_rows(database, CDR_TOPIC)
    # The kills hit a process that was landing, not only ones still starting up.
    assert len(set(progress)) >= 4, progress


def test_two_extractors_in_one_group_land_concurrently_and_once(
    broker: KafkaBroker, database: Database, tmp_path: Path
) -> None:
    publisher = Publisher(broker, per_burst=60, pause_s=0.1)
    publisher.start()
    # Both start at once on an empty database: their `prepare` runs race too.
    command = extractor_command(broker, database, "scale", "--follow")
    logs = [tmp_path / "first.log", tmp_path / "second.log"]
    processes = [spawn(command, path) for path in logs]
    deadline = time.monotonic() + 30
    while not all(assignments_logged(path) for path in logs) and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(4.0)  # both members land side by side
    publisher.stop()
    publisher.join(timeout=60)
    deadline = time.monotonic() + 30
    while landed(database)[0] < publisher.delivered_count and time.monotonic() < deadline:
        time.sleep(0.2)
    for process in processes:
        process.send_signal(signal.SIGTERM)
    for process, path in zip(processes, logs, strict=True):
        assert process.wait(timeout=60) == 0, path.read_text()[-3000:]
    done = [json.loads(path.read_text().rsplit("done: ", 1)[1].splitlines()[0]) for path in logs]

    total, distinct, dead = landed(database)
    assert publisher.failed == 0
    assert total == distinct == publisher.delivered_count > 0
    assert sum(summary["messages"] for summary in done) == publisher.delivered_count
    assert dead == 0
    assert all(summary["messages"] > 0 for summary in done), done
    assert offsets_match_rows(database, CDR_TOPIC)

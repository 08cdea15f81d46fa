"""Throughput of the Kafka speed path: Debezium events from a real broker into DuckDB.

Publishes N change events (shop.public.order_items, precise decimals, micro-timestamps)
to a throwaway Tansu broker, lands them with the extractor in this process (one core)
and prints messages/s end to end, the split between fetch, decode and write, and the CPU
the process used (librdkafka's threads included; not the broker's, a separate process on
the same machine). Usage:
    python -m benchmarks.bench_kafka --messages 1000000
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import time
from pathlib import Path

from confluent_kafka import Producer

from extract.kafka.config import ExtractorConfig
from extract.kafka.consumer import RunStats
from extract.kafka.runner import land
from tools.kafka_broker import LOCAL_CONSUMER_SETTINGS, running_broker
from tools.kafka_publish import encode_decimal, encode_micro_timestamp

log = logging.getLogger("benchmarks.bench_kafka")
GOAL_MSG_PER_S = 250_000
TOPIC = "shop.public.order_items"
# An unwrapped Debezium envelope as the connector writes it; filled by str.format, since
# json.dumps per message would make publishing, not landing, the slow part.
TEMPLATE = (
    '{{"before":null,"after":{{"order_item_id":{id},"order_id":{order},"product_id":{product},'
    '"quantity":{quantity},"unit_price_eur":"{price}","created_at":{created}}},'
    '"source":{{"version":"2.7.0.Final","connector":"postgresql","name":"shop",'
    '"ts_ms":{ts},"snapshot":"false","db":"shop","schema":"public","table":"order_items",'
    '"txId":{tx},"lsn":{lsn}}},"op":"c","ts_ms":{ts}}}'
)


def publish(bootstrap_servers: str, messages: int) -> float:
    """Publish `messages` change events; return seconds taken."""
    producer = Producer(
        {
            "bootstrap.servers": bootstrap_servers,
            "linger.ms": "50",
            "batch.num.messages": "10000",
            "queue.buffering.max.messages": "1000000",
            "compression.type": "none",
        }
    )
    prices = [encode_decimal(f"{cents / 100:.2f}", 2) for cents in range(100, 100_100, 997)]
    created = encode_micro_timestamp("2026-01-01 00:00:00")
    began = time.perf_counter()
    for number in range(1, messages + 1):
        value = TEMPLATE.format(
            id=number, order=number // 3, product=number % 500, quantity=1 + number % 3,
            price=prices[number % len(prices)], created=created + number * 1_000_000,
            ts=1_767_225_600_000 + number, tx=number // 3, lsn=1_000_000 + 64 * number,
        )  # fmt: skip
        key = b'{"order_item_id":%d}' % number
        while True:
            try:
                producer.produce(TOPIC, key=key, value=value)
                break
            except BufferError:
                producer.poll(0.05)
    producer.flush()
    return time.perf_counter() - began


def report(target: str, stats: RunStats, publish_s: float, finished: float, cpu_s: float) -> None:
    """The throughput report of one landing run (shared with bench_kafka_postgres)."""
    first = stats.first_message_at if stats.first_message_at is not None else stats.started
    join_s = first - stats.started
    steady_s = finished - first
    # consume() time includes waiting for the group join and, once caught up, the empty
    # polls that confirm it; count both apart.
    fetch_s = max(stats.fetch_s - join_s - stats.idle_s, 0.0)
    work_s = fetch_s + stats.decode_s + stats.write_s
    out = sys.stdout
    out.write(
        f"\nkafka speed path into {target}: {stats.messages:,} Debezium events,"
        f" {stats.batches} batches\n"
    )
    out.write(
        f"  publish         {publish_s:8.2f} s   {stats.messages / publish_s:>10,.0f} msg/s\n"
    )
    out.write(f"  group join      {join_s:8.2f} s   (broker waits session.timeout.ms / 2)\n")
    out.write(f"  land (e2e)      {steady_s:8.2f} s   {stats.messages / steady_s:>10,.0f} msg/s\n")
    for label, seconds in (
        ("fetch", fetch_s),
        ("decode", stats.decode_s),
        ("write", stats.write_s),
    ):
        out.write(
            f"    {label:<12}  {seconds:8.2f} s   {stats.messages / seconds:>10,.0f} msg/s"
            f"   {seconds / work_s:5.0%}\n"
        )
    out.write(f"    empty polls   {stats.idle_s:8.2f} s   (the polls that find it caught up)\n")
    out.write(
        f"  cpu             {cpu_s:8.2f} s   {cpu_s / stats.messages * 1e6:>10.1f} µs a message,"
        f" {cpu_s / steady_s:.2f} cores while landing (this process)\n"
    )
    out.write(f"  goal: {GOAL_MSG_PER_S:,} msg/s on one core\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--messages", type=int, default=1_000_000, help="events to publish (%(default)s)"
    )
    parser.add_argument(
        "--batch-size", type=int, default=200_000, help="messages per batch (%(default)s)"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)

    with running_broker() as broker, tempfile.TemporaryDirectory(prefix="bench-kafka-") as root:
        publish_s = publish(broker.bootstrap_servers, args.messages)
        warehouse = Path(root) / "warehouse.duckdb"
        config = ExtractorConfig(
            bootstrap_servers=broker.bootstrap_servers,
            topics=(TOPIC,),
            group_id="bench",
            duckdb_path=warehouse,
            batch_size=args.batch_size,
            batch_age_s=5.0,
            progress_interval_s=3600,
            kafka_settings=dict(LOCAL_CONSUMER_SETTINGS),
        )
        cpu_began = time.process_time()
        stats = land(config)
        finished = time.perf_counter()
        cpu_s = time.process_time() - cpu_began

    if stats.messages != args.messages:
        raise SystemExit(f"landed {stats.messages} of {args.messages} messages")
    report("DuckDB", stats, publish_s, finished, cpu_s)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

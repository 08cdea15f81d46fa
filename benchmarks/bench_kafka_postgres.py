"""Throughput of the Kafka speed path into PostgreSQL: Debezium events from a real broker,
landed with binary COPY into a throwaway cluster.

Publishes N change events (shop.public.order_items, as benchmarks/bench_kafka.py does) to
a throwaway Tansu broker, lands them with the extractor in this process into a fresh local
PostgreSQL cluster (fsync off, as the tests run it) and prints messages/s end to end and
the split between fetch, decode and write. Broker, server and extractor share the
machine's cores. Usage:
    python -m benchmarks.bench_kafka_postgres --messages 1000000
"""

from __future__ import annotations

import argparse
import logging
import sys
import time

from benchmarks.bench_kafka import TOPIC, publish
from extract.kafka.broker import LOCAL_CONSUMER_SETTINGS, running_broker
from extract.kafka.config import ExtractorConfig
from extract.kafka.consumer import RunStats
from extract.kafka.runner import land
from tests.postgres_cluster import PostgresCluster, throwaway_cluster

log = logging.getLogger("benchmarks.bench_kafka_postgres")
GOAL_MSG_PER_S = 250_000


def land_into(cluster: PostgresCluster, bootstrap_servers: str, batch_size: int) -> RunStats:
    config = ExtractorConfig(
        bootstrap_servers=bootstrap_servers,
        topics=(TOPIC,),
        group_id="bench",
        target="postgres",
        pg_host=cluster.host,
        pg_port=cluster.port,
        pg_user=cluster.superuser,
        pg_database="postgres",
        batch_size=batch_size,
        batch_age_s=5.0,
        progress_interval_s=3600,
        kafka_settings=dict(LOCAL_CONSUMER_SETTINGS),
    )
    return land(config)


def report(stats: RunStats, publish_s: float, finished: float) -> None:
    first = stats.first_message_at if stats.first_message_at is not None else stats.started
    join_s = first - stats.started
    steady_s = finished - first
    # consume() time includes waiting for the group join; count it apart.
    fetch_s = max(stats.fetch_s - join_s, 0.0)
    work_s = fetch_s + stats.decode_s + stats.write_s
    out = sys.stdout
    out.write(
        f"\nkafka speed path into PostgreSQL: {stats.messages:,} Debezium events, "
        f"{stats.batches} batches\n"
    )
    out.write(
        f"  publish         {publish_s:8.2f} s   {stats.messages / publish_s:>10,.0f} msg/s\n"
    )
    out.write(f"  group join      {join_s:8.2f} s   (broker waits session.timeout.ms / 2)\n")
    out.write(f"  land (e2e)      {steady_s:8.2f} s   {stats.messages / steady_s:>10,.0f} msg/s\n")
    for label, seconds in (
        ("fetch", fetch_s),
        ("decode", stats.decode_s),
        ("write (COPY)", stats.write_s),
    ):
        out.write(
            f"    {label:<12}  {seconds:8.2f} s   {stats.messages / seconds:>10,.0f} msg/s"
            f"   {seconds / work_s:5.0%}\n"
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

    with running_broker() as broker, throwaway_cluster() as cluster:
        publish_s = publish(broker.bootstrap_servers, args.messages)
        stats = land_into(cluster, broker.bootstrap_servers, args.batch_size)
        finished = time.perf_counter()

    if stats.messages != args.messages:
        raise SystemExit(f"landed {stats.messages} of {args.messages} messages")
    report(stats, publish_s, finished)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

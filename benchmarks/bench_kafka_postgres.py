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
import time

from benchmarks.bench_kafka import TOPIC, publish, report
from extract.kafka.config import ExtractorConfig
from extract.kafka.consumer import RunStats
from extract.kafka.runner import land
from tools.kafka_broker import LOCAL_CONSUMER_SETTINGS, running_broker
from tools.postgres_cluster import PostgresCluster, throwaway_cluster

log = logging.getLogger("benchmarks.bench_kafka_postgres")


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
        cpu_began = time.process_time()
        stats = land_into(cluster, broker.bootstrap_servers, args.batch_size)
        finished = time.perf_counter()
        cpu_s = time.process_time() - cpu_began

    if stats.messages != args.messages:
        raise SystemExit(f"landed {stats.messages} of {args.messages} messages")
    report("PostgreSQL (COPY)", stats, publish_s, finished, cpu_s)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

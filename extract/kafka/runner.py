"""Run the extractor once against the configured warehouse: the one place that opens a
sink, drains or follows the topics, and closes the sink whatever happens."""

from __future__ import annotations

import dataclasses
import logging
import threading

from confluent_kafka import Consumer

from extract.kafka.config import ExtractorConfig
from extract.kafka.consumer import Extractor, RunStats
from extract.kafka.sink import Sink
from extract.kafka.sink_duckdb import DuckDBSink
from extract.kafka.sink_postgres import PostgresSink, postgres_conninfo
from extract.kafka.topics import resolve

log = logging.getLogger(__name__)

METADATA_TIMEOUT_S = 30.0


def make_sink(config: ExtractorConfig) -> Sink:
    if config.target == "duckdb":
        return DuckDBSink(config.duckdb_path, config.release_between_batches)
    if config.target == "postgres":
        conninfo = postgres_conninfo(
            config.pg_host, config.pg_port, config.pg_user, config.pg_password, config.pg_database
        )
        return PostgresSink(conninfo)
    raise ValueError(f"unknown target {config.target!r}")


def topics_on_broker(config: ExtractorConfig) -> tuple[str, ...]:
    """The configured topics the cluster has now (a subscription to a topic that does not
    exist yet gets no partitions, so "caught up" would never be decided)."""
    probe = Consumer(config.consumer_settings())
    try:
        listed = probe.list_topics(timeout=METADATA_TIMEOUT_S).topics
    finally:
        probe.close()
    return tuple(topic for topic in config.topics if topic in listed)


def land(config: ExtractorConfig, stop: threading.Event | None = None) -> RunStats:
    """Land until caught up (or, with `config.follow`, until `stop` is set)."""
    sink = make_sink(config)
    try:
        if not config.follow:
            present = topics_on_broker(config)
            missing = sorted(set(config.topics) - set(present))
            if missing:
                log.info("not on the broker yet, nothing to land from: %s", ", ".join(missing))
            if not present:
                sink.prepare(resolve(list(config.topics)))
                return RunStats()
            config = dataclasses.replace(config, topics=present)
        return Extractor(config, sink).run(stop or threading.Event())
    finally:
        sink.close()

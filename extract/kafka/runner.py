"""Run the extractor once against the configured warehouse: the one place that opens a
sink, drains or follows the topics, and closes the sink whatever happens."""

from __future__ import annotations

import threading

from extract.kafka.config import ExtractorConfig
from extract.kafka.consumer import Extractor, RunStats
from extract.kafka.sink import Sink
from extract.kafka.sink_duckdb import DuckDBSink


def make_sink(config: ExtractorConfig) -> Sink:
    if config.target == "duckdb":
        return DuckDBSink(config.duckdb_path, config.release_between_batches)
    raise ValueError(f"unknown target {config.target!r}")


def land(config: ExtractorConfig, stop: threading.Event | None = None) -> RunStats:
    """Land until caught up (or, with `config.follow`, until `stop` is set)."""
    sink = make_sink(config)
    try:
        return Extractor(config, sink).run(stop or threading.Event())
    finally:
        sink.close()

"""Configuration of one extractor run, built by the CLI and passed in (no globals)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

# librdkafka settings the extractor relies on; the user's `--kafka-config` cannot
# override them because exactly-once depends on them (offsets live in the warehouse).
FIXED_CONSUMER_SETTINGS: dict[str, str] = {
    "enable.auto.commit": "false",
    "enable.auto.offset.store": "false",
}
# Defaults tuned for throughput; any of them can be overridden with --kafka-config.
DEFAULT_CONSUMER_SETTINGS: dict[str, str] = {
    "auto.offset.reset": "earliest",
    "max.partition.fetch.bytes": str(8 << 20),
    "fetch.max.bytes": str(64 << 20),
    "queued.max.messages.kbytes": str(256 << 10),
    # Once a partition's local queue holds queued.min.messages, librdkafka postpones its
    # next fetch by fetch.queue.backoff.ms (1 s by default). A batch drains that queue in
    # a fraction of a second, so the default left the loop waiting on an empty queue for
    # about a third of a 1M-event run.
    "fetch.queue.backoff.ms": "20",
    "log_level": "3",
}


def parse_settings(pairs: list[str]) -> dict[str, str]:
    """`key=value` strings (librdkafka settings such as `security.protocol=SASL_SSL`)."""
    settings: dict[str, str] = {}
    for pair in pairs:
        key, separator, value = pair.partition("=")
        if not separator or not key.strip():
            raise ValueError(f"--kafka-config expects key=value, got {pair!r}")
        settings[key.strip()] = value.strip()
    return settings


@dataclass(frozen=True)
class ExtractorConfig:
    bootstrap_servers: str
    topics: tuple[str, ...]
    group_id: str
    target: str = "duckdb"
    duckdb_path: Path = Path("warehouse.duckdb")
    # Open the DuckDB file per batch so several extractor processes can share it.
    release_between_batches: bool = False
    # PostgreSQL target; the same defaults as profiles.yml. No password default: it comes
    # from the environment (or libpq's PGPASSWORD / ~/.pgpass), and stays out of repr().
    pg_host: str = "127.0.0.1"
    pg_port: int = 5432
    pg_user: str = "telestream"
    pg_password: str | None = field(default=None, repr=False)
    pg_database: str = "warehouse"
    follow: bool = False  # False: --until-caught-up
    batch_size: int = 100_000
    batch_age_s: float = 1.0
    progress_interval_s: float = 5.0
    # Empty polls in a row (with cached watermarks reached) before "caught up".
    idle_polls: int = 2
    poll_timeout_s: float = 0.5
    kafka_settings: dict[str, str] = field(default_factory=dict)

    def consumer_settings(self) -> dict[str, str]:
        """The librdkafka configuration: defaults < user's settings < what correctness needs."""
        return {
            **DEFAULT_CONSUMER_SETTINGS,
            "bootstrap.servers": self.bootstrap_servers,
            "group.id": self.group_id,
            **self.kafka_settings,
            **FIXED_CONSUMER_SETTINGS,
        }

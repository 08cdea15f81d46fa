"""What the extractor needs from a warehouse, so that targets (DuckDB, later PostgreSQL)
plug in behind one small interface."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from extract.kafka.topics import TopicSpec

# (topic, partition)
TopicPartitionKey = tuple[str, int]


class StaleBatchError(RuntimeError):
    """The warehouse's offsets moved past where a batch started (another consumer landed it)."""


@dataclass(frozen=True)
class DeadLetter:
    topic: str
    partition: int
    offset: int
    key: str | None
    payload: str | None
    reason: str


@dataclass
class Batch:
    """One micro-batch: rows per topic, dead letters, and the next offset per partition.

    `rows[topic]` holds tuples in the raw table's column order (see `raw_columns`).
    """

    rows: dict[str, list[tuple[Any, ...]]] = field(default_factory=dict)
    dead_letters: list[DeadLetter] = field(default_factory=list)
    next_offsets: dict[TopicPartitionKey, int] = field(default_factory=dict)
    skipped: int = 0  # messages consumed that are not row changes (nothing lands)

    @property
    def messages(self) -> int:
        return sum(len(rows) for rows in self.rows.values()) + len(self.dead_letters) + self.skipped

    def is_empty(self) -> bool:
        return not self.next_offsets


class Sink(Protocol):
    """A warehouse target. `write` must be atomic: rows, dead letters and offsets commit
    together or not at all; that is the whole of the exactly-once guarantee."""

    def prepare(self, specs: list[TopicSpec]) -> None:
        """Create the raw, offsets and dead-letter tables if missing."""

    def stored_offsets(
        self, group: str, partitions: list[TopicPartitionKey]
    ) -> dict[TopicPartitionKey, int]:
        """The next offset to read per partition, for those the warehouse has seen."""

    def write(self, group: str, batch: Batch, starts: dict[TopicPartitionKey, int]) -> None:
        """Land one batch in one transaction.

        `starts` holds, per partition, the offset the batch began at: the stored offset
        must still be that (or absent), else `StaleBatchError` and nothing is written.
        """

    def close(self) -> None: ...


def raw_columns(spec: TopicSpec) -> tuple[tuple[str, str], ...]:
    """(name, SQL type) of a topic's raw table, in row-tuple order; decoded fields are text."""
    columns = [
        ("kafka_topic", "text"),
        ("kafka_partition", "integer"),
        ("kafka_offset", "bigint"),
        ("kafka_key", "text"),
        ("kafka_timestamp_ms", "bigint"),
    ]
    if spec.format == "debezium":
        columns += [
            ("op", "text"),
            ("lsn", "bigint"),
            ("tx_id", "bigint"),
            ("source_ts_ms", "bigint"),
            ("snapshot", "text"),
            ("event_ts_ms", "bigint"),
        ]
    columns += [(column.name, "text") for column in spec.columns]
    return tuple(columns)

"""DuckDB target: each batch's rows, dead letters and offsets in one transaction.

Bulk path: executemany on a prepared INSERT manages ~4k rows/s and binding Python lists to
`unnest(?)` is slower still, while DuckDB's CSV reader ingests hundreds of thousands of
rows per second. So a batch's rows per table are written with the C `csv` module to a
scratch file (tmpfs when there is one) and inserted with `read_csv`, inside the same
transaction as the offsets. NULL travels as `\\N` (unquoted); every text value is quoted,
so an empty string stays an empty string.
"""

from __future__ import annotations

import csv
import logging
import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

import duckdb

from extract.kafka.sink import Batch, StaleBatchError, TopicPartitionKey, raw_columns
from extract.kafka.topics import TopicSpec

log = logging.getLogger(__name__)

NULL_MARK = "\\N"
LOCK_RETRY_S = 60.0


class _NullMarkedWriter:
    """csv.writer that writes None as an unquoted `\\N` and quotes every string."""

    def __init__(self, handle: Any) -> None:
        # QUOTE_NONNUMERIC quotes every string and leaves numbers bare; in Python 3.11 it
        # would also quote None as "", so rows with None are rewritten to the marker first.
        self._writer = csv.writer(handle, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\n")
        self._null = _Unquoted()

    def writerows(self, rows: list[tuple[Any, ...]]) -> None:
        null = self._null
        writerow = self._writer.writerow
        for row in rows:
            if None in row:
                row = tuple(null if value is None else value for value in row)
            writerow(row)


class _Unquoted(float):
    """A number to csv (never quoted) whose text is the NULL marker."""

    def __new__(cls) -> _Unquoted:
        return super().__new__(cls, 0.0)

    def __repr__(self) -> str:
        return NULL_MARK

    __str__ = __repr__


class DuckDBSink:
    """Lands batches into `raw` of a DuckDB file.

    DuckDB allows one writer process per file. With `release_between_batches` the file is
    opened per batch and closed after it, so several extractor processes (one consumer
    group) can take turns; otherwise the connection is held for speed.
    """

    def __init__(self, path: Path, release_between_batches: bool = False) -> None:
        self._path = path
        self._release = release_between_batches
        self._connection: duckdb.DuckDBPyConnection | None = None
        self._specs: dict[str, TopicSpec] = {}
        scratch_root = "/dev/shm" if os.path.isdir("/dev/shm") else None
        self._scratch = Path(tempfile.mkdtemp(prefix="kafka-extract-", dir=scratch_root))

    # ---------- connection

    def _connect(self) -> duckdb.DuckDBPyConnection:
        if self._connection is not None:
            return self._connection
        deadline = time.monotonic() + LOCK_RETRY_S
        while True:
            try:
                self._connection = duckdb.connect(str(self._path))
                return self._connection
            except duckdb.IOException as error:
                # Another extractor of the group holds the file: wait for its batch.
                if "lock" not in str(error).lower() or time.monotonic() > deadline:
                    raise
                time.sleep(0.02)

    def _release_connection(self) -> None:
        if self._release and self._connection is not None:
            self._connection.close()
            self._connection = None

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None
        shutil.rmtree(self._scratch, ignore_errors=True)

    # ---------- schema

    def prepare(self, specs: list[TopicSpec]) -> None:
        self._specs = {spec.topic: spec for spec in specs}
        connection = self._connect()
        try:
            connection.execute("create schema if not exists raw")
            for spec in specs:
                columns = ", ".join(f"{name} {kind}" for name, kind in raw_columns(spec))
                connection.execute(
                    f"create table if not exists raw.{spec.raw_table} ({columns}, "
                    "_landed_at timestamp default current_timestamp)"
                )
            connection.execute(
                "create table if not exists raw.kafka_offsets (consumer_group text, topic text,"
                ' "partition" integer, next_offset bigint, updated_at timestamp,'
                ' primary key (consumer_group, topic, "partition"))'
            )
            connection.execute(
                "create table if not exists raw.kafka_dead_letters (consumer_group text,"
                ' topic text, "partition" integer, "offset" bigint, key text, payload text,'
                " reason text, failed_at timestamp default current_timestamp)"
            )
        finally:
            self._release_connection()

    # ---------- offsets

    def stored_offsets(
        self, group: str, partitions: list[TopicPartitionKey]
    ) -> dict[TopicPartitionKey, int]:
        wanted = set(partitions)
        connection = self._connect()
        try:
            found = connection.execute(
                'select topic, "partition", next_offset from raw.kafka_offsets'
                " where consumer_group = ?",
                [group],
            ).fetchall()
        finally:
            self._release_connection()
        return {(t, p): o for t, p, o in found if (t, p) in wanted}

    # ---------- batches

    def write(self, group: str, batch: Batch, starts: dict[TopicPartitionKey, int]) -> None:
        files = {topic: self._spill(topic, rows) for topic, rows in batch.rows.items() if rows}
        connection = self._connect()
        try:
            connection.execute("begin transaction")
            try:
                self._check_starts(connection, group, starts)
                for topic, path in files.items():
                    self._insert_file(connection, self._specs[topic], path)
                if batch.dead_letters:
                    connection.executemany(
                        "insert into raw.kafka_dead_letters (consumer_group, topic, "
                        '"partition", "offset", key, payload, reason) '
                        "values (?, ?, ?, ?, ?, ?, ?)",
                        [
                            (group, d.topic, d.partition, d.offset, d.key, d.payload, d.reason)
                            for d in batch.dead_letters
                        ],
                    )
                connection.executemany(
                    'insert into raw.kafka_offsets (consumer_group, topic, "partition",'
                    " next_offset, updated_at) values (?, ?, ?, ?, current_timestamp)"
                    ' on conflict (consumer_group, topic, "partition") do update set'
                    " next_offset = excluded.next_offset, updated_at = excluded.updated_at",
                    [(group, t, p, o) for (t, p), o in batch.next_offsets.items()],
                )
                connection.execute("commit")
            except BaseException:
                connection.execute("rollback")
                raise
        finally:
            self._release_connection()
            for path in files.values():
                path.unlink(missing_ok=True)

    @staticmethod
    def _check_starts(
        connection: duckdb.DuckDBPyConnection, group: str, starts: dict[TopicPartitionKey, int]
    ) -> None:
        stored = connection.execute(
            'select topic, "partition", next_offset from raw.kafka_offsets'
            " where consumer_group = ?",
            [group],
        ).fetchall()
        moved = [
            f"{t}[{p}] at {o}, batch began at {starts[(t, p)]}"
            for t, p, o in stored
            if (t, p) in starts and o != starts[(t, p)]
        ]
        if moved:
            raise StaleBatchError("warehouse offsets moved: " + "; ".join(moved))

    def _spill(self, topic: str, rows: list[tuple[Any, ...]]) -> Path:
        path = self._scratch / f"{self._specs[topic].raw_table}.csv"
        with path.open("w", newline="", encoding="utf-8", buffering=1 << 20) as handle:
            _NullMarkedWriter(handle).writerows(rows)
        return path

    @staticmethod
    def _insert_file(connection: duckdb.DuckDBPyConnection, spec: TopicSpec, path: Path) -> None:
        columns = raw_columns(spec)
        names = ", ".join(name for name, _ in columns)
        types = ", ".join(f"'{name}': '{kind}'" for name, kind in columns)
        connection.execute(
            f"insert into raw.{spec.raw_table} ({names}) select * from read_csv(?,"
            f" columns = {{{types}}}, header = false, delim = ',', quote = '\"',"
            " escape = '\"', nullstr = '\\N', allow_quoted_nulls = false,"
            " auto_detect = false, new_line = '\\n')",
            [str(path)],
        )

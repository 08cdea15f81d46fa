"""Load one delivered file into a raw table with the engine, in one transaction.

Each delivery is landed together with its row in the ledger `raw.landed_files`, in the
same transaction: a kill at any moment leaves the delivery either wholly landed and in
the ledger, or not at all; a rerun skips the deliveries the ledger already has. Raw is
append-only: every row keeps the file it came from (`_sdc_filename`), its delivery
(`_sdc_delivery_id`) and the load time (`_sdc_batched_at`). A row the contract's dialect
cannot split into the header's fields lands with null data columns, its line number,
raw text and the parse error (`_sdc_line_number`, `_sdc_raw_line`, `_sdc_parse_error`),
for staging to reject.
"""

from __future__ import annotations

import logging
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

import duckdb

from extract.landing.dialect import read_csv_sql

log = logging.getLogger("extract.landing.loaders")

LEDGER = "landed_files"
# The metadata columns after the contract's, with their types (all engines).
METADATA_COLUMNS: dict[str, str] = {
    "_sdc_filename": "varchar",
    "_sdc_batched_at": "timestamp",
    "_sdc_delivery_id": "varchar",
    "_sdc_line_number": "bigint",
    "_sdc_parse_error": "varchar",
    "_sdc_raw_line": "varchar",
}
LEDGER_COLUMNS = (
    "table_name varchar not null, delivery_id varchar not null, file_name varchar not null, "
    "row_count bigint not null, malformed_rows bigint not null, landed_at timestamp not null, "
    "primary key (table_name, delivery_id)"
)
REJECTS_TABLE, REJECTS_SCAN = "bulk_rejects", "bulk_reject_scans"


@dataclass(frozen=True)
class Delivery:
    table: str
    delivery_id: str
    path: Path


@dataclass(frozen=True)
class LoadResult:
    rows: int
    malformed_rows: int
    seconds: float
    skipped: bool = False


class Loader(Protocol):
    def ensure_table(self, table: str, columns: list[str]) -> None: ...

    def load(self, delivery: Delivery, columns: list[str]) -> LoadResult: ...

    def close(self) -> None: ...


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _select_clean(delivery: Delivery, columns: list[str], batched_at: datetime) -> str:
    data = ", ".join(_ident(column) for column in columns)
    return (
        f"select {data}, $filename, cast($batched_at as timestamp), $delivery_id, "
        f"cast(null as bigint), cast(null as varchar), cast(null as varchar) "
        f"from {read_csv_sql(delivery.path, columns, REJECTS_TABLE, REJECTS_SCAN)}"
    )


def _select_malformed(columns: list[str]) -> str:
    """One row per line the parser set aside (a line may carry several errors)."""
    nulls = ", ".join("cast(null as varchar)" for _ in columns)
    return (
        f"select {nulls}, $filename, cast($batched_at as timestamp), $delivery_id, "
        f"cast(line as bigint), lower(cast(min(error_type) as varchar)), min(csv_line) "
        f"from temp.{REJECTS_TABLE} group by line order by line"
    )


def _parameters(delivery: Delivery, batched_at: datetime) -> dict[str, object]:
    return {
        "filename": str(delivery.path),
        "batched_at": batched_at.replace(tzinfo=None),
        "delivery_id": delivery.delivery_id,
    }


def _drop_rejects(connection: duckdb.DuckDBPyConnection) -> None:
    connection.execute(f"drop table if exists temp.{REJECTS_TABLE}")
    connection.execute(f"drop table if exists temp.{REJECTS_SCAN}")


class DuckDBLoader:
    """Into a DuckDB file: `read_csv` straight into the raw table."""

    def __init__(self, path: Path, schema: str = "raw", threads: int | None = None) -> None:
        self.schema = schema
        self.connection = duckdb.connect(str(path))
        if threads:
            self.connection.execute(f"set threads = {int(threads)}")
        self.connection.execute(f"create schema if not exists {_ident(schema)}")
        self.connection.execute(
            f"create table if not exists {_ident(schema)}.{LEDGER} ({LEDGER_COLUMNS})"
        )

    def ensure_table(self, table: str, columns: list[str]) -> None:
        relation = f"{_ident(self.schema)}.{_ident(table)}"
        definitions = [f"{_ident(column)} varchar" for column in columns] + [
            f"{_ident(name)} {kind}" for name, kind in METADATA_COLUMNS.items()
        ]
        self.connection.execute(f"create table if not exists {relation} ({', '.join(definitions)})")
        for definition in definitions:
            self.connection.execute(f"alter table {relation} add column if not exists {definition}")

    def load(self, delivery: Delivery, columns: list[str]) -> LoadResult:
        began = time.perf_counter()
        connection = self.connection
        relation = f"{_ident(self.schema)}.{_ident(delivery.table)}"
        target_columns = ", ".join(_ident(c) for c in [*columns, *METADATA_COLUMNS])
        batched_at = datetime.now(UTC)
        parameters = _parameters(delivery, batched_at)
        connection.execute("begin transaction")
        try:
            landed = _count(
                connection.execute(
                    f"select count(*) from {_ident(self.schema)}.{LEDGER} "
                    "where table_name = ? and delivery_id = ?",
                    [delivery.table, delivery.delivery_id],
                )
            )
            if landed:
                connection.execute("rollback")
                return LoadResult(0, 0, time.perf_counter() - began, skipped=True)
            _drop_rejects(connection)
            rows = _count(
                connection.execute(
                    f"insert into {relation} ({target_columns}) "
                    f"{_select_clean(delivery, columns, batched_at)}",
                    parameters,
                )
            )
            malformed = _count(
                connection.execute(
                    f"insert into {relation} ({target_columns}) {_select_malformed(columns)}",
                    parameters,
                )
            )
            connection.execute(
                f"insert into {_ident(self.schema)}.{LEDGER} values (?, ?, ?, ?, ?, ?)",
                [
                    delivery.table,
                    delivery.delivery_id,
                    delivery.path.name,
                    rows + malformed,
                    malformed,
                    batched_at.replace(tzinfo=None),
                ],
            )
            connection.execute("commit")
        except BaseException:
            connection.execute("rollback")
            raise
        return LoadResult(rows + malformed, malformed, time.perf_counter() - began)

    def close(self) -> None:
        self.connection.close()


def _count(cursor: duckdb.DuckDBPyConnection) -> int:
    """The single integer a count or insert statement returns."""
    row = cursor.fetchone()
    if row is None:
        raise RuntimeError("the statement returned no row")
    return int(row[0])


class PostgresLoader:
    """Into PostgreSQL: DuckDB parses with the contract's dialect and writes plain CSV,
    which `COPY ... FROM STDIN` streams into the raw table."""

    def __init__(self, conninfo: str, schema: str = "raw", work_dir: Path | None = None) -> None:
        import psycopg  # only the postgres engine needs it

        self.schema = schema
        self.work_dir = work_dir
        self.connection = psycopg.connect(conninfo, autocommit=False)
        self.parser = duckdb.connect()
        with self.connection.transaction():
            self.connection.execute(f"create schema if not exists {_ident(schema)}")
            self.connection.execute(
                f"create table if not exists {_ident(schema)}.{LEDGER} "
                f"({LEDGER_COLUMNS.replace('varchar', 'text')})"
            )

    def ensure_table(self, table: str, columns: list[str]) -> None:
        relation = f"{_ident(self.schema)}.{_ident(table)}"
        definitions = [f"{_ident(column)} text" for column in columns] + [
            f"{_ident(name)} {kind.replace('varchar', 'text')}"
            for name, kind in METADATA_COLUMNS.items()
        ]
        with self.connection.transaction():
            self.connection.execute(
                f"create table if not exists {relation} ({', '.join(definitions)})"
            )
            for definition in definitions:
                self.connection.execute(
                    f"alter table {relation} add column if not exists {definition}"
                )

    def _write_csv(self, select: str, parameters: dict[str, object], path: Path) -> int:
        return _count(
            self.parser.execute(
                f"copy ({select}) to '{path}' (format csv, header false)", parameters
            )
        )

    def _copy(self, relation: str, target_columns: str, path: Path) -> None:
        with (
            self.connection.cursor() as cursor,
            cursor.copy(f"copy {relation} ({target_columns}) from stdin (format csv)") as copy,
            path.open("rb") as handle,
        ):
            while chunk := handle.read(1 << 20):
                copy.write(chunk)

    def load(self, delivery: Delivery, columns: list[str]) -> LoadResult:
        began = time.perf_counter()
        relation = f"{_ident(self.schema)}.{_ident(delivery.table)}"
        target_columns = ", ".join(_ident(c) for c in [*columns, *METADATA_COLUMNS])
        batched_at = datetime.now(UTC)
        parameters = _parameters(delivery, batched_at)
        ledger = f"{_ident(self.schema)}.{LEDGER}"
        with self.connection.transaction():
            landed = self.connection.execute(
                f"select 1 from {ledger} where table_name = %s and delivery_id = %s",
                [delivery.table, delivery.delivery_id],
            ).fetchone()
        if landed:
            return LoadResult(0, 0, time.perf_counter() - began, skipped=True)
        with tempfile.TemporaryDirectory(prefix="target-bulk-", dir=self.work_dir) as scratch:
            clean_path, malformed_path = Path(scratch, "clean.csv"), Path(scratch, "bad.csv")
            _drop_rejects(self.parser)
            rows = self._write_csv(
                _select_clean(delivery, columns, batched_at), parameters, clean_path
            )
            malformed = self._write_csv(_select_malformed(columns), parameters, malformed_path)
            with self.connection.transaction():
                # The ledger row first: a concurrent loader of the same delivery waits on
                # its key, then finds it landed.
                inserted = self.connection.execute(
                    f"insert into {ledger} values (%s, %s, %s, %s, %s, %s) "
                    "on conflict do nothing returning delivery_id",
                    [
                        delivery.table,
                        delivery.delivery_id,
                        delivery.path.name,
                        rows + malformed,
                        malformed,
                        batched_at.replace(tzinfo=None),
                    ],
                ).fetchone()
                if inserted is None:
                    return LoadResult(0, 0, time.perf_counter() - began, skipped=True)
                self._copy(relation, target_columns, clean_path)
                if malformed:
                    self._copy(relation, target_columns, malformed_path)
        return LoadResult(rows + malformed, malformed, time.perf_counter() - began)

    def close(self) -> None:
        self.parser.close()
        self.connection.close()

"""Every rule a source row can break, on hand-made rows, on DuckDB and on PostgreSQL.

Hand-made raw rows (text, as the loaders land them) go into empty raw tables, and dbt
builds the file and stream staging models with their tests. Each bad row must carry the
reason its rule names, the build must stay green (tests that guard source data only
warn, with a count), a CDR must get the same reason whether it came in a file or on the
real-time feed, and a timestamp's validation must agree with the engine's own cast on
every date the types can hold.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import psycopg
import pytest

from extract.contract import HEADERS
from tests.bad_rows import CDR_CASES, FILE_CASES, GOOD_ROWS, cdr_row, file_row
from tests.pipeline import Sandbox, dbt
from tests.postgres_fixtures import (
    PostgresSandbox,
    PostgresWarehouse,
    dbt_postgres,
    postgres_warehouse,  # noqa: F401 (a fixture, used by name)
)

LOADED_AT = "2026-01-02 00:05:00"
# The file and stream staging models, and the quarantine with its reconciliation
# (raw = clean + rejected, tests/singular/reconcile_source_rows.sql). The quarantine
# reads the change-stream and shop-database staging too: their raw tables are created
# empty by the project's on-run-start.
BUILD = (
    "--select",
    "path:models/staging",
    "int_source_rows__rejected",
    "fct_rejected_rows",
    "--exclude",
    "reconcile_calls",
)

CALENDAR_YEARS = ("0001", "1600", "1900", "1999", "2000", "2023", "2024", "2100", "2400", "9999")
CALENDAR_DAYS = (
    "01-31", "02-28", "02-29", "02-30", "04-30", "04-31", "06-31", "12-31", "13-01", "00-10",
    "01-00",
)  # fmt: skip
CALENDAR_VALUES = [f"{year}-{day} 12:00:00" for year in CALENDAR_YEARS for day in CALENDAR_DAYS]
CALENDAR_OFFSET = 1000


def loader_columns() -> dict[str, Any]:
    """What target-bulk adds to a row that parsed (no parse error, no raw line)."""
    return {"_sdc_batched_at": LOADED_AT, "_sdc_parse_error": None, "_sdc_raw_line": None}


def raw_rows() -> dict[str, list[dict[str, Any]]]:
    """Every raw table's hand-made rows, with the loader's columns."""
    tables: dict[str, list[dict[str, Any]]] = {table: [] for table in HEADERS}
    for position, (table, case, changes, _) in enumerate(FILE_CASES):
        row = file_row(table, position, changes)
        tables[table].append(
            {**row, "_sdc_filename": f"/landing/{table}/{case}.csv", **loader_columns()}
        )
    cdrs = [
        cdr_row(position, name, changes) for position, (name, changes, _) in enumerate(CDR_CASES)
    ]
    cdrs += [
        cdr_row(CALENDAR_OFFSET + position, f"calendar-{position}", {"started_at": value})
        for position, value in enumerate([*CALENDAR_VALUES, "0000-01-01 12:00:00"])
    ]
    for row in cdrs:
        tables["telecom_cdrs"].append(
            {**row, "_sdc_filename": "/landing/telecom_cdrs/cdrs.csv", **loader_columns()}
        )
    tables["kafka_telecom_cdrs"] = [
        {
            **{
                key: value
                for key, value in cdr_row(position, name, changes).items()
                if key != "record_no"
            },
            "kafka_topic": "telecom.cdr",
            "kafka_partition": 0,
            "kafka_offset": position,
            "_landed_at": LOADED_AT,
        }
        for position, (name, changes, _) in enumerate(CDR_CASES)
    ]  # fmt: skip
    return tables


def create_statements(tables: dict[str, list[dict[str, Any]]]) -> list[tuple[str, list[Any]]]:
    """DDL and inserts for the raw rows; `{}` is each engine's parameter placeholder."""
    statements: list[tuple[str, list[Any]]] = [("create schema if not exists raw", [])]
    for table, rows in tables.items():
        types = {
            "_sdc_batched_at": "timestamp",
            "_landed_at": "timestamp",
            "kafka_partition": "integer",
            "kafka_offset": "bigint",
        }
        columns = list(rows[0])
        ddl = ", ".join(f"{column} {types.get(column, 'text')}" for column in columns)
        statements.append((f"create table raw.{table} ({ddl})", []))
        for row in rows:
            placeholders = ", ".join("{}" for _ in columns)
            statements.append(
                (
                    f"insert into raw.{table} ({', '.join(columns)}) values ({placeholders})",
                    list(row.values()),
                )
            )
    return statements


@dataclass(frozen=True)
class Engine:
    """One warehouse with the hand-made raw rows, built by dbt."""

    name: str
    query: Callable[[str], list[tuple[Any, ...]]]
    casts_to_timestamp: Callable[[str], bool]
    run_results: dict[str, Any]


def _duckdb_engine(root: Path) -> Engine:
    sandbox = Sandbox(root)
    with duckdb.connect(str(sandbox.warehouse)) as connection:
        for sql, params in create_statements(raw_rows()):
            connection.execute(sql.replace("{}", "?"), params)
    dbt(sandbox, "build", *BUILD)

    def query(sql: str) -> list[tuple[Any, ...]]:
        with duckdb.connect(str(sandbox.warehouse), read_only=True) as connection:
            return connection.execute(sql).fetchall()

    def casts(value: str) -> bool:
        try:
            query(f"select cast('{value}' as timestamp)")
        except duckdb.Error:
            return False
        return True

    results = json.loads((sandbox.dbt_target_dir / "run_results.json").read_text())
    return Engine("duckdb", query, casts, results)


def _postgres_engine(root: Path, warehouse: PostgresWarehouse) -> Engine:
    with warehouse.connect() as connection:
        for sql, params in create_statements(raw_rows()):
            connection.execute(sql.replace("{}", "%s"), params)
    sandbox = PostgresSandbox(root, warehouse_env=tuple(warehouse.env().items()))
    dbt_postgres(sandbox, "build", *BUILD)

    def casts(value: str) -> bool:
        try:
            warehouse.query(f"select cast('{value}' as timestamp)")
        except psycopg.Error:
            return False
        return True

    results = json.loads((sandbox.dbt_target_dir / "run_results.json").read_text())
    return Engine("postgres", warehouse.query, casts, results)


@pytest.fixture(scope="module", params=["duckdb", "postgres"])
def engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    root = tmp_path_factory.mktemp(f"staging_rules_{request.param}")
    if request.param == "duckdb":
        yield _duckdb_engine(root)
    else:
        yield _postgres_engine(root, request.getfixturevalue("postgres_warehouse"))


def staging_model(table: str) -> str:
    source, name = table.split("_", 1)
    return f"staging.stg_{source}__{name}"


def test_staging_build_is_green_and_source_guards_only_warn(engine: Engine) -> None:
    statuses = {result["unique_id"]: result["status"] for result in engine.run_results["results"]}
    failed = {node: status for node, status in statuses.items() if status in {"error", "fail"}}
    assert not failed
    warned = {
        node.split(".")[2]: result["failures"]
        for result in engine.run_results["results"]
        if (node := result["unique_id"]) and result["status"] == "warn"
    }
    # Each source guard that one of the hand-made rows breaks warns with its count.
    for test_prefix in (
        "expect_column_values_to_match_regex_stg_shop__customers_email",
        "accepted_values_stg_shop__customers_customer_segment",
        "accepted_values_stg_shop__orders_order_channel",
        "expect_column_values_to_match_regex_stg_telecom__subscriptions_msisdn",
        "accepted_values_stg_telecom__cells_radio_technology",
        "expect_column_values_to_match_regex_stg_telecom__cdrs_msisdn",
        "expect_column_values_to_match_regex_stg_telecom_stream__cdrs_msisdn",
    ):
        counts = [count for name, count in warned.items() if name.startswith(test_prefix)]
        assert counts == [1], (test_prefix, warned)


@pytest.mark.parametrize("table", sorted(GOOD_ROWS))
def test_each_bad_file_row_is_rejected_for_its_rule(engine: Engine, table: str) -> None:
    expected = {f"{case}.csv": reason for name, case, _, reason in FILE_CASES if name == table}
    actual = dict(engine.query(f"select source_file, reject_reason from {staging_model(table)}"))
    assert actual == expected


def test_cdr_rules_give_each_record_its_reason(engine: Engine) -> None:
    expected = {position: reason for position, (_, _, reason) in enumerate(CDR_CASES)}
    actual = dict(
        engine.query(
            "select record_no, reject_reason from staging.stg_telecom__cdrs "
            f"where record_no < {CALENDAR_OFFSET}"
        )
    )
    assert actual == expected


def test_a_cdr_is_judged_the_same_in_a_file_and_on_the_feed(engine: Engine) -> None:
    fields = (
        "cdr_id, switch_id, msisdn, cell_id, call_type, termination_cause, is_roaming, "
        "duration_s, bytes_up, bytes_down, started_at, reject_reason"
    )
    filed = engine.query(
        f"select record_no, {fields} from staging.stg_telecom__cdrs "
        f"where record_no < {CALENDAR_OFFSET} order by record_no"
    )
    streamed = engine.query(
        f"select kafka_offset, {fields} from staging.stg_telecom_stream__cdrs order by kafka_offset"
    )
    assert len(filed) == len(CDR_CASES)
    assert filed == streamed


def test_timestamp_validation_agrees_with_the_cast_on_every_date(engine: Engine) -> None:
    rows = engine.query(
        "select record_no, started_at is not null, reject_reason from staging.stg_telecom__cdrs "
        f"where record_no >= {CALENDAR_OFFSET} order by record_no"
    )
    accepted = {
        value: is_typed for value, (_, is_typed, _) in zip(CALENDAR_VALUES, rows[:-1], strict=True)
    }
    assert accepted == {value: engine.casts_to_timestamp(value) for value in CALENDAR_VALUES}
    assert accepted["2000-02-29 12:00:00"] and accepted["2024-02-29 12:00:00"]
    assert not accepted["1900-02-29 12:00:00"] and not accepted["2100-02-29 12:00:00"]
    # Year 0 is 1 BC to DuckDB and an error to PostgreSQL: rejected on both.
    assert rows[-1][1:] == (False, "unparseable_started_at")


def test_rules_are_named_in_the_data_quality_mart_contract() -> None:
    """Every reason a staging model can give is one `fct_rejected_rows` accepts."""
    mart_yml = (
        Path(__file__).resolve().parent.parent
        / "models/marts/data_quality/_data_quality__models.yml"
    )
    accepted = mart_yml.read_text()
    reasons = {reason for *_, reason in FILE_CASES if reason} | {
        reason for *_, reason in CDR_CASES if reason
    }
    assert {reason for reason in reasons if f"- {reason}\n" not in accepted} == set()

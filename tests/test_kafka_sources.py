"""The dbt sources of the Kafka landing tables describe exactly what the extractor creates.

dbt's on-run-start hook creates those tables from the source YAML where the extractor
never ran (macros/staging/create_landing_tables.sql); the extractor creates them
from `raw_columns`. Both must give the same tables, column types and defaults, or
staging would read one shape in one warehouse and another elsewhere.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pytest
import yaml

from extract.kafka.sink_duckdb import DuckDBSink
from extract.kafka.topics import known_topics
from tests.pipeline import PROJECT_ROOT, Sandbox, dbt

LANDED_BY_EXTRACTOR = "kafka-extract"


def streamed_source_tables() -> dict[str, list[dict[str, Any]]]:
    """identifier -> columns of every source table the YAML says the extractor lands."""
    tables: dict[str, list[dict[str, Any]]] = {}
    for path in sorted((PROJECT_ROOT / "models" / "staging").glob("*/_*__sources.yml")):
        for source in yaml.safe_load(path.read_text())["sources"]:
            if source.get("config", {}).get("meta", {}).get("landed_by") != LANDED_BY_EXTRACTOR:
                continue
            for table in source["tables"]:
                tables[table["identifier"]] = table["columns"]
    return tables


def _columns(
    connection: duckdb.DuckDBPyConnection, catalog: str, schema: str
) -> dict[str, list[tuple]]:
    rows = connection.execute(
        "select table_name, column_name, data_type, column_default is not null"
        " from information_schema.columns where table_catalog = ? and table_schema = ?"
        " order by table_name, ordinal_position",
        [catalog, schema],
    ).fetchall()
    columns: dict[str, list[tuple]] = {}
    for table, column, data_type, has_default in rows:
        columns.setdefault(table, []).append((column, data_type, has_default))
    return columns


def test_every_topic_has_a_source_table() -> None:
    assert set(streamed_source_tables()) == {spec.raw_table for spec in known_topics().values()}


def test_dbt_creates_the_tables_the_extractor_creates(tmp_path: Path) -> None:
    extractor_warehouse = tmp_path / "extractor.duckdb"
    sink = DuckDBSink(extractor_warehouse)
    try:
        sink.prepare(list(known_topics().values()))
    finally:
        sink.close()
    # A warehouse the extractor never touched: dbt's on-run-start creates the tables
    # (the one model selected reads one of them).
    sandbox = Sandbox(tmp_path / "dbt_only")
    sandbox.root.mkdir()
    dbt(sandbox, "run", "--select", "stg_telecom_stream__cdrs")
    with duckdb.connect(str(sandbox.warehouse)) as connection:
        connection.execute(f"attach '{extractor_warehouse}' as extractor (read_only)")
        by_dbt = _columns(connection, "warehouse", "raw")
        by_extractor = _columns(connection, "extractor", "raw")
    streamed = set(streamed_source_tables())
    assert {table: by_dbt[table] for table in streamed} == {
        table: by_extractor[table] for table in streamed
    }


@pytest.mark.parametrize("identifier", sorted(streamed_source_tables()))
def test_every_source_column_is_described(identifier: str) -> None:
    undescribed = [
        column["name"]
        for column in streamed_source_tables()[identifier]
        if not column.get("description")
    ]
    assert not undescribed

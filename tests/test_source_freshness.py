"""`dbt source freshness` as the main job runs it (the Meltano command) measures landing.

A small warehouse holds one landed row per source table; the freshness command passes
every source the job lands, then reports the tables made old as warn or error (by their
thresholds) and only them, and still exits 0: a stale source never turns the job red.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import duckdb
import yaml

from tests.pipeline import BIN, PROJECT_ROOT

# What the main job (`elt`) lands; the shop database has jobs of its own.
JOB_SOURCES = ("shop", "shop_cdc", "telecom", "telecom_stream")


def _source_tables() -> dict[str, tuple[str, str]]:
    """`source.table` -> (raw identifier, loaded_at_field), from the sources yml files."""
    tables: dict[str, tuple[str, str]] = {}
    for path in (PROJECT_ROOT / "models" / "staging").glob("*/_*__sources.yml"):
        for source in yaml.safe_load(path.read_text())["sources"]:
            loaded_at = source["config"]["loaded_at_field"]
            for table in source["tables"]:
                name = f"{source['name']}.{table['name']}"
                tables[name] = (table.get("identifier", table["name"]), loaded_at)
    return tables


def _freshness(warehouse: Path, work_dir: Path) -> tuple[int, dict[str, dict[str, Any]]]:
    """Run the Meltano command; its exit code and sources.json's results by source name."""
    environment = {
        **os.environ,
        "TELESTREAM_DUCKDB_PATH": str(warehouse),
        "DBT_TARGET_PATH": str(work_dir / "target"),
        "DBT_LOG_PATH": str(work_dir / "logs"),
    }
    result = subprocess.run(
        [str(BIN / "meltano"), "invoke", "dbt-duckdb:freshness"],
        capture_output=True,
        text=True,
        check=False,
        cwd=PROJECT_ROOT,
        env=environment,
    )
    results = json.loads((work_dir / "target" / "sources.json").read_text())["results"]
    by_name = {".".join(r["unique_id"].split(".")[2:]): r for r in results}
    return result.returncode, by_name


def test_freshness_passes_fresh_landings_and_flags_only_the_old_ones(tmp_path: Path) -> None:
    tables = _source_tables()
    landed = {name: spec for name, spec in tables.items() if name.split(".")[0] in JOB_SOURCES}
    warehouse = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute("create schema raw")
        for identifier, loaded_at in landed.values():
            connection.execute(
                f"create table raw.{identifier} as select now()::timestamp as {loaded_at}"
            )

    code, results = _freshness(warehouse, tmp_path / "fresh")
    assert code == 0
    assert set(results) == set(landed)
    assert {name: r["status"] for name, r in results.items()} == dict.fromkeys(landed, "pass")

    # A nightly file table two and a half days old is an error, one 30 h old a warning;
    # a Kafka table quiet for 3 h is a warning (its thresholds: 1 h, 6 h).
    aged = {"telecom.cdrs": 60, "shop.products": 30, "shop_cdc.orders": 3}
    with duckdb.connect(str(warehouse)) as connection:
        for name, hours in aged.items():
            identifier, loaded_at = landed[name]
            connection.execute(
                f"update raw.{identifier} set {loaded_at} = {loaded_at} - interval {hours} hour"
            )

    code, results = _freshness(warehouse, tmp_path / "stale")
    assert code == 0, "a stale source must be reported, not fail the job"
    expected = {**dict.fromkeys(landed, "pass"), **{name: "warn" for name in aged}}
    expected["telecom.cdrs"] = "error"
    assert {name: r["status"] for name, r in results.items()} == expected

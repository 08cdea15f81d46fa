"""Raw holds exactly what the files held: no row lost or added by the loader.

A loader can lose rows silently (target-duckdb 0.8.0, the loader before target-bulk,
dropped the first row of every batch with duckdb >= 1.3); this is the test that catches
such a loader, so it compares every table and every file.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import warehouse_metrics
from tests.conftest import MISORDERED_FILE, Scenario


@pytest.mark.parametrize("stage_name", ["first_days", "next_day", "rerun"])
def test_raw_row_counts_equal_file_row_counts(scenario: Scenario, stage_name: str) -> None:
    stage = scenario.stages[stage_name]
    assert stage.raw_rows == stage.manifest["raw_rows"]


@pytest.mark.parametrize("table", warehouse_metrics.RAW_TABLES)
def test_raw_rows_per_file_equal_the_file(scenario: Scenario, table: str) -> None:
    # After the redelivery the last file day's files are in raw twice; the others (and
    # today's, delivered the night after the stream brought today) once.
    redelivered_date = scenario.dates[-1]
    expected = {
        name: rows * (2 if redelivered_date in name else 1)
        for name, rows in scenario.stages["next_night"].manifest["files"][table].items()
        if rows
    }
    assert warehouse_metrics.raw_rows_per_file(scenario.sandbox, table) == expected


def test_redelivered_files_land_again_in_raw(scenario: Scenario) -> None:
    before = scenario.stages["rerun"].raw_rows
    after = scenario.stages["redelivered"].raw_rows
    assert after["telecom_cdrs"] > before["telecom_cdrs"]
    assert all(after[table] >= before[table] for table in before)


def test_a_file_breaking_the_layout_is_quarantined_not_loaded(scenario: Scenario) -> None:
    quarantined = scenario.sandbox.root / "quarantine" / "shop_orders" / MISORDERED_FILE
    assert quarantined.exists()
    assert "differs from the contract" in Path(f"{quarantined}.reason").read_text()
    landed = warehouse_metrics.raw_rows_per_file(scenario.sandbox, "shop_orders")
    assert MISORDERED_FILE not in landed

"""The MetricFlow semantic layer answers like the marts: `mf query` against the scenario.

`mf` reads `<project root>/target/semantic_manifest.json`, always; the scenario's dbt
wrote it into its own target folder, so the query runs from a small project root that
holds the project file and that manifest (the repository's `target/` is a developer's).
"""

from __future__ import annotations

import csv
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from tests.conftest import Scenario
from tests.pipeline import BIN, PROJECT_ROOT, query, run_command


@pytest.fixture(scope="module")
def mf_root(scenario: Scenario, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("mf_root")
    (root / "target").mkdir()
    shutil.copy(PROJECT_ROOT / "dbt_project.yml", root / "dbt_project.yml")
    shutil.copy(
        scenario.sandbox.dbt_target_dir / "semantic_manifest.json",
        root / "target" / "semantic_manifest.json",
    )
    return root


def mf_query(scenario: Scenario, root: Path, *args: str) -> list[dict[str, str]]:
    out = root / "out.csv"
    out.unlink(missing_ok=True)
    env_sandbox = scenario.sandbox
    result = run_command(
        [
            "bash",
            "-c",
            f'cd "{root}" && DBT_PROFILES_DIR="{PROJECT_ROOT}" "{BIN / "mf"}" query '
            + " ".join(args)
            + f' --csv "{out}"',
        ],
        env_sandbox,
    )
    assert out.exists(), result.stdout
    with out.open(newline="") as handle:
        return list(csv.DictReader(handle))


def test_mf_revenue_by_day_equals_fct_daily_sales(scenario: Scenario, mf_root: Path) -> None:
    rows = mf_query(scenario, mf_root, "--metrics revenue", "--group-by metric_time__day")
    from_mf = {row["metric_time__day"][:10]: Decimal(row["revenue"]) for row in rows}
    from_mart = {
        day.isoformat(): revenue
        for day, revenue in query(
            scenario.sandbox,
            "select order_date, sum(revenue_eur) from marts.fct_daily_sales group by 1",
        )
    }
    assert len(from_mart) == len(scenario.dates) + 1
    assert from_mf == from_mart


def test_mf_dropped_call_rate_by_region_equals_the_cell_kpis(
    scenario: Scenario, mf_root: Path
) -> None:
    rows = mf_query(
        scenario,
        mf_root,
        "--metrics dropped_call_rate,calls",
        "--group-by cell__region_name",
    )
    from_mf = {
        row["cell__region_name"]: (float(row["dropped_call_rate"]), int(row["calls"]))
        for row in rows
    }
    from_mart = {
        region: (dropped / voice, calls)
        for region, dropped, voice, calls in query(
            scenario.sandbox,
            """
            select region_name, sum(dropped_call_count), sum(voice_call_count), sum(call_count)
            from marts.fct_cell_hourly_kpis group by 1
            """,
        )
    }
    assert from_mf.keys() == from_mart.keys()
    for region, (rate, calls) in from_mart.items():
        assert from_mf[region][1] == calls, region
        assert abs(from_mf[region][0] - rate) < 1e-9, region

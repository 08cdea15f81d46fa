"""The analyst questions in analyses/ compile and answer against the scenario's marts."""

from __future__ import annotations

import duckdb
import pytest

from tests.conftest import Scenario
from tests.pipeline import PROJECT_ROOT, dbt

ANALYSES = sorted(path.stem for path in (PROJECT_ROOT / "analyses").glob("*.sql"))
# Five days are fewer than the 7 periods fct_anomalies needs before it scores: no flags.
MAY_BE_EMPTY = {"what_is_unusual_lately"}


@pytest.fixture(scope="module")
def compiled(scenario: Scenario) -> dict[str, str]:
    dbt(scenario.sandbox, "compile", "--select", "path:analyses")
    folder = scenario.sandbox.dbt_target_dir / "compiled" / "telestream" / "analyses"
    return {path.stem: path.read_text() for path in folder.glob("*.sql")}


def test_every_analysis_compiled(compiled: dict[str, str]) -> None:
    assert len(ANALYSES) >= 5
    assert sorted(compiled) == ANALYSES


@pytest.mark.parametrize("analysis", ANALYSES)
def test_analysis_runs_against_the_marts(
    scenario: Scenario, compiled: dict[str, str], analysis: str
) -> None:
    with duckdb.connect(str(scenario.sandbox.warehouse), read_only=True) as connection:
        rows = connection.execute(compiled[analysis]).fetchall()
    if analysis not in MAY_BE_EMPTY:
        assert rows, f"{analysis} answered nothing"

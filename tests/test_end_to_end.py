"""The marts equal the simulator's ground truth, stage by stage.

The manifest is computed by the simulator from what it generated; the fingerprint is
read from the marts that Meltano and dbt built from the files. Equal means the landing,
dedup, SCD2 history, as-of joins, rating and quarantine all did what the contract says.
"""

from __future__ import annotations

import pytest

from tests.conftest import Scenario

STAGES_BUILT_FROM_FILES = ["first_days", "next_day"]


def _nonzero(counts: dict[str, dict[str, int]]) -> dict[str, dict[str, int]]:
    return {
        table: {reason: n for reason, n in reasons.items() if n}
        for table, reasons in counts.items()
        if any(reasons.values())
    }


@pytest.mark.parametrize("stage_name", STAGES_BUILT_FROM_FILES)
def test_revenue_per_day_matches_ground_truth(scenario: Scenario, stage_name: str) -> None:
    stage = scenario.stages[stage_name]
    expected = {day: v for day, v in stage.manifest["revenue_per_day"].items() if float(v) != 0}
    assert stage.fingerprint["revenue_per_day"] == expected


@pytest.mark.parametrize("stage_name", STAGES_BUILT_FROM_FILES)
def test_orders_per_status_match_ground_truth(scenario: Scenario, stage_name: str) -> None:
    stage = scenario.stages[stage_name]
    expected = {status: n for status, n in stage.manifest["orders_per_status"].items() if n}
    assert stage.fingerprint["orders_per_status"] == expected


@pytest.mark.parametrize("stage_name", STAGES_BUILT_FROM_FILES)
def test_usage_per_customer_day_matches_ground_truth(scenario: Scenario, stage_name: str) -> None:
    stage = scenario.stages[stage_name]
    actual = stage.fingerprint["usage_per_customer_day"]
    expected = stage.manifest["usage_per_customer_day"]
    assert len(actual) == len(expected)
    mismatches = [(a, e) for a, e in zip(actual, expected, strict=True) if a != e]
    assert not mismatches, f"{len(mismatches)} customer-days differ, first: {mismatches[:3]}"


@pytest.mark.parametrize("stage_name", STAGES_BUILT_FROM_FILES)
@pytest.mark.parametrize("entity", ["customers", "products", "service_plans", "subscriptions"])
def test_scd2_version_counts_match_ground_truth(
    scenario: Scenario, stage_name: str, entity: str
) -> None:
    stage = scenario.stages[stage_name]
    assert stage.fingerprint["scd2_versions"][entity] == stage.manifest["scd2_versions"][entity]


@pytest.mark.parametrize("stage_name", STAGES_BUILT_FROM_FILES)
def test_deleted_products_match_ground_truth(scenario: Scenario, stage_name: str) -> None:
    stage = scenario.stages[stage_name]
    assert stage.fingerprint["deleted_products"] == sorted(stage.manifest["deleted_products"])


@pytest.mark.parametrize("stage_name", STAGES_BUILT_FROM_FILES)
def test_rejected_rows_per_reason_match_ground_truth(scenario: Scenario, stage_name: str) -> None:
    stage = scenario.stages[stage_name]
    expected = _nonzero(stage.manifest["rejected_rows"])
    assert expected, "the scenario must exercise the quarantine"
    assert stage.fingerprint["rejected_rows"] == expected


@pytest.mark.parametrize("stage_name", STAGES_BUILT_FROM_FILES)
def test_calls_deduplicated_and_unknown_keys_kept(scenario: Scenario, stage_name: str) -> None:
    stage = scenario.stages[stage_name]
    calls = stage.manifest["calls"]
    assert calls["duplicates"] > 0 and calls["unknown_cell"] > 0 and calls["unknown_msisdn"] > 0
    assert stage.fingerprint["calls"] == {
        "distinct_valid": calls["distinct_valid"],
        "unknown_cell": calls["unknown_cell"],
        "unknown_msisdn": calls["unknown_msisdn"],
    }


@pytest.mark.parametrize("stage_name", STAGES_BUILT_FROM_FILES)
def test_orders_and_items_with_missing_keys_are_kept(scenario: Scenario, stage_name: str) -> None:
    stage = scenario.stages[stage_name]
    fingerprint, manifest = stage.fingerprint, stage.manifest
    assert fingerprint["orders_unknown_customer"] == manifest["orders_unknown_customer"]
    assert fingerprint["order_items_unknown_product"] == manifest["order_items_unknown_product"]


def test_incremental_day_changed_the_marts(scenario: Scenario) -> None:
    first, following = scenario.stages["first_days"], scenario.stages["next_day"]
    assert first.fingerprint != following.fingerprint


@pytest.mark.parametrize("stage_name", ["rerun", "redelivered"])
def test_loading_the_same_day_again_changes_no_mart(scenario: Scenario, stage_name: str) -> None:
    assert scenario.stages[stage_name].fingerprint == scenario.stages["next_day"].fingerprint

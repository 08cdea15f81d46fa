"""No single bad source row turns the build red, and the next night's data still arrives.

A small simulated first night is delivered with one extra file per table holding one
row per rule a row can break (tests/bad_rows.py). Intake, Meltano's landing and dbt's
build run as in production (`meltano run` without the Kafka step). The build must stay
green, each bad row must sit in `fct_rejected_rows` with its reason (and the
reconciliation raw = clean + rejected holds, as a test of the build), and the marts
must equal the ground truth. Raw is append-only, so the bad rows are read again the
next night: the second night's good files must still reach every mart.
"""

from __future__ import annotations

import csv
import dataclasses
from collections import Counter
from pathlib import Path

import pytest

from extract.contract import HEADERS
from tests import warehouse_metrics
from tests.bad_rows import CDR_CASES, FILE_CASES, cdr_row, file_row
from tests.conftest import E2E_CONFIG, _dates
from tests.ground_truth import expected_rejected_rows
from tests.pipeline import Sandbox, deliver_days, meltano, query
from tools.simulator import generate

SMALL_CONFIG = dataclasses.replace(
    E2E_CONFIG,
    days=2,
    customers=20,
    products=10,
    plans=3,
    cells=6,
    switches=1,
    calls_per_day=80,
    orders_per_day=10,
)
# The nightly job without its Kafka step: files in, then the build.
NIGHTLY = ("run", "intake:run", "tap-landing", "target-bulk-duckdb", "dbt-duckdb:build")
FACT_DATES = {
    "fct_orders": "order_date",
    "fct_order_items": "order_date",
    "fct_calls": "call_date",
    "fct_daily_customer_usage": "usage_date",
}


def bad_rows_per_table() -> dict[str, list[dict[str, str]]]:
    rows: dict[str, list[dict[str, str]]] = {table: [] for table in HEADERS}
    for position, (table, _, changes, reason) in enumerate(FILE_CASES):
        if reason is not None:
            rows[table].append(file_row(table, position, changes))
    rows["telecom_cdrs"] = [
        cdr_row(position, name, changes)
        for position, (name, changes, reason) in enumerate(CDR_CASES, start=1)
        if reason is not None
    ]
    return rows


def expected_bad_reasons() -> Counter[tuple[str, str]]:
    reasons = Counter((table, reason) for table, _, _, reason in FILE_CASES if reason)
    reasons.update(("telecom_cdrs", reason) for *_, reason in CDR_CASES if reason)
    return reasons


def deliver_bad_rows(inbox_dir: Path, day: str) -> None:
    """One more export per table on `day`, each of its rows breaking one rule."""
    for table, rows in bad_rows_per_table().items():
        path = inbox_dir / table / f"{table}_{day}_bad.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=HEADERS[table], lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)


def rejected_with_bad_rows(manifest: dict) -> dict[str, dict[str, int]]:
    expected = {
        table: dict(reasons)
        for table, reasons in expected_rejected_rows(manifest, None, None).items()
    }
    for (table, reason), count in expected_bad_reasons().items():
        expected.setdefault(table, {})
        expected[table][reason] = expected[table].get(reason, 0) + count
    return expected


@pytest.fixture(scope="module")
def nights(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    root = tmp_path_factory.mktemp("bad_rows")
    sandbox = Sandbox(root)
    generated = root / "generated"
    full_manifest = generate(SMALL_CONFIG, generated, root / "manifest_full.json")
    first_manifest = generate(
        dataclasses.replace(SMALL_CONFIG, days=1), root / "generated_first", root / "first.json"
    )
    first_day, second_day = _dates(SMALL_CONFIG, SMALL_CONFIG.days)

    deliver_days(generated, sandbox.inbox_dir, [first_day])
    deliver_bad_rows(sandbox.inbox_dir, first_day)
    meltano(sandbox, *NIGHTLY)
    first = {
        "manifest": first_manifest,
        "fingerprint": warehouse_metrics.mart_fingerprint(sandbox),
    }

    deliver_days(generated, sandbox.inbox_dir, [second_day])
    meltano(sandbox, *NIGHTLY)
    facts_on_second_day = {
        fact: query(sandbox, f"select count(*) from marts.{fact} where {column} = '{second_day}'")[
            0
        ][0]
        for fact, column in FACT_DATES.items()
    }
    second = {
        "manifest": full_manifest,
        "fingerprint": warehouse_metrics.mart_fingerprint(sandbox),
        "facts_on_second_day": facts_on_second_day,
        "raw_bad_rows": query(
            sandbox,
            "select count(*) from raw.shop_customers where _sdc_filename like '%_bad.csv'",
        )[0][0],
    }
    return {"first": first, "second": second}


@pytest.mark.parametrize("night", ["first", "second"])
def test_each_bad_row_is_quarantined_with_its_reason(nights: dict, night: str) -> None:
    observed = nights[night]
    assert observed["fingerprint"]["rejected_rows"] == rejected_with_bad_rows(observed["manifest"])


@pytest.mark.parametrize("night", ["first", "second"])
def test_bad_rows_change_no_mart(nights: dict, night: str) -> None:
    observed, manifest = nights[night]["fingerprint"], nights[night]["manifest"]
    assert observed["revenue_per_day"] == {
        day: value for day, value in manifest["revenue_per_day"].items() if float(value) != 0
    }
    assert observed["orders_per_status"] == {
        status: n for status, n in manifest["orders_per_status"].items() if n
    }
    assert observed["usage_per_customer_day"] == manifest["usage_per_customer_day"]
    for entity, versions in manifest["scd2_versions"].items():
        assert observed["scd2_versions"][entity] == versions, entity
    calls = manifest["calls"]
    assert observed["calls"] == {
        "distinct_valid": calls["distinct_valid"],
        "unknown_cell": calls["unknown_cell"],
        "unknown_msisdn": calls["unknown_msisdn"],
    }


def test_the_next_nights_data_reaches_every_fact(nights: dict) -> None:
    second = nights["second"]
    # The bad rows are still in raw (append-only) and were read again.
    bad_customers = [case for case in FILE_CASES if case[0] == "shop_customers" and case[3]]
    assert second["raw_bad_rows"] == len(bad_customers)
    assert all(count > 0 for count in second["facts_on_second_day"].values()), second

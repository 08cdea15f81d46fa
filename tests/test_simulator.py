"""The simulator writes what docs/source_contract.md promises, and its manifest equals
what an independent reader of the files computes.

Nothing here imports the simulator's own column lists, parsers or rating: the contract's
columns are copied below and every number is recomputed from the CSV files, so a
simulator that drifts from the contract or miscounts fails these tests.
"""

from __future__ import annotations

import csv
import dataclasses
import itertools
import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tools.simulator import SimulatorConfig, generate
from tools.simulator.__main__ import main
from tools.simulator.reference import SEED_FILES, seed_rows
from tools.simulator.writer import write_seed

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# The contract's columns, in its order (docs/source_contract.md, "Columns").
CONTRACT_COLUMNS = {
    "shop_customers": "customer_id,first_name,last_name,email,segment,city,country_code,"
    "created_at,updated_at",
    "shop_products": "product_id,sku,product_name,category,price_eur,created_at,updated_at,"
    "exported_at",
    "shop_orders": "order_id,customer_id,order_status,channel,ordered_at,updated_at",
    "shop_order_items": "order_item_id,order_id,product_id,quantity,unit_price_eur,created_at",
    "telecom_service_plans": "plan_id,plan_name,monthly_fee_eur,price_per_minute_eur,"
    "price_per_sms_eur,price_per_mb_eur,updated_at,exported_at",
    "telecom_subscriptions": "subscription_id,customer_id,msisdn,plan_id,activated_at,updated_at",
    "telecom_cells": "cell_id,cell_name,region_code,technology,latitude,longitude,updated_at,"
    "exported_at",
    "telecom_cdrs": "record_no,cdr_id,switch_id,msisdn,call_type,started_at,duration_s,bytes_up,"
    "bytes_down,cell_id,termination_cause,is_roaming",
}
TIMESTAMP_COLUMNS = {
    "created_at", "updated_at", "exported_at", "ordered_at", "activated_at",
}  # fmt: skip
TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}")
INTEGER = re.compile(r"-?\d+")
REVENUE_STATUSES = {"paid", "shipped", "delivered"}
# Forward moves of the order lifecycle; an export may skip states moved through that day.
ORDER_NEXT = {
    "placed": {"paid", "cancelled"},
    "paid": {"shipped", "cancelled"},
    "shipped": {"delivered"},
    "delivered": {"returned"},
}

# Small, with every defect and change frequent enough to occur in four days.
SMALL = SimulatorConfig(
    seed=11,
    days=4,
    customers=60,
    new_customers_per_day=3,
    products=30,
    new_products_per_day=1,
    plans=3,
    cells=8,
    switches=3,
    calls_per_day=1500,
    orders_per_day=40,
    customer_change_rate=0.05,
    product_price_change_rate=0.1,
    product_deletion_rate=0.05,
    plan_price_change_rate=0.6,
    subscription_change_rate=0.05,
    duplicate_rate=0.05,
    late_rate=0.05,
    malformed_timestamp_rate=0.02,
    non_numeric_duration_rate=0.02,
    negative_duration_rate=0.02,
    unknown_cell_rate=0.02,
    unknown_msisdn_rate=0.02,
    null_customer_rate=0.05,
    deleted_product_item_rate=0.2,
)


@dataclass(frozen=True)
class Export:
    """One file as a reader sees it."""

    table: str
    name: str
    day: date
    rows: list[dict[str, str]]


@dataclass(frozen=True)
class Run:
    config: SimulatorConfig
    landing: Path
    manifest: dict[str, Any]
    exports: dict[str, list[Export]]  # table -> files in delivery order

    def rows(self, table: str) -> list[tuple[Export, dict[str, str]]]:
        return [(export, row) for export in self.exports[table] for row in export.rows]


def _read_exports(landing: Path) -> dict[str, list[Export]]:
    exports: dict[str, list[Export]] = {}
    for table in CONTRACT_COLUMNS:
        files = []
        for path in sorted((landing / table).glob("*.csv")):
            day = date.fromisoformat(re.search(r"\d{4}-\d{2}-\d{2}", path.name).group())
            with path.open(newline="", encoding="utf-8") as handle:
                rows = list(csv.DictReader(handle))
            files.append(Export(table, path.name, day, rows))
        exports[table] = files
    return exports


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    root = tmp_path_factory.mktemp("simulator")
    manifest = generate(SMALL, root / "landing", root / "manifest.json")
    return Run(SMALL, root / "landing", manifest, _read_exports(root / "landing"))


def _dates(config: SimulatorConfig) -> list[date]:
    return [config.start_date + timedelta(days=offset) for offset in range(config.days)]


def _parses(text: str) -> bool:
    if not TIMESTAMP.fullmatch(text):
        return False
    try:
        datetime.strptime(text, "%Y-%m-%d %H:%M:%S")
    except ValueError:
        return False
    return True


def _reject_reason(row: dict[str, str]) -> str | None:
    """The contract's reject checks, in its order."""
    if not _parses(row["started_at"]):
        return "unparseable_started_at"
    if not INTEGER.fullmatch(row["duration_s"]):
        return "non_numeric_duration"
    if int(row["duration_s"]) < 0:
        return "negative_duration"
    return None


def _as_of(versions: list[tuple[str, Any]], moment: str) -> Any:
    """The value of the latest version with valid_from <= moment, or None."""
    valid = [
        value for valid_from, value in sorted(versions, key=lambda v: v[0]) if valid_from <= moment
    ]
    return valid[-1] if valid else None


def _versions(run: Run, table: str, key: str) -> dict[str, dict[str, dict[str, str]]]:
    """id -> updated_at -> row, over every export of the table."""
    versions: dict[str, dict[str, dict[str, str]]] = defaultdict(dict)
    for _, row in run.rows(table):
        versions[row[key]][row["updated_at"]] = row
    return versions


# ---------- files and formats


def test_every_day_has_every_file_with_the_contract_header(run: Run) -> None:
    switches = [f"sw{n}" for n in range(1, run.config.switches + 1)]
    for table, columns in CONTRACT_COLUMNS.items():
        expected = sorted(
            f"{table}_{day.isoformat()}{suffix}.csv"
            for day in _dates(run.config)
            for suffix in ([f"_{s}" for s in switches] if table == "telecom_cdrs" else [""])
        )
        assert [export.name for export in run.exports[table]] == expected
        for export in run.exports[table]:
            raw = (run.landing / table / export.name).read_bytes()
            assert raw.split(b"\n", 1)[0].decode() == columns, export.name
            assert raw.endswith(b"\n") and b"\r" not in raw, export.name


def test_values_follow_the_contract_formats(run: Run) -> None:
    for table in CONTRACT_COLUMNS:
        for export, row in run.rows(table):
            for column in TIMESTAMP_COLUMNS & row.keys():
                assert _parses(row[column]), (export.name, column, row[column])
            if "exported_at" in row:
                assert row["exported_at"] == f"{export.day + timedelta(days=1)} 00:00:00"
    for _, row in run.rows("shop_customers"):
        assert row["segment"] in {"consumer", "business", "vip"}
        assert re.fullmatch(r"[A-Z]{2}", row["country_code"])
    for _, row in run.rows("shop_products"):
        assert re.fullmatch(r"\d+\.\d{2}", row["price_eur"])
    for _, row in run.rows("shop_orders"):
        assert row["order_status"] in {*ORDER_NEXT, "cancelled", "returned"}
        assert row["channel"] in {"web", "app"}
        assert row["customer_id"] == "" or INTEGER.fullmatch(row["customer_id"])
    for _, row in run.rows("shop_order_items"):
        assert int(row["quantity"]) >= 1
        assert re.fullmatch(r"\d+\.\d{2}", row["unit_price_eur"])
    for _, row in run.rows("telecom_service_plans"):
        for column in (
            "monthly_fee_eur",
            "price_per_minute_eur",
            "price_per_sms_eur",
            "price_per_mb_eur",
        ):
            assert re.fullmatch(r"\d+\.\d{4}", row[column])
    for _, row in run.rows("telecom_subscriptions"):
        assert re.fullmatch(r"49\d{11}", row["msisdn"])
    for _, row in run.rows("telecom_cells"):
        assert row["technology"] in {"4G", "5G"}
        assert re.fullmatch(r"-?\d+\.\d+", row["latitude"]) and re.fullmatch(
            r"-?\d+\.\d+", row["longitude"]
        )
    for _, row in run.rows("telecom_cdrs"):
        assert row["switch_id"] in {f"sw{n}" for n in range(1, run.config.switches + 1)}
        assert row["call_type"] in {"voice", "sms", "data"}
        assert row["is_roaming"] in {"true", "false"}
        assert INTEGER.fullmatch(row["bytes_up"]) and INTEGER.fullmatch(row["bytes_down"])
        if _reject_reason(row) is None and row["call_type"] != "data":
            assert row["bytes_up"] == row["bytes_down"] == "0"
        if _reject_reason(row) is None and row["call_type"] == "sms":
            assert row["duration_s"] == "0"


def test_record_numbers_count_from_one_in_every_cdr_file(run: Run) -> None:
    for export in run.exports["telecom_cdrs"]:
        assert [int(row["record_no"]) for row in export.rows] == list(
            range(1, len(export.rows) + 1)
        )


def test_only_codes_from_the_seeds_are_emitted(run: Run) -> None:
    def seed_codes(name: str) -> set[str]:
        with (PROJECT_ROOT / "seeds" / f"{name}.csv").open(newline="") as handle:
            return {row[SEED_FILES[name][0]] for row in csv.DictReader(handle)}

    assert {row["region_code"] for _, row in run.rows("telecom_cells")} <= seed_codes("regions")
    causes = {row["termination_cause"] for _, row in run.rows("telecom_cdrs")}
    assert causes <= seed_codes("termination_causes")


def test_seed_files_are_written_from_the_reference_data(tmp_path: Path) -> None:
    for name, rows in seed_rows().items():
        write_seed(tmp_path / f"{name}.csv", SEED_FILES[name], rows)
        committed = (PROJECT_ROOT / "seeds" / f"{name}.csv").read_bytes()
        assert committed == (tmp_path / f"{name}.csv").read_bytes(), (
            f"seeds/{name}.csv drifted: python -m tools.simulator --write-seeds seeds"
        )


# ---------- determinism


def _files(landing: Path) -> dict[str, bytes]:
    return {str(path.relative_to(landing)): path.read_bytes() for path in landing.rglob("*.csv")}


def test_days_do_not_depend_on_how_many_days_follow(tmp_path: Path) -> None:
    config = dataclasses.replace(SMALL, days=4)
    generate(dataclasses.replace(config, days=3), tmp_path / "three", tmp_path / "three.json")
    generate(config, tmp_path / "four", tmp_path / "four.json")
    three, four = _files(tmp_path / "three"), _files(tmp_path / "four")
    last_day = (config.start_date + timedelta(days=3)).isoformat()
    assert {name for name in four if last_day not in name} == set(three)
    differing = [name for name, content in three.items() if four[name] != content]
    assert not differing
    # Meaningful only if day 4 holds records that days 1-3 generated (late ones).
    day_four_calls = {
        row["cdr_id"][4:12]
        for export in _read_exports(tmp_path / "four")["telecom_cdrs"]
        if export.day.isoformat() == last_day
        for row in export.rows
    }
    assert len(day_four_calls) > 1


def test_the_same_seed_gives_the_same_bytes_and_another_seed_does_not(tmp_path: Path) -> None:
    config = dataclasses.replace(SMALL, days=1, calls_per_day=200)
    generate(config, tmp_path / "a", tmp_path / "a.json")
    generate(config, tmp_path / "b", tmp_path / "b.json")
    generate(dataclasses.replace(config, seed=12), tmp_path / "c", tmp_path / "c.json")
    assert _files(tmp_path / "a") == _files(tmp_path / "b")
    assert _files(tmp_path / "a") != _files(tmp_path / "c")


# ---------- manifest versus the files


def test_manifest_file_and_table_counts_equal_a_recount(run: Run) -> None:
    for table, exports in run.exports.items():
        assert run.manifest["files"][table] == {export.name: len(export.rows) for export in exports}
        assert run.manifest["raw_rows"][table] == sum(len(export.rows) for export in exports)
    assert run.manifest["config"]["days"] == run.config.days


def test_call_counts_and_rejects_equal_a_revalidation(run: Run) -> None:
    rejected: Counter[str] = Counter()
    valid: list[tuple[Export, dict[str, str]]] = []
    for export, row in run.rows("telecom_cdrs"):
        reason = _reject_reason(row)
        if reason:
            rejected[reason] += 1
            # Rejected records are on time and never duplicated.
            assert row["cdr_id"][4:12] == export.day.strftime("%Y%m%d")
        else:
            valid.append((export, row))
    rejected_ids = [
        row["cdr_id"] for export, row in run.rows("telecom_cdrs") if _reject_reason(row)
    ]
    assert len(rejected_ids) == len(set(rejected_ids))

    first: dict[str, tuple[Export, dict[str, str]]] = {}
    for export, row in valid:
        if row["cdr_id"] in first:
            other_export, other_row = first[row["cdr_id"]]
            # A duplicate: same content, another switch's file of the same day.
            assert other_export.day == export.day and other_export.name != export.name
            assert {**other_row, "record_no": ""} == {**row, "record_no": ""}
        else:
            first[row["cdr_id"]] = (export, row)
    cells = {row["cell_id"] for _, row in run.rows("telecom_cells")}
    msisdns = {row["msisdn"] for _, row in run.rows("telecom_subscriptions")}
    expected = {
        "records": sum(len(export.rows) for export in run.exports["telecom_cdrs"]),
        "distinct_valid": len(first),
        "duplicates": len(valid) - len(first),
        "late": sum(
            export.day.isoformat() > row["started_at"][:10] for export, row in first.values()
        ),
        "unknown_cell": sum(row["cell_id"] not in cells for _, row in first.values()),
        "unknown_msisdn": sum(row["msisdn"] not in msisdns for _, row in first.values()),
    }
    assert run.manifest["calls"] == expected
    assert run.manifest["rejected_rows"] == {"telecom_cdrs": dict(rejected)}
    # The small config must exercise every defect, or this test proves little.
    assert all(expected.values()) and len(rejected) == 3


def test_usage_and_charges_equal_a_rating_of_the_files(run: Run) -> None:
    plans = {
        plan_id: [(updated_at, row) for updated_at, row in versions.items()]
        for plan_id, versions in _versions(run, "telecom_service_plans", "plan_id").items()
    }
    subscriptions: dict[str, list[tuple[str, dict[str, str]]]] = defaultdict(list)
    for versions in _versions(run, "telecom_subscriptions", "subscription_id").values():
        for updated_at, row in versions.items():
            subscriptions[row["msisdn"]].append((updated_at, row))

    seen: set[str] = set()
    usage: dict[tuple[int, str], dict[str, Any]] = {}
    for _, row in run.rows("telecom_cdrs"):
        if _reject_reason(row) or row["cdr_id"] in seen:
            continue
        seen.add(row["cdr_id"])
        started_at, call_type = row["started_at"], row["call_type"]
        duration, volume = int(row["duration_s"]), int(row["bytes_up"]) + int(row["bytes_down"])
        subscription = _as_of(subscriptions.get(row["msisdn"], []), started_at)
        charge = Decimal(0)
        customer_id = -1
        if subscription is not None:
            assert subscription["activated_at"] <= started_at
            customer_id = int(subscription["customer_id"])
            plan = _as_of(plans[subscription["plan_id"]], started_at)
            if call_type == "voice":
                charge = math.ceil(duration / 60) * Decimal(plan["price_per_minute_eur"])
            elif call_type == "sms":
                charge = Decimal(plan["price_per_sms_eur"])
            else:
                charge = math.ceil(volume / 1_000_000) * Decimal(plan["price_per_mb_eur"])
            charge *= 2 if row["is_roaming"] == "true" else 1
        day = usage.setdefault(
            (customer_id, started_at[:10]),
            {
                "call_count": 0,
                "voice_seconds": 0,
                "sms_count": 0,
                "data_bytes": 0,
                "charge": Decimal(0),
            },
        )
        day["call_count"] += 1
        day["voice_seconds"] += duration if call_type == "voice" else 0
        day["sms_count"] += call_type == "sms"
        day["data_bytes"] += volume if call_type == "data" else 0
        day["charge"] += charge

    expected = [
        {
            "customer_id": customer_id,
            "usage_date": usage_date,
            "call_count": totals["call_count"],
            "voice_seconds": totals["voice_seconds"],
            "sms_count": totals["sms_count"],
            "data_bytes": totals["data_bytes"],
            "charge_eur": str(totals["charge"].quantize(Decimal("0.0001"))),
        }
        for (customer_id, usage_date), totals in sorted(usage.items())
    ]
    assert run.manifest["usage_per_customer_day"] == expected


def test_revenue_and_order_states_equal_the_latest_exports(run: Run) -> None:
    latest: dict[str, dict[str, str]] = {}
    history: dict[str, list[str]] = defaultdict(list)
    for _, row in run.rows("shop_orders"):
        latest[row["order_id"]] = row
        history[row["order_id"]].append(row["order_status"])
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for _, row in run.rows("shop_order_items"):
        totals[row["order_id"]] += int(row["quantity"]) * Decimal(row["unit_price_eur"])

    revenue = {day.isoformat(): Decimal("0.00") for day in _dates(run.config)}
    for order_id, row in latest.items():
        if row["order_status"] in REVENUE_STATUSES:
            revenue[row["ordered_at"][:10]] += totals[order_id]
    assert run.manifest["revenue_per_day"] == {day: str(amount) for day, amount in revenue.items()}
    statuses = Counter(row["order_status"] for row in latest.values())
    assert {k: v for k, v in run.manifest["orders_per_status"].items() if v} == dict(statuses)
    unknown = sum(row["customer_id"] == "" for row in latest.values())
    assert run.manifest["orders_unknown_customer"] == unknown > 0

    # An order is exported on the day it is placed and again only when it moves on.
    for order_id, states in history.items():
        for before, after in itertools.pairwise(states):
            assert _reachable(before, after), (order_id, states)


def _successors(status: str) -> set[str]:
    found: set[str] = set()
    frontier = {status}
    while frontier:
        frontier = {n for s in frontier for n in ORDER_NEXT.get(s, set())} - found
        found |= frontier
    return found


def _reachable(before: str, after: str) -> bool:
    return after in _successors(before)


def test_scd2_entities_change_at_most_once_a_day_and_versions_match(run: Run) -> None:
    tables = {
        "customers": ("shop_customers", "customer_id"),
        "products": ("shop_products", "product_id"),
        "service_plans": ("telecom_service_plans", "plan_id"),
        "subscriptions": ("telecom_subscriptions", "subscription_id"),
    }
    for entity, (table, key) in tables.items():
        versions = _versions(run, table, key)
        for entity_id, by_updated_at in versions.items():
            days = [updated_at[:10] for updated_at in by_updated_at]
            assert len(days) == len(set(days)), (entity, entity_id, sorted(by_updated_at))
            first = by_updated_at[min(by_updated_at)]
            if entity in ("customers", "products"):
                assert first["created_at"] == min(by_updated_at)
            if entity == "subscriptions":
                assert first["activated_at"] == min(by_updated_at)
        counts = {entity_id: len(v) for entity_id, v in versions.items()}
        assert run.manifest["scd2_versions"][entity] == dict(
            sorted(counts.items(), key=lambda kv: int(kv[0]))
        )
        assert any(count > 1 for count in counts.values()), f"no {entity} changed"

    start = run.config.start_date.isoformat()
    assert all(min(v) < start for v in _versions(run, "telecom_service_plans", "plan_id").values())


def test_orders_and_items_name_existing_customers_and_products(run: Run) -> None:
    customers_since = {
        row["customer_id"]: row["created_at"] for _, row in run.rows("shop_customers")
    }
    # product -> (day of each export that carried it, price versions)
    exported_on: dict[str, set[date]] = defaultdict(set)
    prices: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for export, row in run.rows("shop_products"):
        exported_on[row["product_id"]].add(export.day)
        prices[row["product_id"]].append((row["updated_at"], row["price_eur"]))
    dates = _dates(run.config)
    deleted = sorted(int(p) for p, days in exported_on.items() if max(days) < dates[-1])
    assert run.manifest["deleted_products"] == deleted and deleted

    orders = {}
    for export, row in run.rows("shop_orders"):
        orders.setdefault(row["order_id"], (export.day, row))
        assert orders[row["order_id"]][0].isoformat() == row["ordered_at"][:10]
        if row["customer_id"]:
            assert customers_since[row["customer_id"]] <= row["ordered_at"]

    items_of_deleted = 0
    for export, row in run.rows("shop_order_items"):
        order_day, order = orders[row["order_id"]]
        assert order_day == export.day and row["created_at"] == order["ordered_at"]
        assert row["created_at"][:10] == export.day.isoformat()
        if export.day in exported_on[row["product_id"]]:
            assert _as_of(prices[row["product_id"]], row["created_at"]) == row["unit_price_eur"]
        else:
            # Deleted on an earlier day: absent from this day's export and the one before.
            assert export.day - timedelta(days=1) not in exported_on[row["product_id"]]
            items_of_deleted += 1
    assert run.manifest["order_items_unknown_product"] == items_of_deleted > 0


def test_some_customers_subscribe_later(run: Run) -> None:
    activations = {row["activated_at"][:10] for _, row in run.rows("telecom_subscriptions")}
    assert len(activations) > 1


# ---------- CLI and config


def test_cli_writes_files_and_the_manifest_beside_the_out_dir(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as leaving:
        main(["--help"])
    assert leaving.value.code == 0
    help_text = capsys.readouterr().out
    for knob in dataclasses.fields(SimulatorConfig):
        assert f"--{knob.name.replace('_', '-')}" in help_text

    inbox = tmp_path / "data" / "inbox"
    stale = inbox / "shop_orders" / "shop_orders_1999-01-01.csv"
    stale.parent.mkdir(parents=True)
    stale.write_text("old\n")
    args = [
        "--out-dir",
        str(inbox),
        "--days",
        "2",
        "--calls-per-day",
        "50",
        "--customers",
        "10",
    ]
    assert main([*args, "--clean"]) == 0
    assert not stale.exists()
    assert (tmp_path / "data" / "manifest.json").is_file()
    assert len(list((inbox / "telecom_cdrs").glob("*.csv"))) == 2 * SimulatorConfig().switches


@pytest.mark.parametrize(
    "change",
    [
        {"days": 0},
        {"switches": 0},
        {"late_rate": 1.5},
        {"customers": -1},
        {"unknown_cell_rate": 0.6, "unknown_msisdn_rate": 0.6},
    ],
)
def test_config_rejects_impossible_values(change: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        SimulatorConfig(**change)

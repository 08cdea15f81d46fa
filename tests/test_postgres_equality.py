"""PostgreSQL gives the same answers as DuckDB, and only the analyst's share is readable.

One simulated dataset is landed twice, its files with Meltano and today's changes and
CDRs from Kafka with the extractor, into a DuckDB sandbox (environment `dev`, job `elt`)
and into a throwaway PostgreSQL warehouse (environment `prod`, job `elt-postgres`), and
dbt builds both, over two nights (the incremental models build on what the first night
left). The marts are then compared with each other row by
row and with the simulator's manifest: the same models on two engines must agree to the
last decimal, and each must agree with the ground truth. Last, PostgreSQL's incremental
models are compared with a full refresh of themselves.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg
import pytest

from extract.kafka.topics import known_topics
from tests import warehouse_metrics
from tests.conftest import E2E_CONFIG, STREAM_CONFIG, _dates
from tests.ground_truth import expected_rejected_rows
from tests.pipeline import Sandbox, deliver_days, meltano, query
from tests.postgres_fixtures import (
    ANALYST_PASSWORD,
    ANALYST_ROLE,
    PostgresSandbox,
    PostgresWarehouse,
    dbt_postgres,
    meltano_prod,
    postgres_warehouse,  # noqa: F401 (a fixture, used by name)
)
from tests.test_incremental import AUDIT_COLUMNS, FULL_REFRESH_SELECTION, INCREMENTAL_MODELS
from tools.kafka_broker import running_broker
from tools.kafka_publish import publish_simulation
from tools.simulator import generate

log = logging.getLogger(__name__)

# Facts and the key that identifies a row; every other column (measures, surrogate
# keys, dates, flags) must be equal on both engines.
FACT_KEYS = {
    "fct_orders": ("order_id",),
    "fct_order_items": ("order_item_id",),
    "fct_calls": ("cdr_id",),
    "fct_daily_customer_usage": ("customer_id", "usage_date"),
    # The analytics marts (fct_anomalies stays empty over five days: too short a baseline).
    "fct_daily_sales": ("order_date", "order_channel"),
    "fct_monthly_top_products": ("month_start_date", "revenue_rank"),
    "fct_monthly_top_customers": ("month_start_date", "revenue_rank"),
    "dim_customer_value": ("customer_id",),
    "fct_cohort_retention": ("cohort_month", "months_since_signup"),
    "fct_cell_hourly_kpis": ("cell_id", "call_hour"),
    "fct_cell_daily_kpis": ("cell_id", "call_date"),
    "fct_plan_monthly_revenue": ("service_plan_sk", "month_start_date"),
}
DIMENSIONS = {
    "dim_customers": "customer_id",
    "dim_products": "product_id",
    "dim_service_plans": "plan_id",
    "dim_cells": "cell_id",
    "dim_dates": "date_day",
}


@dataclass(frozen=True)
class Engines:
    """The same data built on both engines."""

    duckdb: Sandbox
    postgres: PostgresWarehouse
    postgres_sandbox: PostgresSandbox
    manifest: dict[str, Any]
    kafka_truth: dict[str, Any]
    build_seconds: dict[str, float]

    def query(self, engine: str, sql: str) -> list[tuple[Any, ...]]:
        if engine == "duckdb":
            return query(self.duckdb, sql)
        return self.postgres.query(sql)


def _build_seconds(target_dir: Path) -> float:
    """dbt's own wall time of the last invocation (the night's build), from run_results.json."""
    return float(json.loads((target_dir / "run_results.json").read_text())["elapsed_time"])


@pytest.fixture(scope="module")
def engines(
    postgres_warehouse: PostgresWarehouse,  # noqa: F811 (the imported fixture)
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Engines]:
    # A broker of the module's own: both engines read the same publication.
    with running_broker() as broker:
        yield _build_engines(
            postgres_warehouse,
            tmp_path_factory.mktemp("postgres_equality"),
            broker.bootstrap_servers,
        )


def _build_engines(warehouse: PostgresWarehouse, root: Path, bootstrap_servers: str) -> Engines:
    # Every day's files, and the Kafka feed of the shop's changes and of the last two
    # days' CDRs: both engines merge the two paths and keep each call once.
    generated = root / "generated"
    manifest = generate(STREAM_CONFIG, generated, root / "manifest.json")
    dates = _dates(STREAM_CONFIG, STREAM_CONFIG.days)
    kafka_truth = publish_simulation(
        bootstrap_servers, STREAM_CONFIG, E2E_CONFIG.days, root / "kafka_truth.json"
    )

    duckdb_sandbox = Sandbox(root / "duckdb", kafka_bootstrap_servers=bootstrap_servers)
    postgres_sandbox = PostgresSandbox(
        root / "postgres",
        kafka_bootstrap_servers=bootstrap_servers,
        warehouse_env=tuple(warehouse.env().items()),
    )
    # Two nights, each built incrementally: the first brings every day's files but the
    # last and the stream; the second the last day's files, repeating streamed calls.
    for night_dates in (dates[:-1], dates[-1:]):
        for sandbox in (duckdb_sandbox, postgres_sandbox):
            deliver_days(generated, sandbox.inbox_dir, night_dates)
        meltano(duckdb_sandbox, "run", "elt")
        meltano_prod(postgres_sandbox, "run", "elt-postgres")

    build_seconds = {
        "duckdb": _build_seconds(duckdb_sandbox.dbt_target_dir),
        "postgres": _build_seconds(postgres_sandbox.dbt_target_dir),
    }
    log.info(
        "dbt build wall time of the second night (%d days): DuckDB %.1f s, PostgreSQL %.1f s",
        E2E_CONFIG.days,
        build_seconds["duckdb"],
        build_seconds["postgres"],
    )
    (root / "build_seconds.json").write_text(json.dumps(build_seconds))
    return Engines(
        duckdb=duckdb_sandbox,
        postgres=warehouse,
        postgres_sandbox=postgres_sandbox,
        manifest=manifest,
        kafka_truth=kafka_truth,
        build_seconds=build_seconds,
    )


def _columns(engines: Engines, table: str) -> list[str]:
    rows = engines.query(
        "postgres",
        "select column_name from information_schema.columns "
        f"where table_schema = 'marts' and table_name = '{table}' order by ordinal_position",
    )
    # The incremental facts' audit columns hold each engine's own run times.
    return [name for (name,) in rows if name not in AUDIT_COLUMNS]


def _rows_by_key(
    engines: Engines, engine: str, table: str, columns: list[str], key: tuple[str, ...]
) -> dict[tuple[Any, ...], dict[str, Any]]:
    rows = engines.query(engine, f"select {', '.join(columns)} from marts.{table}")
    by_key: dict[tuple[Any, ...], dict[str, Any]] = {}
    for row in rows:
        record = dict(zip(columns, row, strict=True))
        by_key[tuple(record[name] for name in key)] = record
    assert len(by_key) == len(rows), f"{engine} {table}: key {key} is not unique"
    return by_key


@pytest.mark.parametrize("table", sorted(FACT_KEYS))
def test_fact_rows_equal_on_both_engines(engines: Engines, table: str) -> None:
    key = FACT_KEYS[table]
    columns = _columns(engines, table)
    assert columns, f"marts.{table} missing on PostgreSQL"
    duck = _rows_by_key(engines, "duckdb", table, columns, key)
    postgres = _rows_by_key(engines, "postgres", table, columns, key)
    assert duck, f"marts.{table} is empty: the comparison would prove nothing"
    assert sorted(duck, key=repr) == sorted(postgres, key=repr), f"{table}: keys differ"

    differences = [
        (row_key, name, duck[row_key][name], postgres[row_key][name])
        for row_key in duck
        for name in columns
        if duck[row_key][name] != postgres[row_key][name]
    ]
    assert not differences, f"{table}: {len(differences)} values differ, first: {differences[:5]}"

    # Exact decimals: money is Decimal on both engines (never a float, which would
    # make "equal" depend on rounding), with the same scale.
    for name in columns:
        duck_values = [row[name] for row in duck.values() if row[name] is not None]
        postgres_values = [row[name] for row in postgres.values() if row[name] is not None]
        assert not any(isinstance(value, float) for value in duck_values + postgres_values), (
            f"{table}.{name} is a float"
        )
        if duck_values and isinstance(duck_values[0], Decimal):
            assert {v.as_tuple().exponent for v in duck_values} == {
                v.as_tuple().exponent for v in postgres_values
            }, f"{table}.{name}: decimal scales differ"


@pytest.mark.parametrize("table", sorted(DIMENSIONS))
def test_dimension_version_counts_equal_on_both_engines(engines: Engines, table: str) -> None:
    key = DIMENSIONS[table]
    sql = f"select {key}, count(*) from marts.{table} group by 1"
    duck = dict(engines.query("duckdb", sql))
    postgres = dict(engines.query("postgres", sql))
    assert duck
    assert duck == postgres


def test_rejected_rows_per_reason_equal_on_both_engines(engines: Engines) -> None:
    duck = warehouse_metrics.rejected_rows(engines.duckdb)
    postgres = warehouse_metrics.rejected_rows(engines.postgres.query)
    assert duck, "the dataset must exercise the quarantine"
    assert duck == postgres


def test_postgres_raw_rows_equal_file_rows(engines: Engines) -> None:
    assert warehouse_metrics.raw_rows(engines.postgres.query) == engines.manifest["raw_rows"]


def test_postgres_landed_every_published_message(engines: Engines) -> None:
    landed = warehouse_metrics.kafka_rows(engines.postgres.query)
    published = engines.kafka_truth["published"]["messages"]
    assert {topic: landed[spec.raw_table] for topic, spec in known_topics().items()} == published
    assert landed["kafka_dead_letters"] == 0


def test_postgres_marts_match_ground_truth(engines: Engines) -> None:
    actual = warehouse_metrics.mart_fingerprint(engines.postgres.query)
    manifest = engines.manifest
    assert actual["revenue_per_day"] == {
        day: value for day, value in manifest["revenue_per_day"].items() if Decimal(value) != 0
    }
    assert actual["orders_per_status"] == {
        status: n for status, n in manifest["orders_per_status"].items() if n
    }
    assert actual["usage_per_customer_day"] == manifest["usage_per_customer_day"]
    assert actual["scd2_versions"] == manifest["scd2_versions"]
    assert actual["deleted_products"] == manifest["deleted_products"]
    assert actual["rejected_rows"] == expected_rejected_rows(
        manifest, engines.kafka_truth, STREAM_CONFIG.days
    )
    calls = manifest["calls"]
    assert actual["calls"] == {name: calls[name] for name in actual["calls"]}
    assert actual["orders_unknown_customer"] == manifest["orders_unknown_customer"]
    assert actual["order_items_unknown_product"] == manifest["order_items_unknown_product"]


def test_postgres_fingerprint_equals_duckdb(engines: Engines) -> None:
    assert warehouse_metrics.mart_fingerprint(
        engines.postgres.query
    ) == warehouse_metrics.mart_fingerprint(engines.duckdb)


def test_build_times_recorded(engines: Engines) -> None:
    assert all(seconds > 0 for seconds in engines.build_seconds.values())


# ---------------------------------------------------------------- access


def _as_analyst(engines: Engines) -> psycopg.Connection:
    return engines.postgres.connect(user=ANALYST_ROLE, password=ANALYST_PASSWORD)


@pytest.mark.parametrize("table", sorted({*FACT_KEYS, *DIMENSIONS, "fct_rejected_rows"}))
def test_analyst_can_read_every_mart(engines: Engines, table: str) -> None:
    with _as_analyst(engines) as connection:
        (count,) = connection.execute(f"select count(*) from marts.{table}").fetchone()
    assert count == engines.query("postgres", f"select count(*) from marts.{table}")[0][0]


@pytest.mark.parametrize(
    "relation",
    [
        "raw.shop_orders",
        "raw.telecom_cdrs",
        "staging.stg_shop__orders",
        "intermediate.int_subscriptions__versioned",
        "snapshots.customers_snapshot",
    ],
)
def test_analyst_cannot_read_outside_the_marts(engines: Engines, relation: str) -> None:
    # The relation exists (read as the owner), so the refusal is about privileges.
    engines.query("postgres", f"select 1 from {relation} limit 1")
    with _as_analyst(engines) as connection, pytest.raises(psycopg.errors.InsufficientPrivilege):
        connection.execute(f"select 1 from {relation} limit 1")


@pytest.mark.parametrize(
    "statement",
    [
        "insert into marts.fct_orders (order_id) values (-42)",
        "update marts.dim_customers set city = 'nowhere'",
        "delete from marts.fct_calls",
        "create table marts.analyst_scratch (id int)",
        "create table public.analyst_scratch (id int)",
        "drop table marts.fct_orders",
    ],
)
def test_analyst_cannot_write(engines: Engines, statement: str) -> None:
    with _as_analyst(engines) as connection, pytest.raises(psycopg.errors.InsufficientPrivilege):
        connection.execute(statement)


# ---------------------------------------------------------------- incremental


def _incremental_rows(engines: Engines) -> dict[str, Counter[tuple[Any, ...]]]:
    """Every row of every incremental model on PostgreSQL, audit columns aside."""
    rows = {}
    for relation in INCREMENTAL_MODELS:
        schema, table = relation.split(".")
        columns = [
            name
            for (name,) in engines.query(
                "postgres",
                "select column_name from information_schema.columns "
                f"where table_schema = '{schema}' and table_name = '{table}' "
                "order by ordinal_position",
            )
            if name not in AUDIT_COLUMNS
        ]
        rows[relation] = Counter(
            engines.query("postgres", f"select {', '.join(columns)} from {relation}")
        )
    return rows


# Last in the module: it rebuilds the CDR chain on PostgreSQL (to the same rows).
def test_postgres_incremental_models_equal_full_refresh(engines: Engines) -> None:
    incremental = _incremental_rows(engines)
    # The second night re-rates the streamed calls its subscriptions export covers and
    # keeps the rest as the first night rated them.
    (runs,) = engines.query(
        "postgres", "select count(distinct dbt_updated_at) from intermediate.int_cdrs__rated"
    )[0]
    assert runs > 1, "the nights must have been built incrementally"
    dbt_postgres(
        engines.postgres_sandbox, "run", "--full-refresh", "--select", FULL_REFRESH_SELECTION
    )
    full_refresh = _incremental_rows(engines)
    for relation, rows in incremental.items():
        assert rows, f"{relation} is empty: the comparison would prove nothing"
        only_incremental = rows - full_refresh[relation]
        only_full_refresh = full_refresh[relation] - rows
        assert not only_incremental and not only_full_refresh, (
            relation,
            list(only_incremental)[:5],
            list(only_full_refresh)[:5],
        )

"""The shop's operational PostgreSQL as a source: tap-postgres into the warehouse, dbt on top.

A throwaway source cluster (`wal_level = logical`, wal2json) holds the shop database,
written day by day by `tools/shop_db.py` from the simulator; the warehouse is a
database of its own in the throwaway warehouse cluster. Two stories, each through the
Meltano jobs of environment prod:

- INCREMENTAL (`tap-postgres`): the job runs every night after the shop's day; the shop
  marts equal the simulator's manifest. A query cannot see deleted rows, so deleted
  products stay current on this path (that is what `tap-postgres-log` is for).
- LOG_BASED (`tap-postgres-log`): the first run loads every table in full, later runs
  read the write-ahead log; the next day's changes, an UPDATE and a DELETE made by hand
  reach the marts.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg
import pytest

from extract.contract import HEADERS
from tests import warehouse_metrics
from tests.conftest import E2E_CONFIG
from tests.postgres_fixtures import (
    LOADER_PASSWORD,
    LOADER_ROLE,
    PostgresSandbox,
    PostgresWarehouse,
    meltano_prod,
    postgres_warehouse,  # noqa: F401 (a fixture, used by name)
    require_postgres,
)
from tools.kafka_broker import running_broker
from tools.postgres_cluster import PostgresCluster, throwaway_cluster
from tools.shop_db import apply_day, create_schema
from tools.simulator import generate
from tools.simulator.clock import Clock

log = logging.getLogger(__name__)

SHOP_ROLE = "shop"
SHOP_PASSWORD = "shop-test"
# The slot tap-postgres-log reads (meltano.yml); created beforehand, as a DBA would.
REPLICATION_SLOT = "telestream_shop_db"
CLOCK = Clock(E2E_CONFIG.start_date)


@dataclass(frozen=True)
class ShopDatabase:
    """A shop database in the source cluster, and the warehouse database fed from it."""

    cluster: PostgresCluster
    name: str
    sandbox: PostgresSandbox
    query: Callable[[str], list[tuple[Any, ...]]]

    def connect(self) -> psycopg.Connection[Any]:
        return psycopg.connect(
            self.cluster.dsn(self.name, user=SHOP_ROLE, password=SHOP_PASSWORD), autocommit=True
        )


@pytest.fixture(scope="module")
def source_cluster() -> Iterator[PostgresCluster]:
    require_postgres()
    settings = {"wal_level": "logical", "max_replication_slots": "4", "max_wal_senders": "4"}
    with throwaway_cluster(settings) as cluster:
        with psycopg.connect(cluster.dsn(), autocommit=True) as admin:
            # The extractor's role: it reads the tables and, for the log, replicates.
            admin.execute(f"create role {SHOP_ROLE} login replication password '{SHOP_PASSWORD}'")
        yield cluster


@pytest.fixture(scope="module")
def broker_servers() -> Iterator[str]:
    # The jobs drain Kafka too (kafka-extract:run-postgres); nothing is published here.
    with running_broker() as broker:
        yield broker.bootstrap_servers


def _shop_database(
    source: PostgresCluster,
    warehouse: PostgresWarehouse,
    root: Path,
    name: str,
    bootstrap_servers: str,
) -> ShopDatabase:
    """A fresh shop database (tables created) and a fresh warehouse database for it."""
    with psycopg.connect(source.dsn(), autocommit=True) as admin:
        admin.execute(f"create database {name} owner {SHOP_ROLE}")
    warehouse_db = f"warehouse_{name}"
    with psycopg.connect(warehouse.cluster.dsn(), autocommit=True) as admin:
        admin.execute(f"create database {warehouse_db} owner {LOADER_ROLE}")
    env = {
        **warehouse.env(),
        "TELESTREAM_PG_DATABASE": warehouse_db,
        "TELESTREAM_SHOP_PG_HOST": source.host,
        "TELESTREAM_SHOP_PG_PORT": str(source.port),
        "TELESTREAM_SHOP_PG_USER": SHOP_ROLE,
        "TELESTREAM_SHOP_PG_PASSWORD": SHOP_PASSWORD,
        "TELESTREAM_SHOP_PG_DATABASE": name,
    }
    sandbox = PostgresSandbox(
        root, kafka_bootstrap_servers=bootstrap_servers, warehouse_env=tuple(env.items())
    )

    def query(sql: str) -> list[tuple[Any, ...]]:
        with psycopg.connect(
            warehouse.cluster.dsn(warehouse_db, user=LOADER_ROLE, password=LOADER_PASSWORD),
            autocommit=True,
        ) as connection:
            cursor = connection.execute(sql)
            return cursor.fetchall() if cursor.description else []

    _create_file_landing_tables(query)
    shop = ShopDatabase(source, name, sandbox, query)
    with shop.connect() as connection:
        create_schema(connection)
    return shop


def _create_file_landing_tables(query: Callable[[str], list[tuple[Any, ...]]]) -> None:
    """The raw tables of the CSV drops, empty: in production elt-postgres has landed the
    telecom's files (and maybe the shop's) before; dbt creates only the tables of the
    sources whose YAML declares them (`landed_by`), and these do not."""
    query("create schema raw")
    for table, header in HEADERS.items():
        columns = ", ".join(f"{name} text" for name in header)
        query(
            f"create table raw.{table} ({columns}, _sdc_filename text, _sdc_batched_at timestamp, "
            "_sdc_delivery_id text, _sdc_line_number bigint, _sdc_parse_error text, "
            "_sdc_raw_line text)"
        )


# ---------------------------------------------------------------- INCREMENTAL


@dataclass(frozen=True)
class IncrementalRun:
    fingerprint: dict[str, Any]
    manifest: dict[str, Any]
    raw_rows: dict[str, int]


@pytest.fixture(scope="module")
def incremental(
    source_cluster: PostgresCluster,
    postgres_warehouse: PostgresWarehouse,  # noqa: F811 (the imported fixture)
    broker_servers: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> IncrementalRun:
    root = tmp_path_factory.mktemp("shop_db_incremental")
    manifest = generate(E2E_CONFIG, root / "exports", root / "manifest.json")
    shop = _shop_database(source_cluster, postgres_warehouse, root, "shop", broker_servers)
    # A night's run after each day, as scheduled: every version reaches the warehouse.
    for day in range(1, E2E_CONFIG.days + 1):
        with shop.connect() as connection:
            apply_day(connection, root / "exports", CLOCK, day)
        job = "elt-shop-db" if day == E2E_CONFIG.days else "land-shop-db"
        meltano_prod(shop.sandbox, "run", job)
    raw_rows = {
        table: shop.query(f"select count(*) from raw.shop_db_{table}")[0][0]
        for table in ("customers", "products", "orders", "order_items")
    }
    return IncrementalRun(warehouse_metrics.mart_fingerprint(shop.query), manifest, raw_rows)


def test_incremental_revenue_and_orders_match_ground_truth(incremental: IncrementalRun) -> None:
    manifest = incremental.manifest
    assert incremental.fingerprint["revenue_per_day"] == {
        day: value for day, value in manifest["revenue_per_day"].items() if Decimal(value) != 0
    }
    assert incremental.fingerprint["orders_per_status"] == {
        status: n for status, n in manifest["orders_per_status"].items() if n
    }
    assert incremental.fingerprint["orders_unknown_customer"] == manifest["orders_unknown_customer"]


def test_incremental_captures_every_customer_and_product_version(
    incremental: IncrementalRun,
) -> None:
    versions = incremental.fingerprint["scd2_versions"]
    assert versions["customers"] == incremental.manifest["scd2_versions"]["customers"]
    assert versions["products"] == incremental.manifest["scd2_versions"]["products"]


def test_incremental_cannot_see_deletes(incremental: IncrementalRun) -> None:
    assert incremental.manifest["deleted_products"], "the dataset must delete products"
    assert incremental.fingerprint["deleted_products"] == []


def test_incremental_reads_only_changed_rows(incremental: IncrementalRun) -> None:
    # Each run after the first repeats its bookmark's row (`>=`), nothing more.
    exported = incremental.manifest["raw_rows"]
    runs_after_first = E2E_CONFIG.days - 1
    assert incremental.raw_rows["customers"] == exported["shop_customers"] + runs_after_first
    assert incremental.raw_rows["order_items"] == exported["shop_order_items"] + runs_after_first


# ---------------------------------------------------------------- LOG_BASED


BAD_SHOP_ROWS = [
    "insert into products values (990001, 'SKU-BAD', 'Bad', 'accessories', -5.00,"
    " '2026-01-05 08:00', '2026-01-05 09:00')",
    "insert into orders values (990002, 1, 'placed', 'web', '2026-01-05 10:00',"
    " '2026-01-05 09:00')",
    "insert into orders values (990003, 1, 'placed', 'web', '2026-01-05 10:00', null)",
    "insert into order_items values (990004, 990002, 1, 0, 5.00, '2026-01-05 10:00')",
    "insert into customers values (990005, 'Ann', 'Skew', 'a@example.com', 'consumer',"
    " 'Bonn', 'DE', '2026-01-05 10:00', '2026-01-05 08:00')",
]
BAD_SHOP_REJECTS = {
    "shop_db_products": {"negative_price": 1},
    "shop_db_orders": {"updated_before_ordered": 1, "missing_updated_at": 1},
    "shop_db_order_items": {"non_positive_quantity": 1},
    "shop_db_customers": {"updated_before_created": 1},
}


@dataclass(frozen=True)
class LogRun:
    query: Callable[[str], list[tuple[Any, ...]]]
    deleted_after_first_run: list[int]
    updated_order: int
    deleted_order: int
    deleted_order_items: int


@pytest.fixture(scope="module")
def log_based(
    source_cluster: PostgresCluster,
    postgres_warehouse: PostgresWarehouse,  # noqa: F811 (the imported fixture)
    broker_servers: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> LogRun:
    root = tmp_path_factory.mktemp("shop_db_log")
    exports = root / "exports"
    manifest = generate(E2E_CONFIG, exports, root / "manifest.json")
    before_last = generate(
        dataclasses.replace(E2E_CONFIG, days=E2E_CONFIG.days - 1),
        root / "exports_before_last",
        root / "manifest_before_last.json",
    )
    shop = _shop_database(source_cluster, postgres_warehouse, root, "shop_log", broker_servers)
    with shop.connect() as connection:
        connection.execute(
            "select pg_create_logical_replication_slot(%s, 'wal2json')", (REPLICATION_SLOT,)
        )
        for day in range(1, E2E_CONFIG.days):
            apply_day(connection, exports, CLOCK, day)
    # First run: every table in full (auto bootstrap), the log position remembered.
    meltano_prod(shop.sandbox, "run", "tap-postgres-log", "target-postgres")

    with shop.connect() as connection:
        apply_day(connection, exports, CLOCK, E2E_CONFIG.days)
        updated_order, deleted_order = (
            order_id
            for (order_id,) in connection.execute(
                "select order_id from orders where order_status = 'delivered' "
                "order by order_id limit 2"
            ).fetchall()
        )
        connection.execute(
            "update orders set order_status = 'returned', updated_at = %s where order_id = %s",
            (f"{CLOCK.date_of(E2E_CONFIG.days + 1)} 12:00:00", updated_order),
        )
        with connection.transaction():
            deleted_items = connection.execute(
                "delete from order_items where order_id = %s", (deleted_order,)
            ).rowcount
            connection.execute("delete from orders where order_id = %s", (deleted_order,))
            (deleted_product,) = connection.execute(
                "delete from products where product_id = (select min(product_id) from products) "
                "returning product_id"
            ).fetchone()
        # One row of each kind that breaks a rule of the contract, written by hand: each
        # goes to the quarantine, and the build (and the good changes above) go on.
        for statement in BAD_SHOP_ROWS:
            connection.execute(statement)
    meltano_prod(shop.sandbox, "run", "elt-shop-db-log")

    # Products deleted before the first run were never seen; those of the last day and the
    # one deleted by hand were seen alive, then deleted.
    deleted_after_first_run = sorted(
        set(manifest["deleted_products"]) - set(before_last["deleted_products"]) | {deleted_product}
    )
    return LogRun(shop.query, deleted_after_first_run, updated_order, deleted_order, deleted_items)


def test_log_based_update_reaches_the_marts(log_based: LogRun) -> None:
    rows = log_based.query(
        f"select order_status from marts.fct_orders where order_id = {log_based.updated_order}"
    )
    assert rows == [("returned",)]


def test_log_based_delete_reaches_the_marts(log_based: LogRun) -> None:
    assert log_based.deleted_order_items > 0
    order = f"order_id = {log_based.deleted_order}"
    assert log_based.query(f"select count(*) from marts.fct_orders where {order}") == [(0,)]
    assert log_based.query(f"select count(*) from marts.fct_order_items where {order}") == [(0,)]


def test_log_based_product_deletes_reach_the_dimension(log_based: LogRun) -> None:
    deleted = warehouse_metrics.deleted_products(log_based.query)
    assert deleted == log_based.deleted_after_first_run
    # The last version of a deleted product is closed; nothing else is.
    open_versions = log_based.query(
        "select product_id from marts.dim_products where is_current and is_deleted"
    )
    assert open_versions == []


def test_log_based_bad_rows_are_quarantined_and_the_build_goes_on(log_based: LogRun) -> None:
    rejected = warehouse_metrics.rejected_rows(log_based.query)
    assert {t: r for t, r in rejected.items() if t.startswith("shop_db")} == BAD_SHOP_REJECTS
    bad_orders = log_based.query(
        "select count(*) from marts.fct_orders where order_id in (990002, 990003)"
    )
    assert bad_orders == [(0,)]

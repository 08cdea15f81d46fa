"""Write the simulated shop into an operational PostgreSQL database, day by day.

The simulator's daily exports (docs/source_contract.md) are the shop's end-of-day
states; replayed in order into typed tables with primary keys, they make the database a
live shop would have: each day in one transaction, new keys inserted, changed rows
updated (an unchanged row is not touched, so it writes no WAL), and products missing
from the day's full export deleted. The ground truth is the simulator's manifest of the
same config, so the warehouse built from this database must match it as it matches the
CSV drops.

Usage: python -m tools.shop_db --dsn postgresql://shop@127.0.0.1/shop --days 14
"""

from __future__ import annotations

import argparse
import csv
import logging
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from tools.simulator import SimulatorConfig, generate
from tools.simulator.clock import Clock
from tools.simulator.config import add_config_flags, config_from_flags
from tools.simulator.writer import export_path

log = logging.getLogger("tools.shop_db")


@dataclass(frozen=True)
class Table:
    """A shop table: its columns (name, PostgreSQL type) with the primary key first."""

    name: str
    columns: tuple[tuple[str, str], ...]
    # A full export lists every live row, so a key it misses was deleted.
    is_full_export: bool = False

    @property
    def key(self) -> str:
        return self.columns[0][0]

    @property
    def column_names(self) -> list[str]:
        return [name for name, _ in self.columns]


# The contract's columns, typed as the shop stores them; `exported_at` is an artefact of
# the CSV export, not a column of the shop.
TABLES = (
    Table(
        "customers",
        (
            ("customer_id", "bigint"), ("first_name", "text"), ("last_name", "text"),
            ("email", "text"), ("segment", "text"), ("city", "text"), ("country_code", "text"),
            ("created_at", "timestamp"), ("updated_at", "timestamp"),
        ),
    ),
    Table(
        "products",
        (
            ("product_id", "bigint"), ("sku", "text"), ("product_name", "text"),
            ("category", "text"), ("price_eur", "numeric(18, 2)"), ("created_at", "timestamp"),
            ("updated_at", "timestamp"),
        ),
        is_full_export=True,
    ),
    Table(
        "orders",
        (
            ("order_id", "bigint"), ("customer_id", "bigint"), ("order_status", "text"),
            ("channel", "text"), ("ordered_at", "timestamp"), ("updated_at", "timestamp"),
        ),
    ),
    Table(
        "order_items",
        (
            ("order_item_id", "bigint"), ("order_id", "bigint"), ("product_id", "bigint"),
            ("quantity", "integer"), ("unit_price_eur", "numeric(18, 2)"),
            ("created_at", "timestamp"),
        ),
    ),
)  # fmt: skip


def create_schema(connection: psycopg.Connection[Any]) -> None:
    """Create the shop's tables in `public` (no foreign keys: the simulator's defects
    include orders of no customer and items of deleted products, which the shop kept)."""
    with connection.transaction():
        for table in TABLES:
            columns = [
                sql.SQL("{} {}").format(sql.Identifier(name), sql.SQL(data_type))
                for name, data_type in table.columns
            ]
            columns.append(sql.SQL("primary key ({})").format(sql.Identifier(table.key)))
            connection.execute(
                sql.SQL("create table if not exists public.{} ({})").format(
                    sql.Identifier(table.name), sql.SQL(", ").join(columns)
                )
            )


def _upsert_statement(table: Table) -> sql.Composed:
    """Insert a row, or update it when any column differs (an identical row is left alone)."""
    names = table.column_names
    others = names[1:]
    return sql.SQL(
        "insert into public.{table} ({columns}) values ({values}) "
        "on conflict ({key}) do update set {assignments} "
        "where ({current}) is distinct from ({incoming})"
    ).format(
        table=sql.Identifier(table.name),
        columns=sql.SQL(", ").join(map(sql.Identifier, names)),
        values=sql.SQL(", ").join(sql.Placeholder() * len(names)),
        key=sql.Identifier(table.key),
        assignments=sql.SQL(", ").join(
            sql.SQL("{0} = excluded.{0}").format(sql.Identifier(name)) for name in others
        ),
        current=sql.SQL(", ").join(
            sql.SQL("{}.{}").format(sql.Identifier(table.name), sql.Identifier(name))
            for name in others
        ),
        incoming=sql.SQL(", ").join(
            sql.SQL("excluded.{}").format(sql.Identifier(name)) for name in others
        ),
    )


def _export_rows(path: Path, table: Table) -> list[tuple[str | None, ...]]:
    """The export's rows in the table's column order; an empty field is null."""
    with path.open(newline="", encoding="utf-8") as handle:
        return [
            tuple(row[name] or None for name in table.column_names)
            for row in csv.DictReader(handle)
        ]


@dataclass(frozen=True)
class DayApplied:
    """What one day changed in the database."""

    upserted: dict[str, int]
    deleted: dict[str, int]


def apply_day(
    connection: psycopg.Connection[Any], exports_dir: Path, clock: Clock, day: int
) -> DayApplied:
    """Apply day `day`'s exports (written by the simulator into `exports_dir`) in one
    transaction, as the shop committed that day's work."""
    upserted: dict[str, int] = {}
    deleted: dict[str, int] = {}
    with connection.transaction(), connection.cursor() as cursor:
        for table in TABLES:
            path = export_path(exports_dir, f"shop_{table.name}", clock.date_of(day))
            if not path.exists():
                raise FileNotFoundError(f"no export of day {day} for {table.name}: {path}")
            rows = _export_rows(path, table)
            cursor.executemany(_upsert_statement(table), rows)
            upserted[table.name] = cursor.rowcount if rows else 0
            if table.is_full_export:
                cursor.execute(
                    sql.SQL("delete from public.{} where not ({} = any(%s))").format(
                        sql.Identifier(table.name), sql.Identifier(table.key)
                    ),
                    ([int(row[0]) for row in rows if row[0] is not None],),
                )
                deleted[table.name] = cursor.rowcount
    return DayApplied(upserted=upserted, deleted=deleted)


def replay(
    connection: psycopg.Connection[Any],
    exports_dir: Path,
    clock: Clock,
    days: Iterable[int],
) -> None:
    """Apply the given days in order, logging one line per day."""
    for day in days:
        began = time.perf_counter()
        applied = apply_day(connection, exports_dir, clock, day)
        log.info(
            "day %d (%s): upserted %s, deleted %s in %.2fs",
            day, clock.date_of(day), applied.upserted, applied.deleted,
            time.perf_counter() - began,
        )  # fmt: skip


def write_simulation(
    conninfo: str, config: SimulatorConfig, first_day: int, manifest_path: Path
) -> dict[str, Any]:
    """Simulate `config.days` days, write days `first_day`..`config.days` into the
    database (creating its tables if needed) and the manifest; return the manifest."""
    if not 1 <= first_day <= config.days:
        raise ValueError(f"first_day must be within 1..{config.days}, got {first_day}")
    with tempfile.TemporaryDirectory(prefix="shop-db-") as scratch:
        exports = Path(scratch) / "exports"
        manifest = generate(config, exports, manifest_path)
        with psycopg.connect(conninfo, autocommit=True) as connection:
            create_schema(connection)
            replay(connection, exports, Clock(config.start_date), range(first_day, config.days + 1))
    return manifest


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m tools.shop_db",
        description="Simulate --days days of the shop and write them, one transaction per "
        "day, into an operational PostgreSQL database (tables customers, products, orders, "
        "order_items in schema public, created if missing); write the ground-truth manifest. "
        "Days already written are skipped with --from-day; the simulator flags must match "
        "the earlier run's.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument(
        "--dsn",
        default="",
        help="libpq connection string or URL of the shop database; empty: the PG* "
        "environment variables (PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE)",
    )
    parser.add_argument(
        "--from-day",
        type=int,
        default=1,
        help="first day to write (the days before are assumed written already)",
    )
    parser.add_argument(
        "--manifest",
        type=Path,
        default=Path("data/shop_db_manifest.json"),
        help="ground-truth JSON path",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    add_config_flags(parser)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    write_simulation(args.dsn, config_from_flags(args), args.from_day, args.manifest)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

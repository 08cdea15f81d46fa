"""Print what a `make run` built, as aligned tables a person reads.

Rows per mart, dbt's results, the sources' freshness, the Kafka speed path (published,
landed, visible in the marts), where the warehouse is, and an example query's result.

Usage: python -m tools.run_summary --warehouse warehouse.duckdb \
           --run-results target/run_results.json --sources target/sources.json \
           --kafka-truth data/kafka_truth.json
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import textwrap
from collections import Counter
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

from extract.kafka.topics import known_topics

log = logging.getLogger("tools.run_summary")

EXAMPLE_QUERY = """\
select order_date, count(*) as orders, sum(revenue_eur) as revenue_eur
from marts.fct_orders
group by order_date
order by order_date
limit 5"""


Cell = str | int | float | Decimal | date | datetime | bool | None


def format_cell(value: Cell) -> str:
    """A value as a person writes it: 1,234 and 121,307.14, ISO dates, empty for null."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, Decimal | float):
        return f"{value:,.2f}"
    if isinstance(value, date | datetime):
        return value.isoformat(sep=" ") if isinstance(value, datetime) else value.isoformat()
    return str(value)


def _is_number(value: Cell) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def format_table(headers: Sequence[str], rows: Sequence[Sequence[Cell]], indent: str = "  ") -> str:
    """An aligned plain-text table: numbers right-aligned, everything else left-aligned."""
    texts = [[format_cell(value) for value in row] for row in rows]
    widths = [
        max([len(header), *(len(row[index]) for row in texts)])
        for index, header in enumerate(headers)
    ]
    numeric = [
        bool(rows) and all(_is_number(row[index]) or row[index] is None for row in rows)
        for index in range(len(headers))
    ]

    def line(cells: Sequence[str]) -> str:
        padded = [
            cell.rjust(width) if is_numeric else cell.ljust(width)
            for cell, width, is_numeric in zip(cells, widths, numeric, strict=True)
        ]
        return (indent + "  ".join(padded)).rstrip()

    rule = [("-" * width) for width in widths]
    return "\n".join([line(list(headers)), line(rule), *(line(row) for row in texts)])


def _count(connection: duckdb.DuckDBPyConnection, sql: str, *params: object) -> int:
    row = connection.execute(sql, list(params)).fetchone()
    return int(row[0]) if row is not None and row[0] is not None else 0


def mart_row_counts(warehouse: Path) -> dict[str, int]:
    """Rows of every table in the marts schema."""
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        tables = connection.execute(
            "select table_name from information_schema.tables "
            "where table_schema = 'marts' order by table_name"
        ).fetchall()
        return {
            name: _count(connection, f'select count(*) from marts."{name}"') for (name,) in tables
        }


def result_counts(run_results: Path) -> Counter[tuple[str, str]]:
    """dbt node results by kind and status, e.g. {('test', 'pass'): 180}."""
    results = json.loads(run_results.read_text())["results"]
    return Counter(
        (str(result["unique_id"]).split(".")[0], str(result["status"])) for result in results
    )


def _criterion(criteria: dict[str, Any], name: str) -> str:
    threshold = criteria.get(name) or {}
    if threshold.get("count") is None:
        return ""
    return f"{threshold['count']} {threshold['period']}"


def freshness_rows(sources: Path) -> list[tuple[Cell, ...]]:
    """Per source table of `dbt source freshness`: status, last landing, age, thresholds."""
    rows: list[tuple[Cell, ...]] = []
    for result in json.loads(sources.read_text())["results"]:
        name = ".".join(str(result["unique_id"]).split(".")[2:])
        landed_text = result.get("max_loaded_at")
        landed = datetime.fromisoformat(landed_text) if landed_text else None
        # dbt reports a table without rows as last loaded at the year 1.
        if landed is not None and landed.year == 1:
            landed = None
        age = result.get("max_loaded_at_time_ago_in_s")
        criteria = result.get("criteria") or {}
        rows.append(
            (
                name,
                str(result["status"]),
                landed.replace(microsecond=0) if landed is not None else "never",
                round(float(age) / 3600, 2) if landed is not None and age is not None else None,
                _criterion(criteria, "warn_after"),
                _criterion(criteria, "error_after"),
            )
        )
    return sorted(rows, key=lambda row: str(row[0]))


def example_query(warehouse: Path) -> tuple[list[str], list[tuple[Cell, ...]]]:
    """The example query's column names and rows."""
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        cursor = connection.execute(EXAMPLE_QUERY)
        return [column[0] for column in cursor.description], cursor.fetchall()


def speed_path(warehouse: Path, truth: dict[str, Any]) -> list[str]:
    """Published vs landed per topic, and what only the stream brought into the marts."""
    manifest = truth["manifest"]
    today = max(manifest["revenue_per_day"])
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        dead_letters = {
            str(topic): int(n)
            for topic, n in connection.execute(
                "select topic, count(*) from raw.kafka_dead_letters group by topic"
            ).fetchall()
        }
        landed = {
            topic: _count(connection, f"select count(*) from raw.{spec.raw_table}")
            for topic, spec in known_topics().items()
        }
        streamed_calls = _count(
            connection, "select count(*) from marts.fct_calls where delivered_via = 'stream'"
        )
        streamed_today = _count(
            connection,
            "select count(*) from marts.fct_calls where delivered_via = 'stream' and call_date = ?",
            today,
        )
        revenue_row = connection.execute(
            "select coalesce(sum(revenue_eur), 0) from marts.fct_orders where order_date = ?",
            [today],
        ).fetchone()
    revenue_today = Decimal(str(revenue_row[0])) if revenue_row is not None else Decimal(0)
    topics = [
        (topic, published, landed.get(topic, 0), dead_letters.get(topic, 0))
        for topic, published in sorted(truth["published"]["messages"].items())
    ]
    facts: list[tuple[Cell, ...]] = [
        ("calls first delivered by the stream", streamed_calls),
        ("  of them today", streamed_today),
        ("revenue of today's orders (EUR)", revenue_today),
        ("  ground truth (EUR)", Decimal(str(manifest["revenue_per_day"][today]))),
    ]
    return [
        "",
        f"Kafka speed path (today, {today}, arrived only on Kafka)",
        format_table(["topic", "published", "landed", "dead letters"], topics),
        "",
        format_table(["stream", "value"], facts),
    ]


def render(
    warehouse: Path,
    run_results: Path,
    kafka_truth: Path | None = None,
    sources: Path | None = None,
) -> str:
    marts = [(f"marts.{name}", rows) for name, rows in mart_row_counts(warehouse).items()]
    lines = [
        "",
        "telestream warehouse built",
        "",
        "Rows per mart",
        format_table(["mart", "rows"], marts),
    ]
    if run_results.exists():
        results = [(*key, n) for key, n in sorted(result_counts(run_results).items())]
        lines += ["", "dbt build results", format_table(["resource", "status", "count"], results)]
    if sources is not None and sources.exists():
        headers = ["source", "status", "last landed (UTC)", "age (h)", "warn after", "error after"]
        lines += ["", "Source freshness", format_table(headers, freshness_rows(sources))]
    if kafka_truth is not None and kafka_truth.exists():
        lines += speed_path(warehouse, json.loads(kafka_truth.read_text()))
    headers, rows = example_query(warehouse)
    lines += [
        "",
        f"Warehouse: {warehouse.resolve()}",
        "",
        "Example query",
        textwrap.indent(EXAMPLE_QUERY, "  "),
        "",
        format_table(headers, rows),
        "",
        f'Try it: .venv/bin/python -c "import duckdb; '
        f"print(duckdb.connect('{warehouse}', read_only=True)"
        ".sql('from marts.fct_calls limit 5'))\"",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--warehouse", type=Path, default=Path("warehouse.duckdb"), help="the DuckDB file"
    )
    parser.add_argument(
        "--run-results",
        type=Path,
        default=Path("target/run_results.json"),
        help="dbt's run_results.json of the build to report",
    )
    parser.add_argument(
        "--sources",
        type=Path,
        help="dbt's sources.json of `dbt source freshness`: report each source's freshness",
    )
    parser.add_argument(
        "--kafka-truth",
        type=Path,
        help="ground truth written by `python -m tools.kafka_publish`: report the speed path",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    if not args.warehouse.exists():
        log.error("no warehouse at %s: run `make run` first", args.warehouse)
        return 1
    sys.stdout.write(render(args.warehouse, args.run_results, args.kafka_truth, args.sources))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Print what a `make run` built: rows per mart, dbt results, the Kafka speed path
(published, landed, visible in the marts), where the warehouse is.

Usage: python -m extract.run_summary --warehouse warehouse.duckdb \
           --run-results target/run_results.json --kafka-truth data/kafka_truth.json
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import duckdb

from extract.kafka.topics import known_topics

log = logging.getLogger("extract.run_summary")

EXAMPLE_QUERY = """\
select order_date, count(*) as orders, sum(revenue_eur) as revenue_eur
from marts.fct_orders
group by order_date
order by order_date
limit 5"""


def mart_row_counts(warehouse: Path) -> dict[str, int]:
    """Rows of every table in the marts schema."""
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        tables = connection.execute(
            "select table_name from information_schema.tables "
            "where table_schema = 'marts' order by table_name"
        ).fetchall()
        return {
            name: connection.execute(f'select count(*) from marts."{name}"').fetchone()[0]
            for (name,) in tables
        }


def result_counts(run_results: Path) -> Counter[str]:
    """dbt node results by kind and status, e.g. {'test pass': 180, 'model success': 25}."""
    results = json.loads(run_results.read_text())["results"]
    return Counter(f"{result['unique_id'].split('.')[0]} {result['status']}" for result in results)


def example_query(warehouse: Path) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        return connection.execute(EXAMPLE_QUERY).fetchall()


def speed_path(warehouse: Path, truth: dict[str, Any]) -> list[str]:
    """Published vs landed per topic, and what only the stream brought into the marts."""
    manifest = truth["manifest"]
    today = max(manifest["revenue_per_day"])
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        dead_letters = dict(
            connection.execute(
                "select topic, count(*) from raw.kafka_dead_letters group by topic"
            ).fetchall()
        )
        landed = {
            topic: connection.execute(f"select count(*) from raw.{spec.raw_table}").fetchone()[0]
            for topic, spec in known_topics().items()
        }
        streamed_calls = connection.execute(
            "select count(*), count(*) filter (where call_date = ?) from marts.fct_calls"
            " where delivered_via = 'stream'",
            [today],
        ).fetchone()
        revenue_today = connection.execute(
            "select coalesce(sum(revenue_eur), 0) from marts.fct_orders where order_date = ?",
            [today],
        ).fetchone()[0]
    lines = ["", "kafka speed path (today, " + today + ", arrived only on Kafka):"]
    for topic, published in sorted(truth["published"]["messages"].items()):
        lines.append(
            f"  {topic:<24} published {published:>9,}   landed {landed.get(topic, 0):>9,}"
            f"   dead letters {dead_letters.get(topic, 0):>5,}"
        )
    lines += [
        f"  calls first delivered by the stream: {streamed_calls[0]:,}"
        f" ({streamed_calls[1]:,} of them today)",
        f"  revenue of today's orders: {revenue_today} EUR"
        f" (ground truth {manifest['revenue_per_day'][today]} EUR)",
    ]
    return lines


def render(warehouse: Path, run_results: Path, kafka_truth: Path | None = None) -> str:
    lines = ["", "telestream warehouse built", ""]
    lines.append("rows per mart:")
    lines += [
        f"  marts.{name:<28} {rows:>10,}" for name, rows in mart_row_counts(warehouse).items()
    ]
    if run_results.exists():
        lines.append("")
        lines.append("dbt build results:")
        lines += [f"  {key:<28} {n:>10,}" for key, n in sorted(result_counts(run_results).items())]
    if kafka_truth is not None and kafka_truth.exists():
        lines += speed_path(warehouse, json.loads(kafka_truth.read_text()))
    lines += ["", f"warehouse: {warehouse.resolve()}", "", "example query:", EXAMPLE_QUERY, ""]
    lines += [f"  {row}" for row in example_query(warehouse)]
    lines += [
        "",
        f'try it: .venv/bin/python -c "import duckdb; '
        f"print(duckdb.connect('{warehouse}', read_only=True)"
        ".sql('from marts.fct_calls limit 5'))\"",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
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
        "--kafka-truth",
        type=Path,
        help="ground truth written by `python -m extract.kafka.publish`: report the speed path",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    if not args.warehouse.exists():
        log.error("no warehouse at %s: run `make run` first", args.warehouse)
        return 1
    sys.stdout.write(render(args.warehouse, args.run_results, args.kafka_truth))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

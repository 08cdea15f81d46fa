"""Write the analysts' report: a static HTML page of charts read from the marts.

Usage: python -m report --warehouse warehouse.duckdb --output target/report/index.html
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from report.charts import build_charts
from report.data import load
from report.render import write_report

log = logging.getLogger("report")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m report",
        description="Write a self-contained HTML report (plotly charts, JavaScript embedded) "
        "from the analytics marts of a DuckDB warehouse, and print its path.",
    )
    parser.add_argument(
        "--warehouse",
        type=Path,
        default=Path(os.environ.get("TELESTREAM_DUCKDB_PATH", "warehouse.duckdb")),
        help="the DuckDB warehouse file to read (default: $TELESTREAM_DUCKDB_PATH or "
        "warehouse.duckdb); opened read-only",
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=Path("target/report/index.html"),
        help="where to write the HTML file (default: target/report/index.html)",
    )
    parser.add_argument(
        "--z-score-threshold",
        type=float,
        default=3.0,
        help="the anomaly threshold fct_anomalies was built with (dbt var "
        "anomaly_z_score_threshold), quoted in the revenue chart's reading (default: 3)",
    )
    parser.add_argument(
        "--log-level", default="INFO", help="logging level, e.g. DEBUG or WARNING (default: INFO)"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(
        level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    data = load(args.warehouse, args.z_score_threshold)
    path = write_report(build_charts(data), args.warehouse, args.output)
    # The path is the command's result, for a person or a script to open.
    sys.stdout.write(f"report: {path}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""CLI: python -m extract.simulator --help"""

from __future__ import annotations

import argparse
import logging
from dataclasses import fields
from datetime import date
from pathlib import Path

from extract.simulator import SimulatorConfig, generate
from extract.simulator.reference import seed_rows
from extract.simulator.writer import write_seed

HELP = {
    "seed": "random seed; the same seed and config give byte-identical files",
    "days": "number of days to simulate (day 1 is --start-date)",
    "start_date": "date of day 1 (YYYY-MM-DD)",
    "customers": "customers existing before day 1",
    "new_customers_per_day": "customers signing up each day",
    "products": "products in the catalogue before day 1",
    "plans": "telecom service plans",
    "cells": "radio cells",
    "switches": "switches delivering CDR files (>= 2)",
    "calls_per_day": "calls made per day (CDRs before duplicates)",
    "orders_per_day": "shop orders placed per day",
    "subscriber_share": "share of initial customers with a telecom subscription",
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m extract.simulator",
        description="Simulate the shop's and the telecom's daily exports (CSV) with defects, "
        "and write the ground-truth manifest. See docs/source_contract.md.",
    )
    parser.add_argument("--landing-dir", type=Path, default=Path("data/landing"), help="where the files go")
    parser.add_argument("--manifest", type=Path, default=Path("data/manifest.json"), help="ground-truth JSON path")
    parser.add_argument("--clean", action="store_true", help="empty the landing dir first")
    parser.add_argument(
        "--write-seeds", type=Path, metavar="SEEDS_DIR", help="write the dbt seed CSVs of the reference data and exit"
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    defaults = SimulatorConfig()
    for field in fields(SimulatorConfig):
        default = getattr(defaults, field.name)
        kind = date.fromisoformat if isinstance(default, date) else type(default)
        description = HELP.get(field.name) or field.name.replace("_", " ").replace(" rate", " probability")
        parser.add_argument(
            f"--{field.name.replace('_', '-')}", type=kind, default=default, help=f"{description} (default: {default})"
        )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if args.write_seeds:
        for name, (header, rows) in seed_rows().items():
            write_seed(args.write_seeds / f"{name}.csv", header, rows)
        return 0
    config = SimulatorConfig(**{field.name: getattr(args, field.name) for field in fields(SimulatorConfig)})
    generate(config, args.landing_dir, args.manifest, clean=args.clean)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

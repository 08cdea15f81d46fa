"""CLI: `python -m tools.simulator --help`.

Every `SimulatorConfig` field is a flag (tools.simulator.config.add_config_flags).
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from tools.simulator.config import add_config_flags, config_from_flags
from tools.simulator.engine import generate
from tools.simulator.reference import SEED_FILES, seed_rows
from tools.simulator.writer import clean_landing, write_seed


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m tools.simulator",
        description="Simulate the shop's and the telecom's daily CSV exports, defects "
        "included, and write the ground-truth manifest (docs/source_contract.md).",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    # The source systems drop their files into the inbox; `python -m extract.intake`
    # moves them to the landing folder that Meltano reads.
    parser.add_argument(
        "--out-dir",
        dest="out_dir",
        type=Path,
        default=Path("data/inbox"),
        help="folder the daily files are dropped into (the inbox)",
    )
    parser.add_argument(
        "--manifest",
        type=Path,
        help="ground-truth JSON path; default <out-dir>/../manifest.json",
    )
    parser.add_argument(
        "--clean", action="store_true", help="remove earlier runs' table folders first"
    )
    parser.add_argument(
        "--write-seeds",
        type=Path,
        metavar="SEEDS_DIR",
        help="write the dbt seed CSVs of the reference data into SEEDS_DIR and exit",
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
    if args.write_seeds:
        for name, rows in seed_rows().items():
            write_seed(args.write_seeds / f"{name}.csv", SEED_FILES[name], rows)
        return 0
    config = config_from_flags(args)
    if args.clean:
        clean_landing(args.out_dir)
    generate(config, args.out_dir, args.manifest or args.out_dir.parent / "manifest.json")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

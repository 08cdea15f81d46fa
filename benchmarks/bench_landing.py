"""Throughput of the batch path: simulate, intake, Meltano landing, dbt build.

Prints rows/s per stage for one simulated dataset in a sandbox of its own. Usage:
    python -m benchmarks.bench_landing --days 3 --calls-per-day 20000
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from extract.intake import intake
from extract.simulator import SimulatorConfig, generate
from tests.pipeline import Sandbox, dbt, meltano

log = logging.getLogger("benchmarks.bench_landing")
T = TypeVar("T")


def timed(label: str, timings: dict[str, float], action: Callable[[], T]) -> T:
    began = time.perf_counter()
    result = action()
    timings[label] = time.perf_counter() - began
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=3)
    parser.add_argument("--calls-per-day", type=int, default=20_000)
    parser.add_argument("--customers", type=int, default=500)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)

    config = dataclasses.replace(
        SimulatorConfig(),
        days=args.days,
        calls_per_day=args.calls_per_day,
        customers=args.customers,
    )
    timings: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="telestream-bench-") as root:
        sandbox = Sandbox(Path(root))
        manifest_path = sandbox.root / "manifest.json"
        manifest = timed(
            "simulate", timings, lambda: generate(config, sandbox.inbox_dir, manifest_path)
        )
        rows = sum(manifest["raw_rows"].values())
        timed(
            "intake",
            timings,
            lambda: intake(sandbox.inbox_dir, sandbox.landing_dir, sandbox.root / "quarantine"),
        )
        timed(
            "meltano land", timings,
            lambda: meltano(sandbox, "run", "tap-spreadsheets", "target-duckdb"),
        )  # fmt: skip
        timed("dbt build", timings, lambda: dbt(sandbox, "build"))

    out = sys.stdout
    out.write(f"\nbatch path: {rows:,} source rows ({manifest['calls']['records']:,} CDRs)\n")
    for label, seconds in timings.items():
        out.write(f"  {label:<14} {seconds:8.2f} s   {rows / seconds:>12,.0f} rows/s\n")
    total = sum(timings.values())
    out.write(f"  {'end to end':<14} {total:8.2f} s   {rows / total:>12,.0f} rows/s\n")
    out.write(f"  landing share of end to end: {timings['meltano land'] / total:.0%}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Rows/s of the file landing path beside the engines' own bulk loads of the same files.

One simulated dataset (about 1M CDR rows by default) is landed several times, each time
into a fresh warehouse, and printed side by side with min and median wall time:
    meltano land            `meltano run land` (intake, tap-landing, target-bulk-duckdb)
    plugins alone           tap-landing | target-bulk on already landed deliveries
    duckdb read_csv         DuckDB's own read_csv of the same files (all text, file name
                            kept): the engine's limit
    meltano land-postgres   `meltano --environment prod run land-postgres` (COPY)
    postgres COPY           psycopg COPY of the same files as they are: the engine's limit
Usage:
    python -m benchmarks.bench_landing --days 5 --calls-per-day 200000 --repeat 3
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import duckdb
import psycopg

from extract.contract import HEADERS
from tests.pipeline import BIN, Sandbox, meltano
from tests.postgres_fixtures import LOADER_ROLE, PostgresSandbox, _prepare, meltano_prod
from tools.postgres_cluster import PostgresCluster, throwaway_cluster
from tools.simulator import SimulatorConfig, generate

log = logging.getLogger("benchmarks.bench_landing")


def timed(action: Callable[[], object]) -> float:
    began = time.perf_counter()
    action()
    return time.perf_counter() - began


def fresh_sandbox(root: Path, generated: Path, name: str, cls: type = Sandbox, **extra) -> Sandbox:
    sandbox = cls(root / name, **extra)
    shutil.copytree(generated, sandbox.inbox_dir)
    return sandbox


def duckdb_read_csv(generated: Path, warehouse: Path) -> None:
    """The engine's limit: every table's files in one read_csv, all text, file name kept."""
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute("create schema raw")
        for table in HEADERS:
            files = sorted(str(path) for path in (generated / table).glob("*.csv"))
            connection.execute(
                f"create table raw.{table} as select * from read_csv(?, all_varchar = true, "
                "filename = true, header = true, union_by_name = false)",
                [files],
            )


def postgres_copy(generated: Path, dsn: str) -> None:
    """The engine's limit: each file streamed as it is into COPY ... (format csv, header)."""
    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute("create schema raw_copy")
        for table, header in HEADERS.items():
            columns = ", ".join(f"{column} text" for column in header)
            connection.execute(f"create table raw_copy.{table} ({columns})")
            for path in sorted((generated / table).glob("*.csv")):
                with (
                    connection.cursor() as cursor,
                    cursor.copy(f"copy raw_copy.{table} from stdin (format csv, header)") as copy,
                    path.open("rb") as handle,
                ):
                    while chunk := handle.read(1 << 20):
                        copy.write(chunk)


def plugins_alone(sandbox: Sandbox) -> None:
    """tap-landing | target-bulk on the sandbox's landed deliveries, without Meltano."""
    tap_config = sandbox.root / "tap.json"
    tap_config.write_text(json.dumps({"landing_dir": str(sandbox.landing_dir)}))
    target_config = sandbox.root / "target.json"
    warehouse = sandbox.root / "plugins.duckdb"
    target_config.write_text(json.dumps({"engine": "duckdb", "duckdb_path": str(warehouse)}))
    tap = subprocess.Popen(
        [str(BIN / "tap-landing"), "--config", str(tap_config)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    subprocess.run(
        [str(BIN / "target-bulk"), "--config", str(target_config)],
        stdin=tap.stdout,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=True,
    )
    if tap.wait() != 0:
        raise RuntimeError("tap-landing failed")


def create_database(cluster: PostgresCluster, name: str) -> None:
    with psycopg.connect(cluster.dsn(), autocommit=True) as admin:
        admin.execute(f"create database {name} owner {LOADER_ROLE}")


def report(rows: int, cdrs: int, timings: dict[str, list[float]], limits: dict[str, str]) -> str:
    runs = len(next(iter(timings.values())))
    lines = [
        f"\nfile landing: {rows:,} source rows ({cdrs:,} CDRs), {runs} runs each",
        f"  {'stage':<24} {'min s':>8} {'median s':>9} {'rows/s (median)':>16} {'vs engine':>10}",
    ]
    medians = {label: statistics.median(values) for label, values in timings.items()}
    for label, values in timings.items():
        limit = limits.get(label)
        ratio = f"{medians[limit] / medians[label]:.0%}" if limit else ""
        lines.append(
            f"  {label:<24} {min(values):8.2f} {medians[label]:9.2f} "
            f"{rows / medians[label]:>16,.0f} {ratio:>10}"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=5)
    parser.add_argument("--calls-per-day", type=int, default=200_000)
    parser.add_argument("--customers", type=int, default=2_000)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each stage (default 3)")
    parser.add_argument("--no-postgres", action="store_true", help="skip the PostgreSQL stages")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)

    config = dataclasses.replace(
        SimulatorConfig(), days=args.days, calls_per_day=args.calls_per_day,
        customers=args.customers,
    )  # fmt: skip
    timings: dict[str, list[float]] = {}
    limits = {
        "meltano land": "duckdb read_csv",
        "plugins alone": "duckdb read_csv",
        "meltano land-postgres": "postgres COPY",
    }
    with tempfile.TemporaryDirectory(prefix="telestream-bench-") as scratch:
        root = Path(scratch)
        generated = root / "generated"
        manifest = generate(config, generated, root / "manifest.json")
        rows = sum(manifest["raw_rows"].values())
        for run in range(args.repeat):
            sandbox = fresh_sandbox(root, generated, f"duckdb_{run}")
            timings.setdefault("meltano land", []).append(
                timed(lambda sandbox=sandbox: meltano(sandbox, "run", "land"))
            )
            timings.setdefault("plugins alone", []).append(
                timed(lambda sandbox=sandbox: plugins_alone(sandbox))
            )
            timings.setdefault("duckdb read_csv", []).append(
                timed(lambda run=run: duckdb_read_csv(generated, root / f"read_csv_{run}.duckdb"))
            )
            shutil.rmtree(sandbox.root)
        if not args.no_postgres:
            with throwaway_cluster() as cluster:
                warehouse = _prepare(cluster)
                for run in range(args.repeat):
                    database = f"bench_{run}"
                    create_database(cluster, database)
                    env = {**warehouse.env(), "TELESTREAM_PG_DATABASE": database}
                    sandbox = fresh_sandbox(
                        root, generated, f"postgres_{run}", PostgresSandbox,
                        warehouse_env=tuple(env.items()),
                    )  # fmt: skip
                    timings.setdefault("meltano land-postgres", []).append(
                        timed(lambda sandbox=sandbox: meltano_prod(sandbox, "run", "land-postgres"))
                    )
                    timings.setdefault("postgres COPY", []).append(
                        timed(
                            lambda database=database: postgres_copy(
                                generated, cluster.dsn(database)
                            )
                        )
                    )
                    shutil.rmtree(sandbox.root)

    sys.stdout.write(report(rows, manifest["calls"]["records"], timings, limits))
    sys.stdout.write(
        "  (meltano land includes Meltano's start-up, intake and discovery; plugins alone "
        "is the tap and target on the landed deliveries)\n"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

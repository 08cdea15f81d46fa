"""The nightly run at scale: landing, full refresh, nightly builds as history doubles.

One simulated dataset (the `scale` preset: about 10M CDRs a day and about 1M order lines
of history) is delivered night by night into a fresh warehouse per engine:

    days 1..H     land, then `dbt build --full-refresh`          (full refresh)
    day H+1       land, then `dbt build`                         (nightly, base history)
    days H+2..2H  land, then `dbt build`                         (catching up)
    day 2H+1      land, then `dbt build`                         (nightly, twice the history)

Each landing is `meltano run land` (intake, then the project's tap and bulk target); in
the same run, DuckDB's own `read_csv` of the same night's CDR files (every column text)
is timed as the engine's limit, and each stage is printed as a ratio to it. Wall time
and peak RSS (the command and its children) are measured per step; the results go to
the terminal and to benchmarks/RESULTS.md. Never part of `make test`. Usage:
    python -m benchmarks.bench_scale --preset scale --engines duckdb,postgres
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import psycopg

from tests.pipeline import BIN, PROJECT_ROOT, Sandbox, deliver_days
from tools.postgres_cluster import (
    WarehouseRoles,
    prepare_warehouse,
    throwaway_cluster,
    warehouse_env,
)
from tools.simulator import SimulatorConfig, generate

log = logging.getLogger("benchmarks.bench_scale")

PRESETS: dict[str, SimulatorConfig] = {
    # About 10M CDRs a day from 20 switches; 200k orders a day (about 2.5 lines each)
    # make about 1M order lines over two days of history.
    "scale": dataclasses.replace(
        SimulatorConfig(),
        seed=11,
        customers=200_000,
        new_customers_per_day=200.0,
        products=2_000,
        cells=2_000,
        switches=20,
        calls_per_day=10_000_000,
        orders_per_day=200_000,
    ),
    # The same shape at 1/50: minutes, for trying the benchmark itself.
    "small": dataclasses.replace(
        SimulatorConfig(),
        seed=11,
        customers=4_000,
        new_customers_per_day=20.0,
        products=400,
        cells=200,
        switches=4,
        calls_per_day=200_000,
        orders_per_day=4_000,
    ),
}
DEFAULT_RESULTS = PROJECT_ROOT / "benchmarks" / "RESULTS.md"
CDR_COUNT = "select count(*) from raw.telecom_cdrs"


@dataclass(frozen=True)
class Step:
    """One measured command."""

    engine: str
    label: str
    seconds: float
    peak_rss_mib: float
    rows: int = 0
    breakdown: str = ""


def node_name(unique_id: str) -> str:
    """A node's name: a data test's id ends in a hash, which names nothing."""
    parts = unique_id.split(".")
    name = parts[2] if parts[0] == "test" else parts[-1]
    # accepted_values tests are named after every value they accept
    return name if len(name) <= 60 else name[:57] + "..."


def build_breakdown(run_results: Path, slowest: int = 5) -> str:
    """Where a dbt build's time went: node seconds summed per kind, and the slowest nodes.

    Node seconds add up across dbt's threads, so their sum exceeds the wall time.
    """
    results = json.loads(run_results.read_text())["results"]
    per_kind: dict[str, list[float]] = {}
    for result in results:
        kind = result["unique_id"].split(".")[0]
        per_kind.setdefault(kind, []).append(float(result["execution_time"]))
    kinds = ", ".join(
        f"{len(times)} {kind}s {sum(times):.1f} s"
        for kind, times in sorted(per_kind.items(), key=lambda item: -sum(item[1]))
    )
    top = sorted(results, key=lambda result: -float(result["execution_time"]))[:slowest]
    nodes = ", ".join(
        f"`{node_name(result['unique_id'])}` {float(result['execution_time']):.1f} s"
        for result in top
    )
    return f"{kinds}; slowest: {nodes}"


def measured(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Run a command; return its wall seconds and the peak RSS of it and its children."""
    with tempfile.TemporaryFile() as output:
        began = time.perf_counter()
        process = subprocess.Popen(args, cwd=PROJECT_ROOT, env=env, stdout=output, stderr=output)
        # wait4, not wait: its rusage is this command's own (and its children's), where
        # RUSAGE_CHILDREN would be the peak of every command run so far.
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - began
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            output.seek(0)
            tail = output.read().decode(errors="replace")[-4000:]
            raise RuntimeError(f"{' '.join(args)} exited {process.returncode}:\n{tail}")
    return seconds, usage.ru_maxrss / 1024


def read_csv_limit(files: list[Path], repeats: int) -> list[float]:
    """Seconds DuckDB's own read_csv takes to load the files, every column text."""
    paths = ", ".join(f"'{path}'" for path in files)
    timings = []
    for _ in range(repeats):
        with tempfile.TemporaryDirectory(prefix="telestream-limit-") as scratch:
            connection = duckdb.connect(str(Path(scratch) / "limit.duckdb"))
            began = time.perf_counter()
            connection.execute(
                f"create table cdrs as select * from read_csv([{paths}], all_varchar = true,"
                " header = true, filename = true)"
            )
            connection.commit()
            timings.append(time.perf_counter() - began)
            connection.close()
    return timings


class Engine:
    """How one engine lands and builds inside a sandbox."""

    name = "duckdb"

    def __init__(self, sandbox: Sandbox, extra_env: dict[str, str]) -> None:
        self.sandbox = sandbox
        self.extra_env = extra_env

    def env(self) -> dict[str, str]:
        return {**self.sandbox.env(), **self.extra_env}

    def land_args(self) -> list[str]:
        return [str(BIN / "meltano"), "--environment", "dev", "run", "land"]

    def dbt_args(self, *args: str) -> list[str]:
        return [str(BIN / "dbt"), *args, "--profiles-dir", str(PROJECT_ROOT), "--target", "duckdb"]

    def landed_cdrs(self) -> int:
        """Rows in raw.telecom_cdrs: a landing is only timed if it landed every row."""
        if not self.sandbox.warehouse.exists():
            return 0
        with duckdb.connect(str(self.sandbox.warehouse), read_only=True) as connection:
            row = connection.execute(CDR_COUNT).fetchone()
        return int(row[0]) if row else 0


class PostgresEngine(Engine):
    name = "postgres"

    def land_args(self) -> list[str]:
        return [str(BIN / "meltano"), "--environment", "prod", "run", "land-postgres"]

    def dbt_args(self, *args: str) -> list[str]:
        return [
            str(BIN / "dbt"), *args, "--profiles-dir", str(PROJECT_ROOT), "--target", "postgres",
        ]  # fmt: skip

    def landed_cdrs(self) -> int:
        env = self.extra_env
        with psycopg.connect(
            host=env["TELESTREAM_PG_HOST"],
            port=env["TELESTREAM_PG_PORT"],
            user=env["TELESTREAM_PG_USER"],
            password=env["TELESTREAM_PG_PASSWORD"],
            dbname=env["TELESTREAM_PG_DATABASE"],
        ) as connection:
            exists = connection.execute("select to_regclass('raw.telecom_cdrs')").fetchone()
            if not exists or exists[0] is None:
                return 0
            row = connection.execute(CDR_COUNT).fetchone()
        return int(row[0]) if row else 0


@contextmanager
def engine_for(name: str, root: Path) -> Iterator[Engine]:
    sandbox = Sandbox(root)
    if name == "duckdb":
        yield Engine(sandbox, {})
        return
    roles = WarehouseRoles()
    with throwaway_cluster({"shared_buffers": "1GB", "work_mem": "256MB"}) as cluster:
        prepare_warehouse(cluster, roles)
        yield PostgresEngine(sandbox, warehouse_env(cluster, roles))


def cdr_files(generated: Path, dates: list[str]) -> list[Path]:
    return sorted(
        path
        for path in (generated / "telecom_cdrs").glob("*.csv")
        if any(f"_{day}" in path.name for day in dates)
    )


def count_rows(files: list[Path]) -> int:
    rows = 0
    for path in files:
        with path.open("rb") as handle:
            rows += sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 24), b""))
        rows -= 1
    return rows


def run_engine(
    name: str, generated: Path, dates: list[str], history: int, repeats: int
) -> tuple[list[Step], list[float]]:
    """The night-by-night sequence on one engine; also the read_csv limit per night."""
    nights = [
        ("full refresh", dates[:history], ("build", "--full-refresh")),
        ("nightly, base history", dates[history : history + 1], ("build",)),
        ("catching up", dates[history + 1 : 2 * history], ("build",)),
        ("nightly, twice the history", dates[2 * history : 2 * history + 1], ("build",)),
    ]
    steps: list[Step] = []
    limits: list[float] = []
    with (
        tempfile.TemporaryDirectory(prefix=f"telestream-bench-{name}-") as root,
        engine_for(name, Path(root)) as engine,
    ):
        for label, night_dates, dbt_command in nights:
            if not night_dates:
                continue
            deliver_days(generated, engine.sandbox.inbox_dir, night_dates)
            files = cdr_files(generated, night_dates)
            rows = count_rows(files)
            if name == "duckdb":
                limit = read_csv_limit(files, repeats)
                limits += [rows / seconds for seconds in limit]
            before = engine.landed_cdrs()
            seconds, rss = measured(engine.land_args(), engine.env())
            landed = engine.landed_cdrs() - before
            if landed != rows:
                raise RuntimeError(
                    f"{name} {label}: {rows:,} CDR rows delivered, {landed:,} landed"
                )
            steps.append(Step(name, f"land: {label}", seconds, rss, rows))
            log.info("%s land %s: %.1f s", name, label, seconds)
            seconds, rss = measured(engine.dbt_args(*dbt_command), engine.env())
            breakdown = build_breakdown(engine.sandbox.dbt_target_dir / "run_results.json")
            steps.append(
                Step(name, f"dbt {' '.join(dbt_command)}: {label}", seconds, rss, 0, breakdown)
            )
            log.info("%s dbt %s: %s", name, label, breakdown)
            log.info("%s dbt %s: %.1f s", name, label, seconds)
    return steps, limits


def versions() -> str:
    import dbt.version

    pg = shutil.which("postgres") or next(Path("/usr/lib/postgresql").glob("*/bin/postgres"), None)
    pg_version = (
        subprocess.run([str(pg), "--version"], capture_output=True, text=True).stdout.strip()
        if pg
        else "not installed"
    )
    return (
        f"Python {platform.python_version()}, duckdb {duckdb.__version__}, "
        f"dbt-core {dbt.version.__version__}, {pg_version}"
    )


def machine() -> str:
    meminfo = Path("/proc/meminfo").read_text().splitlines()[0].split()
    return f"{os.cpu_count()} cores, {int(meminfo[1]) / 1024 / 1024:.1f} GiB memory"


def report(
    preset: str, config: SimulatorConfig, history: int, steps: list[Step], limits: list[float]
) -> str:
    lines = [
        "# Benchmark results: the nightly run at scale",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {machine()}, "
        f"`python -m benchmarks.bench_scale --preset {preset}`.",
        f"Versions: {versions()}.",
        f"Data: {config.calls_per_day:,} calls a day from {config.switches} switches, "
        f"{config.customers:,} customers, {config.orders_per_day:,} orders a day; "
        f"history of {history} days, then nights as in the table.",
        "The nights run minutes apart, so the CDR staging models' overlap is 0 "
        "(`TELESTREAM_LANDING_OVERLAP_HOURS`, as in the test sandboxes): each night reads "
        "its own landings, as nights a day apart do with the default 6 h.",
        "",
    ]
    if limits:
        lines += [
            "DuckDB's own `read_csv` of each night's CDR files (all text, the engine's limit): "
            f"min {min(limits):,.0f}, median {statistics.median(limits):,.0f} rows/s.",
            "",
        ]
    limit = statistics.median(limits) if limits else 0.0
    lines += [
        "| engine | step | wall s | peak RSS MiB | CDR rows | rows/s | ratio to read_csv |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for step in steps:
        rate = step.rows / step.seconds if step.rows else 0.0
        ratio = f"{rate / limit:.2f}" if step.rows and limit else ""
        rows = f"{step.rows:,}" if step.rows else ""
        rate_text = f"{rate:,.0f}" if step.rows else ""
        lines.append(
            f"| {step.engine} | {step.label} | {step.seconds:.1f} | {step.peak_rss_mib:,.0f} "
            f"| {rows} | {rate_text} | {ratio} |"
        )
    lines += ["", *ratios(steps), "", "Where each `dbt build` spent its time (node seconds):"]
    lines += [
        f"- {step.engine}, {step.label}: {step.breakdown}" for step in steps if step.breakdown
    ]
    return "\n".join(lines) + "\n"


def ratios(steps: list[Step]) -> list[str]:
    found = {(step.engine, step.label): step.seconds for step in steps}
    lines = []
    for engine in dict.fromkeys(step.engine for step in steps):
        full = found.get((engine, "dbt build --full-refresh: full refresh"))
        base = found.get((engine, "dbt build: nightly, base history"))
        twice = found.get((engine, "dbt build: nightly, twice the history"))
        if full and base:
            lines.append(f"- {engine}: nightly build / full refresh = {base / full:.2f}")
        if base and twice:
            lines.append(f"- {engine}: nightly with twice the history / base = {twice / base:.2f}")
    duck = found.get(("duckdb", "dbt build: nightly, base history"))
    pg = found.get(("postgres", "dbt build: nightly, base history"))
    if duck and pg:
        lines.append(f"- PostgreSQL / DuckDB, nightly build: {pg / duck:.2f}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", choices=sorted(PRESETS), default="scale")
    parser.add_argument("--history-days", type=int, default=2, help="H, the base history")
    parser.add_argument("--engines", default="duckdb,postgres", help="comma-separated")
    parser.add_argument("--repeats", type=int, default=3, help="read_csv limit runs per night")
    parser.add_argument("--results", type=Path, default=DEFAULT_RESULTS)
    parser.add_argument("--work-dir", type=Path, default=None, help="where to simulate")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")

    history = args.history_days
    config = dataclasses.replace(PRESETS[args.preset], days=2 * history + 1)
    start = config.start_date
    dates = [(start + timedelta(days=offset)).isoformat() for offset in range(config.days)]
    work = Path(tempfile.mkdtemp(prefix="telestream-scale-", dir=args.work_dir))
    try:
        began = time.perf_counter()
        generate(config, work / "generated", work / "manifest.json")
        log.info("simulated %d days in %.0f s", config.days, time.perf_counter() - began)
        steps: list[Step] = []
        limits: list[float] = []
        for engine in args.engines.split(","):
            engine_steps, engine_limits = run_engine(
                engine, work / "generated", dates, history, args.repeats
            )
            steps += engine_steps
            limits += engine_limits
    finally:
        shutil.rmtree(work, ignore_errors=True)
    text = report(args.preset, config, history, steps, limits)
    sys.stdout.write(text)
    args.results.write_text(text)
    log.info("wrote %s", args.results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
